package dev.isthmus.proxy.http;

import dev.isthmus.proxy.testing.Eventually;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 4, drain (SIGTERM): stop accepting, close idle keep-alive connections, let in-flight requests finish. */
@Timeout(60)
final class HttpDrainTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(20);

    @RegisterExtension
    final ProxyFixture fixture = new ProxyFixture();

    @Test
    void drainFinishesInFlightRequestsClosesIdleOnesAndRefusesNewOnes() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        HttpTestOrigin origin = fixture.origin("o");
        origin.on("/in-flight", OriginScripts.after(release, OriginScripts.text(200, "finished")));
        int port = fixture.start("""
                workers: 1
                listeners:
                  - name: web
                    address: 127.0.0.1:0
                    protocol: http
                    routes:
                      - match: { prefix: / }
                        cluster: o
                clusters:
                  - { name: o, endpoints: [127.0.0.1:%d] }
                """.formatted(origin.port()));
        RawClient idle = fixture.client();
        assertEquals(200, idle.get("/warm").status());
        RawClient busy = fixture.client();
        busy.send(RawClient.head("GET", "/in-flight"));
        Eventually.await("the in-flight request reached the origin", WAIT,
                () -> origin.requests().stream().anyMatch(r -> r.target().equals("/in-flight")));

        long start = System.nanoTime();
        CompletableFuture<Void> drained = CompletableFuture.runAsync(() -> {
            try {
                fixture.proxy().drain(DRAIN_TIMEOUT);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        idle.assertClosedByPeer();
        Eventually.await("new connections refused", WAIT, () -> refused(port));
        release.countDown();
        RawResponse response = busy.read();
        assertEquals("finished", response.bodyText());
        assertTrue(response.closes(), () -> "a draining proxy says it closes:\n" + response);
        busy.assertClosedByPeer();
        drained.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(DRAIN_TIMEOUT) < 0,
                "the drain ended when the last request did, not at its timeout");
    }

    @Test
    void eachListenerIsGivenItsOwnDrainTimeout() throws Exception {
        HttpTestOrigin origin = fixture.origin("o");
        origin.on("/forever", OriginScripts.hang());
        fixture.start("""
                workers: 1
                listeners:
                  - name: web
                    address: 127.0.0.1:0
                    protocol: http
                    drain_timeout: 500ms
                    routes:
                      - match: { prefix: / }
                        cluster: o
                  - name: slow-to-drain
                    address: 127.0.0.1:0
                    protocol: http
                    drain_timeout: 30s
                    routes:
                      - match: { prefix: / }
                        cluster: o
                clusters:
                  - { name: o, endpoints: [127.0.0.1:%d] }
                """.formatted(origin.port()));
        RawClient stuck = fixture.client();
        stuck.send(RawClient.head("GET", "/forever"));
        Eventually.await("the request reached the origin", WAIT, () -> origin.requests().size() == 1);
        long start = System.nanoTime();
        fixture.proxy().drain();
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertTrue(took.compareTo(Duration.ofSeconds(10)) < 0,
                "web's in-flight request was cut at web's 500ms, not the other listener's 30s: took " + took);
        stuck.assertClosedByPeer();
    }

    private static boolean refused(int port) {
        try (RawClient probe = RawClient.connect(port)) {
            return false;
        } catch (ConnectException refused) {
            return true;
        } catch (IOException other) {
            throw new IllegalStateException(other);
        }
    }
}

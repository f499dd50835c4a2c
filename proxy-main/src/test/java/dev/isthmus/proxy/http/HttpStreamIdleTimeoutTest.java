package dev.isthmus.proxy.http;

import dev.isthmus.proxy.testing.Eventually;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The stream idle timeout: an exchange on which nothing moves either way for {@code stream_idle_timeout} ends, so a
 * peer that goes silent mid-exchange cannot hold a client and an upstream connection forever (the keep-alive idle
 * timeout is long here, and the route timeout counts only from the end of the request to the response head).
 * Configured at 500 ms, five times the test readers' pauses so that a loaded machine stretching a pause does not cut
 * a transfer that moves; the bounds are as in {@link HttpTimeoutTest}: not before 450 ms, within a few seconds.
 */
@Timeout(60)
final class HttpStreamIdleTimeoutTest {
    private static final Duration NOT_BEFORE = Duration.ofMillis(450);
    private static final Duration UPPER_BOUND = Duration.ofSeconds(5);
    private static final Duration READER_PAUSE = Duration.ofMillis(100);
    private static final String PARTIAL_BODY = "0123456789";

    @RegisterExtension
    final ProxyFixture fixture = new ProxyFixture();

    private HttpTestOrigin origin;

    @BeforeEach
    void start() throws Exception {
        origin = fixture.origin("o");
        origin.on("/silent", OriginScripts.hang());
        origin.on("/upload", OriginScripts.hashBody());
        origin.on("/timed/upload", OriginScripts.hashBody());
        origin.on("/stall-mid-body", exchange -> {
            exchange.readBody();
            exchange.write(OriginScripts.head(exchange, 200, "Content-Length: 100"));
            exchange.write(PARTIAL_BODY).flush();
            return OriginScripts.waitForPeerClose().respond(exchange);
        });
        fixture.start("""
                workers: 1
                listeners:
                  - name: web
                    address: 127.0.0.1:0
                    protocol: http
                    stream_idle_timeout: 500ms
                    routes:
                      - match: { prefix: /timed/ }
                        cluster: o
                        timeout: 300ms
                      - match: { prefix: /untimed/ }
                        cluster: o
                        timeout: 0s
                      - match: { prefix: / }
                        cluster: o
                clusters:
                  - { name: o, endpoints: [127.0.0.1:%d], max_connections: 1, max_pending: 4 }
                """.formatted(origin.port()));
    }

    @Test
    void anUploadLongerThanTheRouteTimeoutIsNotCutWhileItMoves() throws Exception {
        RawClient client = fixture.client();
        client.readTimeout(UPPER_BOUND);
        byte[] body = PARTIAL_BODY.getBytes(StandardCharsets.US_ASCII);
        client.send("POST /timed/upload HTTP/1.1\r\nHost: test\r\nContent-Length: " + body.length + "\r\n\r\n");
        // 10 x 100 ms: more than three route timeouts, never a stream idle timeout. The pace is the behaviour under
        // test, not a synchronization.
        for (byte b : body) {
            Thread.sleep(READER_PAUSE);
            client.send(new byte[] {b});
        }
        RawResponse response = client.read("POST");
        assertEquals(200, response.status(),
                () -> "the route timeout counts from the end of the request:\n" + response);
        assertTrue(response.bodyText().endsWith(":10"), response::toString);
    }

    /** {@code timeout: 0s} turns the route timeout off: the stream idle timeout still bounds a silent upstream. */
    @Test
    void withoutARouteTimeoutASilentUpstreamGets504AfterTheStreamIdleTimeout() throws Exception {
        origin.on("/untimed/silent", OriginScripts.hang());
        RawClient client = fixture.client();
        client.readTimeout(UPPER_BOUND);
        long start = System.nanoTime();
        RawResponse response = client.get("/untimed/silent");
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        ErrorResponses.assertError(response, 504);
        assertEquals("upstream sent no response for 500 ms\n", response.bodyText());
        assertTrue(elapsed.compareTo(NOT_BEFORE) >= 0, "504 after " + elapsed);
    }

    @Test
    void anUpstreamThatStallsMidBodyHasTheClientConnectionCut() throws Exception {
        RawClient client = fixture.client();
        client.readTimeout(UPPER_BOUND);
        long start = System.nanoTime();
        client.send(RawClient.head("GET", "/stall-mid-body"));
        String received = new String(client.readUntilClosed(), StandardCharsets.ISO_8859_1);
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        assertTrue(received.startsWith("HTTP/1.1 200 "), received);
        assertTrue(received.endsWith("\r\n\r\n" + PARTIAL_BODY),
                () -> "the 10 bytes that came, then the close: " + received);
        assertTrue(elapsed.compareTo(NOT_BEFORE) >= 0, "cut after " + elapsed);
        awaitOriginConnectionClosed();
    }

    @Test
    void aClientThatStopsReadingIsCutAndTheUpstreamIsNotBlamed() throws Exception {
        AtomicBoolean originWriteFailed = new AtomicBoolean();
        origin.on("/endless", exchange -> {
            exchange.readBody();
            exchange.write(OriginScripts.head(exchange, 200, "Content-Length: " + (1L << 40)));
            byte[] block = new byte[64 * 1024];
            try {
                while (true) {
                    exchange.write(block);
                }
            } catch (IOException closedByProxy) {
                originWriteFailed.set(true);
            }
            return HttpTestOrigin.After.DONE;
        });
        RawClient client = fixture.client();
        client.send(RawClient.head("GET", "/endless"));
        // The client reads nothing: socket buffers fill, nothing moves, and the stall check must end the exchange.
        Eventually.await("the proxy closed the upstream connection of a client that stopped reading", UPPER_BOUND,
                originWriteFailed::get);
        assertEquals(0, fixture.listener().httpStat(HttpStats::upstreamFailures),
                "a client that stops reading is not the upstream's failure");
        client.readTimeout(UPPER_BOUND);
        client.readUntilClosed();
    }

    @Test
    void aClientThatStallsMidUploadGets408() throws Exception {
        RawClient client = fixture.client();
        client.readTimeout(UPPER_BOUND);
        long start = System.nanoTime();
        client.send("POST /upload HTTP/1.1\r\nHost: test\r\nContent-Length: 100\r\n\r\n" + PARTIAL_BODY);
        RawResponse response = client.read("POST");
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        ErrorResponses.assertError(response, 408);
        assertTrue(response.closes(), response::toString);
        client.assertClosedByPeer();
        assertTrue(elapsed.compareTo(NOT_BEFORE) >= 0, "408 after " + elapsed);
        awaitOriginConnectionClosed();
    }

    @Test
    void aRequestQueuedBehindABusyConnectionGets503WhileTheSteadyTransferGoesOn() throws Exception {
        long size = 24L * 1024 * 1024;
        origin.on("/download", OriginScripts.streamed(7, size));
        RawClient downloader = fixture.client();
        downloader.readTimeout(UPPER_BOUND);
        downloader.send(RawClient.head("GET", "/download"));
        HttpHead head = downloader.readHead();
        InputStream body = downloader.bodyStream(head, "GET");

        RawClient queued = fixture.client();
        queued.readTimeout(UPPER_BOUND);
        queued.send(RawClient.head("GET", "/never-dispatched"));

        byte[] slice = new byte[1024 * 1024];
        long total = 0;
        // The reader's pauses stay under the timeout, so this transfer always moves and holds the only connection
        // for seconds: the queued request waits far longer than 500 ms without anything happening to it.
        for (int n; (n = body.readNBytes(slice, 0, slice.length)) > 0; ) {
            total += n;
            Thread.sleep(READER_PAUSE);
        }
        assertEquals(size, total, "a slow but steady transfer is never cut");
        RawResponse response = queued.read("GET");
        ErrorResponses.assertError(response, 503);
        assertEquals(1, origin.requests().size(), "the queued request never reached the origin: " + origin.requests());
    }

    private void awaitOriginConnectionClosed() throws InterruptedException {
        Eventually.await("the proxy closed the stalled upstream connection", UPPER_BOUND,
                () -> origin.connections().getFirst().peer() != OriginConnection.PeerState.OPEN);
    }
}

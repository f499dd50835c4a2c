package dev.isthmus.proxy.http;

import dev.isthmus.proxy.config.ConfigLoader;
import dev.isthmus.proxy.server.ReloadRefusedException;
import dev.isthmus.proxy.testing.Eventually;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A reload (SIGHUP) of routes, clusters and listeners into a running proxy: new requests follow the new config on
 * the connections they came on, exchanges under way finish where they started, an unchanged cluster keeps its warm
 * connections, listeners open and drain by name, and what cannot be applied is refused whole.
 */
@Timeout(60)
final class HttpReloadTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String ONE_CLUSTER = """
            workers: 1
            listeners:
              - name: web
                address: 127.0.0.1:0
                protocol: http
                routes:
            %s
                  - match: { prefix: / }
                    cluster: %s
            clusters:
              - { name: %s, endpoints: [127.0.0.1:%d]%s }
            """;

    @RegisterExtension
    final ProxyFixture fixture = new ProxyFixture();

    private static String config(String extraRoutes, String cluster, int port, String clusterKeys) {
        return ONE_CLUSTER.formatted(extraRoutes.indent(6).stripTrailing(), cluster, cluster, port, clusterKeys);
    }

    private static String listenerKeys(String yaml, String... keys) {
        return yaml.replace("protocol: http\n", "protocol: http\n    " + String.join("\n    ", keys) + "\n");
    }

    private void reload(String yaml) throws Exception {
        fixture.proxy().reload(new ConfigLoader().parse("reload.yaml", yaml));
    }

    @Test
    void theNextRequestOnTheSameConnectionFollowsTheNewRoutesAndClusters() throws Exception {
        HttpTestOrigin x = fixture.origin("x");
        HttpTestOrigin y = fixture.origin("y");
        fixture.start(config("", "a", x.port(), ""));
        RawClient client = fixture.client();
        assertEquals("x GET /one\n", client.get("/one").bodyText());
        reload(config("""
                - match: { path: /hello }
                  direct_response: { status: 200, body: "reloaded\\n" }""", "b", y.port(), ""));
        assertEquals("y GET /two\n", client.get("/two").bodyText());
        assertEquals("reloaded\n", client.get("/hello").bodyText());
        assertEquals(1, x.requests().size());
    }

    @Test
    void aClusterThatDidNotChangeKeepsItsPooledConnection() throws Exception {
        HttpTestOrigin x = fixture.origin("x");
        fixture.start(config("", "a", x.port(), ""));
        RawClient client = fixture.client();
        assertEquals(200, client.get("/before").status());
        reload(config("""
                - match: { path: /hello }
                  direct_response: { status: 200, body: "new route\\n" }""", "a", x.port(), ""));
        assertEquals("x GET /after\n", client.get("/after").bodyText());
        assertEquals(1, x.acceptedCount(), "the pooled upstream connection went on after the reload");
    }

    @Test
    void aChangedClusterClosesItsIdleConnectionsAndConnectsAgain() throws Exception {
        HttpTestOrigin x = fixture.origin("x");
        fixture.start(config("", "a", x.port(), ""));
        RawClient client = fixture.client();
        assertEquals(200, client.get("/before").status());
        reload(config("", "a", x.port(), ", max_connections: 7"));
        Eventually.await("the retired pool's idle connection closed", WAIT,
                () -> x.connections().getFirst().peer() == OriginConnection.PeerState.EOF);
        assertEquals("x GET /after\n", client.get("/after").bodyText());
        assertEquals(2, x.acceptedCount());
    }

    @Test
    void anExchangeUnderWayFinishesOnTheClusterItStartedWithWhoseConnectionThenCloses() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        HttpTestOrigin x = fixture.origin("x");
        HttpTestOrigin y = fixture.origin("y");
        x.on("/slow", OriginScripts.after(release, OriginScripts.text(200, "finished on x")));
        fixture.start(config("", "a", x.port(), ""));
        RawClient busy = fixture.client();
        busy.send(RawClient.head("GET", "/slow"));
        Eventually.await("the slow request reached x", WAIT, () -> x.requests().size() == 1);

        reload(config("", "b", y.port(), ""));
        assertEquals("y GET /meanwhile\n", fixture.client().get("/meanwhile").bodyText());
        release.countDown();
        assertEquals("finished on x", busy.read().bodyText());
        Eventually.await("x's connection closed instead of going back to a retired pool", WAIT,
                () -> x.connections().getFirst().peer() == OriginConnection.PeerState.EOF);
        assertEquals("y GET /next\n", busy.get("/next").bodyText());
    }

    private static final String WEB_AND = """
            workers: 1
            listeners:
              - name: web
                address: 127.0.0.1:0
                routes:
                  - match: { prefix: / }
                    direct_response: { status: 200, body: "%s" }
            %s""";

    private static String listener(String name, String address, String body) {
        return """
                - name: %s
                  address: %s
                  routes:
                    - match: { prefix: / }
                      direct_response: { status: 200, body: "%s" }
                """.formatted(name, address, body).indent(2);
    }

    @Test
    void aReloadOpensAnAddedListenerAndDrainsARemovedOne() throws Exception {
        fixture.start(WEB_AND.formatted("web", listener("extra", "127.0.0.1:0", "extra")));
        int extraPort = fixture.proxy().port("extra");
        RawClient idle = fixture.closeLater(RawClient.connect(extraPort));
        assertEquals("extra", idle.get("/").bodyText());

        reload(WEB_AND.formatted("web", listener("third", "127.0.0.1:0", "third")));
        idle.assertClosedByPeer();
        Eventually.await("the removed listener's port closed", WAIT, () -> refuses(extraPort));
        assertThrows(IllegalArgumentException.class, () -> fixture.proxy().port("extra"));
        try (RawClient client = RawClient.connect(fixture.proxy().port("third"))) {
            assertEquals("third", client.get("/").bodyText());
        }
        assertEquals("web", fixture.client().get("/").bodyText());
    }

    @Test
    void aListenerThatCannotOpenRefusesTheWholeReloadAndClosesTheOnesItOpened() throws Exception {
        fixture.start(WEB_AND.formatted("before", ""));
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String next = WEB_AND.formatted("after", listener("opens", "127.0.0.1:0", "a")
                    + listener("taken", "127.0.0.1:" + taken.getLocalPort(), "b"));
            ReloadRefusedException refused = assertThrows(ReloadRefusedException.class, () -> reload(next));
            assertTrue(refused.getMessage().contains("EADDRINUSE"), refused.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> fixture.proxy().port("opens"));
        assertEquals("before", fixture.client().get("/").bodyText());
    }

    private static boolean refuses(int port) {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return false;
        } catch (ConnectException e) {
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void aReloadedIdleTimeoutClosesTheNextIdleConnection() throws Exception {
        HttpTestOrigin x = fixture.origin("x");
        String running = config("", "a", x.port(), "");
        fixture.start(running);
        reload(listenerKeys(running, "idle_timeout: 200ms", "request_head_timeout: 5s"));
        RawClient client = fixture.client();
        assertEquals(200, client.get("/then-idle").status());
        client.assertClosedByPeer();
    }

    /** A keep-alive connection opened before the reload moves its next body by the new splice threshold. */
    @Test
    void aReloadedSpliceThresholdAppliesToTheNextBodyOnAKeptConnection() throws Exception {
        int size = 256 * 1024;
        HttpTestOrigin x = fixture.origin("x");
        x.on("/big", OriginScripts.streamed(1, size));
        String relayed = listenerKeys(config("", "a", x.port(), ""), "splice_threshold_bytes: 1MiB");
        fixture.start(relayed);
        RawClient client = fixture.client();
        assertEquals(size, client.get("/big").body().length);
        assertEquals(0, fixture.listener().httpStat(HttpStats::bytesSpliced), "below 1 MiB: relayed");
        reload(relayed.replace("splice_threshold_bytes: 1MiB", "splice_threshold_bytes: 64KiB"));
        assertEquals(size, client.get("/big").body().length);
        // All but what came in with the head (at most one response chunk). The counter moves on the reactor thread as
        // the bytes go, which may be a moment after the client has them.
        Eventually.await("the body after the reload spliced", WAIT,
                () -> fixture.listener().httpStat(HttpStats::bytesSpliced) >= size - ChunkPools.RESPONSE_CHUNK);
    }

    @Test
    void aReloadedMaxConnectionsLetsAWaitingClientIn() throws Exception {
        HttpTestOrigin x = fixture.origin("x");
        String oneAtATime = listenerKeys(config("", "a", x.port(), ""), "max_connections: 1");
        fixture.start(oneAtATime);
        RawClient first = fixture.client();
        assertEquals(200, first.get("/first").status());
        RawClient second = fixture.client();
        second.send(RawClient.head("GET", "/second"));
        reload(oneAtATime.replace("max_connections: 1", "max_connections: 2"));
        assertEquals("x GET /second\n", second.read().bodyText(), "accepted while the first client stays");
        assertEquals(200, first.get("/first-again").status());
    }

    @Test
    void aChangeOnlyARestartCanMakeIsRefusedAndNothingChanges() throws Exception {
        HttpTestOrigin x = fixture.origin("x");
        HttpTestOrigin y = fixture.origin("y");
        String running = config("", "a", x.port(), "");
        fixture.start(running);
        String fewerHeaders = listenerKeys(config("", "b", y.port(), ""), "max_headers: 50");
        ReloadRefusedException refused = assertThrows(ReloadRefusedException.class, () -> reload(fewerHeaders));
        assertEquals("listener web: max_headers changed (restart to apply)", refused.getMessage());
        ReloadRefusedException workers = assertThrows(ReloadRefusedException.class,
                () -> reload(running.replace("workers: 1", "workers: 2")));
        assertTrue(workers.getMessage().startsWith("workers: 2 in the new config, 1 running"), workers.getMessage());
        ReloadRefusedException pipes = assertThrows(ReloadRefusedException.class,
                () -> reload(running.replace("workers: 1", "workers: 1\nsplice_pipe_bytes: 256KiB")));
        assertEquals("splice_pipe_bytes: 262144 in the new config, auto running (restart to apply)",
                pipes.getMessage());
        ReloadRefusedException pinning = assertThrows(ReloadRefusedException.class,
                () -> reload(running.replace("workers: 1", "workers: 1\npin_workers: true")));
        assertEquals("pin_workers: true in the new config, false running (restart to apply)", pinning.getMessage());
        assertEquals("x GET /still\n", fixture.client().get("/still").bodyText());
    }
}

package dev.isthmus.proxy.http;

import dev.isthmus.proxy.testing.Eventually;
import dev.isthmus.proxy.testing.RefusingPort;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 4, clusters as the HTTP proxy uses them: load balancing, pooled connection lifetime, connect timeout, failed
 * connects retried on another endpoint and the failed endpoint ejected.
 */
@Timeout(60)
final class HttpClusterTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final int FILLER_CONNECT_TIMEOUT_MS = 300;
    private static final int MAX_FILLERS = 8;
    private static final int RANDOM_REQUESTS = 40;

    @RegisterExtension
    final ProxyFixture fixture = new ProxyFixture();

    @Test
    void roundRobinAlternatesBetweenEndpoints() throws Exception {
        HttpTestOrigin x = fixture.origin("x");
        HttpTestOrigin y = fixture.origin("y");
        startPair("round_robin", x, y);
        RawClient client = fixture.client();
        for (int i = 0; i < 6; i++) {
            assertEquals(200, client.get("/rr/" + i).status());
        }
        assertEquals(3, x.requests().size(), "x got " + x.requests());
        assertEquals(3, y.requests().size(), "y got " + y.requests());
    }

    @Test
    void leastRequestAvoidsTheEndpointBusyWithASlowRequest() throws Exception {
        HttpTestOrigin x = fixture.origin("x");
        HttpTestOrigin y = fixture.origin("y");
        x.on("/slow", OriginScripts.hang());
        y.on("/slow", OriginScripts.hang());
        startPair("least_request", x, y);
        RawClient slow = fixture.client();
        slow.send(RawClient.head("GET", "/slow"));
        Eventually.await("the slow request reached an endpoint", WAIT,
                () -> x.requests().size() + y.requests().size() == 1);
        HttpTestOrigin idle = x.requests().isEmpty() ? x : y;
        RawClient client = fixture.client();
        for (int i = 0; i < 10; i++) {
            assertEquals(idle.name() + " GET /fast/" + i + "\n", client.get("/fast/" + i).bodyText());
        }
    }

    @Test
    void randomUsesEveryEndpoint() throws Exception {
        HttpTestOrigin x = fixture.origin("x");
        HttpTestOrigin y = fixture.origin("y");
        startPair("random", x, y);
        RawClient client = fixture.client();
        for (int i = 0; i < RANDOM_REQUESTS; i++) {
            assertEquals(200, client.get("/random/" + i).status());
        }
        // All 40 on one endpoint has probability 2^-39: a failure here means the choice is not random.
        assertTrue(x.requests().size() > 0 && y.requests().size() > 0,
                "x got " + x.requests().size() + ", y got " + y.requests().size());
    }

    private void startPair(String lb, HttpTestOrigin x, HttpTestOrigin y) throws Exception {
        startCluster("endpoints: [127.0.0.1:%d, 127.0.0.1:%d]\nlb: %s\n".formatted(x.port(), y.port(), lb));
    }

    /** One listener that sends every request to the cluster {@code pair}, given by its keys after the name. */
    private void startCluster(String clusterKeys) throws Exception {
        fixture.start("""
                workers: 1
                listeners:
                  - name: web
                    address: 127.0.0.1:0
                    protocol: http
                    routes:
                      - match: { prefix: / }
                        cluster: pair
                clusters:
                  - name: pair
                """ + clusterKeys.indent(4));
    }

    @Test
    void aPendingRequestIsServedWhenTheConnectionFrees() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        HttpTestOrigin origin = fixture.origin("o");
        origin.on("/gate", OriginScripts.after(release, OriginScripts.text(200, "opened")));
        startCluster("endpoints: [127.0.0.1:%d]\nmax_connections: 1\nmax_pending: 2\n".formatted(origin.port()));
        RawClient holder = fixture.client();
        holder.send(RawClient.head("GET", "/gate"));
        Eventually.await("the gate request holds the only connection", WAIT, () -> origin.requests().size() == 1);
        RawClient queued = fixture.client();
        queued.send(RawClient.head("GET", "/queued"));
        Eventually.await("the request queued", WAIT, () -> fixture.listener().httpStat(HttpStats::requests) == 2);
        release.countDown();
        assertEquals("opened", holder.read().bodyText());
        assertEquals("o GET /queued\n", queued.read().bodyText());
        fixture.drain();
        assertEquals(List.of("/gate", "/queued"), origin.requests().stream().map(OriginRequest::target).toList(),
                "one connection served both in turn");
        assertEquals(1, origin.acceptedCount());
    }

    @Test
    void atMaxConnectionsAnIdleConnectionToAnotherEndpointMakesRoomInsteadOfQueueing() throws Exception {
        HttpTestOrigin x = fixture.origin("x");
        HttpTestOrigin y = fixture.origin("y");
        startCluster("endpoints: [127.0.0.1:%d, 127.0.0.1:%d]\nlb: round_robin\nmax_connections: 1\n"
                .formatted(x.port(), y.port()));
        RawClient client = fixture.client();
        for (int i = 0; i < 4; i++) {
            // The only connection sits idle to the endpoint the last request went to; this one is for the other.
            RawResponse response = client.get("/turn/" + i);
            assertEquals(200, response.status(), response::toString);
        }
        assertEquals(2, x.requests().size(), "x got " + x.requests());
        assertEquals(2, y.requests().size(), "y got " + y.requests());
        assertEquals(2, x.acceptedCount(), "each turn to x needed a new connection: the idle one went to y");
    }

    @Test
    void pendingRequestsWaitForAFreeConnectionAndOverflowIs503() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        HttpTestOrigin origin = fixture.origin("o");
        origin.on("/gate", OriginScripts.after(release, OriginScripts.text(200, "opened")));
        startCluster("endpoints: [127.0.0.1:%d]\nmax_connections: 1\nmax_pending: 2\n".formatted(origin.port()));
        RawClient holder = fixture.client();
        holder.send(RawClient.head("GET", "/gate"));
        Eventually.await("the gate request holds the only connection", WAIT, () -> origin.requests().size() == 1);
        RawClient queued = fixture.client();
        queued.send(RawClient.head("GET", "/queued"));
        RawClient abandoned = fixture.client();
        abandoned.send(RawClient.head("GET", "/abandoned"));
        RawClient overflow = fixture.client();
        // The two queued requests fill max_pending only once the proxy has read them; a 200 here would mean a
        // second connection was opened, anything else but 503 is wrong too.
        Eventually.await("both requests queued", WAIT, () -> fixture.listener().httpStat(HttpStats::requests) == 3);
        ErrorResponses.assertError(overflow.get("/overflow"), 503);
        abandoned.reset();
        release.countDown();
        assertEquals("opened", holder.read().bodyText());
        assertEquals("o GET /queued\n", queued.read().bodyText());
        fixture.drain();
        assertEquals(List.of("/gate", "/queued"), origin.requests().stream().map(OriginRequest::target).toList(),
                "the abandoned request left the queue with its client");
        assertEquals(1, origin.acceptedCount());
    }

    @Test
    void idlePooledConnectionsAreClosedAfterTheClusterIdleTimeout() throws Exception {
        HttpTestOrigin origin = fixture.origin("o");
        startCluster("endpoints: [127.0.0.1:%d]\nidle_timeout: 300ms\n".formatted(origin.port()));
        RawClient client = fixture.client();
        assertEquals(200, client.get("/first").status());
        Eventually.await("the proxy closed its idle upstream connection", WAIT,
                () -> origin.connections().getFirst().peer() != OriginConnection.PeerState.OPEN);
        assertEquals("o GET /second\n", client.get("/second").bodyText());
        assertEquals(2, origin.acceptedCount());
    }

    @Test
    void connectTimeoutIs504() throws Exception {
        try (ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            fillAcceptQueue(full);
            fixture.start("""
                    workers: 1
                    listeners:
                      - name: web
                        address: 127.0.0.1:0
                        protocol: http
                        routes:
                          - match: { path: /direct }
                            direct_response: { status: 200, body: "direct\\n" }
                          - match: { prefix: / }
                            cluster: blackhole
                    clusters:
                      - name: blackhole
                        endpoints: [127.0.0.1:%d]
                        connect_timeout: 300ms
                    """.formatted(full.getLocalPort()));
            RawClient client = fixture.client();
            long start = System.nanoTime();
            RawResponse response = client.get("/x");
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            ErrorResponses.assertError(response, 504);
            assertTrue(elapsed.toMillis() >= 250, "504 after " + elapsed + ", connect_timeout is 300ms");
            ErrorResponses.assertConnectionHonest(response, client, "/direct");
        }
    }

    @Test
    void aDeadEndpointIsRetriedPastThenEjectedSoEveryRequestSucceeds() throws Exception {
        HttpTestOrigin live = fixture.origin("live");
        int deadPort = closedPort();
        startCluster("endpoints: [127.0.0.1:%d, 127.0.0.1:%d]\n".formatted(deadPort, live.port()));
        RawClient client = fixture.client();
        for (int i = 0; i < 10; i++) {
            RawResponse response = client.get("/r/" + i);
            assertEquals("live GET /r/" + i + "\n", response.bodyText(), response::toString);
        }
        assertEquals(1, fixture.listener().upstreamFailures(),
                "one refused connect, then the dead endpoint is ejected instead of tried on every other request");
        assertEquals(0, fixture.proxyErrors(502));
    }

    @Test
    void withEjectionOffEveryOtherRequestStillFindsTheLiveEndpoint() throws Exception {
        HttpTestOrigin live = fixture.origin("live");
        int deadPort = closedPort();
        startCluster("endpoints: [127.0.0.1:%d, 127.0.0.1:%d]\nejection_time: 0s\n".formatted(deadPort, live.port()));
        RawClient client = fixture.client();
        for (int i = 0; i < 6; i++) {
            assertEquals(200, client.get("/r/" + i).status());
        }
        assertEquals(6, fixture.listener().upstreamFailures(),
                "round robin over two endpoints: every request tries the dead one first, then the live one");
    }

    @Test
    void whenEveryEndpointIsDeadTheClientGetsA502NamingTheLastCause() throws Exception {
        startCluster("endpoints: [127.0.0.1:%d, 127.0.0.1:%d, 127.0.0.1:%d, 127.0.0.1:%d]\n"
                .formatted(closedPort(), closedPort(), closedPort(), closedPort()));
        RawClient client = fixture.client();
        RawResponse response = client.get("/x");
        ErrorResponses.assertError(response, 502);
        assertTrue(response.bodyText().contains("ECONNREFUSED"), response::bodyText);
        assertFalse(response.bodyText().contains("127.0.0.1"), response::bodyText);
        assertEquals(3, fixture.listener().upstreamFailures(), "three endpoints tried, not all four");
        ErrorResponses.assertError(fixture.client().get("/y"), 502);
    }

    private int closedPort() throws IOException {
        return fixture.closeLater(RefusingPort.open()).port();
    }

    /**
     * Linux drops a SYN while the listener's accept queue is full, so a connect to it neither succeeds nor fails until
     * the connector gives up: a reliable local stand-in for an unreachable host. Fill it until a connect times out.
     */
    private void fillAcceptQueue(ServerSocket server) throws IOException {
        for (int i = 0; i < MAX_FILLERS; i++) {
            Socket filler = fixture.closeLater(new Socket());
            try {
                filler.connect(new InetSocketAddress(server.getInetAddress(), server.getLocalPort()),
                        FILLER_CONNECT_TIMEOUT_MS);
            } catch (SocketTimeoutException full) {
                return;
            }
        }
        throw new IllegalStateException("the accept queue never filled up");
    }
}

package dev.isthmus.proxy.http;

import dev.isthmus.proxy.http.HttpTestOrigin.After;
import dev.isthmus.proxy.testing.Eventually;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 4, connection management: keep-alive on both sides, HTTP/1.0, pipelining, Connection: close both ways. */
@Timeout(60)
final class HttpConnectionTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    final ProxyFixture fixture = new ProxyFixture();

    private HttpTestOrigin origin;

    @BeforeEach
    void start() throws Exception {
        origin = fixture.origin("o");
        fixture.start("""
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
    }

    @Test
    void sequentialRequestsOfOneClientShareOneUpstreamConnection() throws Exception {
        RawClient client = fixture.client();
        for (int i = 0; i < 10; i++) {
            RawResponse response = client.get("/seq/" + i);
            assertEquals(200, response.status());
            assertEquals("o GET /seq/" + i + "\n", response.bodyText());
        }
        assertEquals(1, origin.acceptedCount(), "one upstream connection for ten sequential requests");
        assertEquals(10, origin.connections().getFirst().requests().size());
    }

    @Test
    void anIdlePooledUpstreamConnectionServesTheNextClient() throws Exception {
        try (RawClient first = RawClient.connect(fixture.port())) {
            assertEquals(200, first.get("/first").status());
        }
        try (RawClient second = RawClient.connect(fixture.port())) {
            assertEquals("o GET /second\n", second.get("/second").bodyText());
        }
        assertEquals(1, origin.acceptedCount(), "the second client reused the pooled upstream connection");
    }

    @Test
    void http10ClientWithoutKeepAliveGetsItsResponseThenTheConnectionCloses() throws Exception {
        RawClient client = fixture.client();
        client.send("GET /old HTTP/1.0\r\n\r\n");
        RawResponse response = client.read();
        assertEquals(200, response.status());
        assertEquals("o GET /old\n", response.bodyText());
        if (response.framing() != RawResponse.Framing.CLOSE_DELIMITED) {
            client.assertClosedByPeer();
        }
    }

    @Test
    void http10ClientAskingForKeepAliveKeepsItsConnection() throws Exception {
        RawClient client = fixture.client();
        for (int i = 0; i < 3; i++) {
            client.send("GET /ka/" + i + " HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            RawResponse response = client.read();
            assertEquals(200, response.status());
            assertEquals("o GET /ka/" + i + "\n", response.bodyText());
            assertTrue(response.head().hasToken("Connection", "keep-alive"),
                    () -> "an HTTP/1.0 client only keeps the connection when told keep-alive:\n" + response);
        }
    }

    @Test
    void http10RequestsAreForwardedAsHttp11WithAHost() throws Exception {
        RawClient client = fixture.client();
        client.send("GET /old-ka HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        assertEquals(200, client.read().status());
        OriginRequest forwarded = origin.lastRequest();
        assertEquals("GET /old-ka HTTP/1.1", forwarded.head().startLine(),
                "RFC 9110 §6.2: a proxy forwards with its own version (which also keeps the upstream persistent)");
        assertEquals("127.0.0.1:" + origin.port(), forwarded.header("Host"), "HTTP/1.1 needs a Host: the endpoint's");
        client.send("GET /old-host HTTP/1.0\r\nHost: www.example\r\n\r\n");
        assertEquals(200, client.read().status());
        assertEquals("www.example", origin.lastRequest().header("Host"));
    }

    @Test
    void aLaterMinorVersionIsServedAsHttp11() throws Exception {
        RawClient client = fixture.client();
        client.send("GET /v12 HTTP/1.2\r\nHost: test\r\n\r\n");
        RawResponse response = client.read();
        assertEquals(200, response.status(), "RFC 9110 §2.5: not a 505");
        assertEquals("GET /v12 HTTP/1.1", origin.lastRequest().head().startLine());
    }

    @Test
    void upgradeInAnHttp10RequestIsIgnored() throws Exception {
        RawClient client = fixture.client();
        client.send("GET /up HTTP/1.0\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n");
        assertEquals(200, client.read().status());
        HttpHead forwarded = origin.lastRequest().head();
        assertFalse(forwarded.has("Upgrade"), forwarded::rawText);
        assertFalse(forwarded.hasToken("Connection", "upgrade"), forwarded::rawText);
    }

    @Test
    void anHttp10ClientGetsAChunkedResponseDeChunkedAndDelimitedByTheClose() throws Exception {
        origin.on("/chunked-anyway", OriginScripts.chunked(List.of("hello", ", ", "world"), "X-Trailer: dropped"));
        RawClient client = fixture.client();
        client.send("GET /chunked-anyway HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        String raw = new String(client.readUntilClosed(), StandardCharsets.ISO_8859_1);
        int bodyStart = raw.indexOf("\r\n\r\n") + 4;
        String head = raw.substring(0, bodyStart).toLowerCase(Locale.ROOT);
        assertTrue(raw.startsWith("HTTP/1.1 200 "), raw);
        assertFalse(head.contains("transfer-encoding"), () -> "HTTP/1.0 has no transfer codings:\n" + raw);
        assertTrue(head.contains("connection: close"), raw);
        assertEquals("hello, world", raw.substring(bodyStart), "the chunk data alone, delimited by the close");
    }

    @Test
    void anHttp10ClientNeverGetsTransferEncodingNotEvenOnABodilessResponse() throws Exception {
        origin.on("/head-chunked", OriginScripts.raw(
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n", After.KEEP_ALIVE));
        RawClient client = fixture.client();
        client.send("HEAD /head-chunked HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        RawResponse response = client.read("HEAD");
        assertEquals(200, response.status(), response::toString);
        assertNull(response.header("Transfer-Encoding"), () -> "RFC 9112 §6.1:\n" + response);
        assertNull(response.header("Trailer"), () -> "no trailer section goes to an HTTP/1.0 client:\n" + response);
    }

    @Test
    void aTransferCodingAnHttp10ClientCannotReceiveIsA502() throws Exception {
        origin.on("/gzip-chunked", OriginScripts.raw(
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n8\r\nGZIPDATA\r\n0\r\n\r\n",
                After.KEEP_ALIVE));
        origin.on("/gzip-close", OriginScripts.raw("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nGZIPDATA",
                After.CLOSE));
        for (String path : List.of("/gzip-chunked", "/gzip-close")) {
            RawClient client = fixture.client();
            client.send("GET " + path + " HTTP/1.0\r\n\r\n");
            RawResponse response = client.read("GET");
            ErrorResponses.assertError(response, 502);
            assertNull(response.header("Transfer-Encoding"), response::toString);
        }
        RawClient http11 = fixture.client();
        RawResponse coded = http11.get("/gzip-chunked");
        assertEquals(200, coded.status(), "an HTTP/1.1 client gets the coding as it came:\n" + coded);
        assertEquals("gzip, chunked", coded.header("Transfer-Encoding"));
    }

    @Test
    void anHttp10ResponseIsForwardedWithTheProxysOwnVersion() throws Exception {
        origin.on("/old-origin", OriginScripts.raw("HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nold",
                After.CLOSE));
        RawClient client = fixture.client();
        RawResponse response = client.get("/old-origin");
        assertEquals("HTTP/1.1 200 OK", response.head().startLine(),
                () -> "RFC 9110 §6.2: an intermediary sends its own HTTP-version:\n" + response);
        assertEquals("old", response.bodyText());
        assertEquals(200, client.get("/after").status(), "the client connection stays persistent");
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        origin.on("/big", OriginScripts.streamed(7, 1 << 20));
        RawClient client = fixture.client();
        client.send(RawClient.head("GET", "/big")
                + RawClient.head("GET", "/p2")
                + "POST /p3 HTTP/1.1\r\nHost: test\r\nContent-Length: 5\r\n\r\nhello"
                + RawClient.head("HEAD", "/p4")
                + RawClient.head("GET", "/p5"));
        RawResponse big = client.read();
        assertEquals(200, big.status());
        assertEquals(1 << 20, big.body().length);
        assertEquals("o GET /p2\n", client.read().bodyText());
        assertEquals("o POST /p3\n", client.read().bodyText());
        RawResponse head = client.read("HEAD");
        assertEquals(200, head.status());
        assertEquals("o GET /p5\n", client.read().bodyText());
        assertEquals("hello", origin.requests().stream().filter(r -> r.target().equals("/p3")).findFirst()
                .orElseThrow().bodyText());
    }

    @Test
    void aBadRequestPipelinedBehindAGoodOneIsAnsweredInTurnAndEndsTheConnection() throws Exception {
        RawClient client = fixture.client();
        client.send(RawClient.head("GET", "/good") + "GET /bad HTTP/1.1\r\nHost: test\r\nContent-Length: 1, 2\r\n\r\n"
                + RawClient.head("GET", "/never"));
        assertEquals("o GET /good\n", client.read().bodyText());
        RawResponse rejected = client.read();
        ErrorResponses.assertError(rejected, 400);
        assertTrue(rejected.closes(), rejected::toString);
        client.assertClosedByPeer();
        fixture.drain();
        assertEquals(List.of("/good"), origin.requests().stream().map(OriginRequest::target).toList());
    }

    @Test
    void clientConnectionCloseGetsCloseAndTheConnectionEnds() throws Exception {
        RawClient client = fixture.client();
        RawResponse response = client.get("/bye", "Connection: close");
        assertEquals(200, response.status());
        assertEquals("o GET /bye\n", response.bodyText());
        assertTrue(response.closes(), () -> "the proxy says it will close:\n" + response);
        client.assertClosedByPeer();
    }

    @Test
    void aClientThatAskedToCloseIsClosedAtOnceNotLingeredOn() throws Exception {
        RawClient client = fixture.client();
        assertEquals(200, client.get("/bye", "Connection: close").status());
        client.assertClosedByPeer();
        // The client keeps its socket open: a proxy lingering for its FIN would hold the connection to the bound.
        Eventually.await("the proxy released the connection well before its linger bound",
                Duration.ofNanos(ClientConnection.LINGER_NANOS / 2), () -> fixture.listener().activeConnections() == 0);
    }

    @Test
    void bytesBehindARequestThatAskedToCloseAreDiscardedWithoutAReset() throws Exception {
        RawClient client = fixture.client();
        // More than one read of the proxy takes: part of it is still in the socket when the response is out.
        client.send(RawClient.head("GET", "/last", "Connection: close") + RawClient.head("GET", "/never")
                + "x".repeat(64 * 1024));
        assertEquals("o GET /last\n", client.read().bodyText());
        // Closed with bytes unread, the socket would answer with a reset instead of a FIN, and a reset can destroy
        // the response before the client reads it: the proxy lingers and reads them away first.
        assertEquals(-1, client.in().read(), "a FIN, not a reset");
        fixture.drain();
        assertEquals(List.of("/last"), origin.requests().stream().map(OriginRequest::target).toList());
    }

    @Test
    void connectionOptionsAreCaseInsensitive() throws Exception {
        RawClient client = fixture.client();
        RawResponse response = client.get("/shout", "CONNECTION: CLOSE");
        assertEquals(200, response.status());
        assertTrue(response.closes(), response::toString);
        client.assertClosedByPeer();
    }

    @Test
    void originConnectionCloseRetiresThatUpstreamConnection() throws Exception {
        origin.on("/closing", OriginScripts.connectionClose("last words"));
        RawClient client = fixture.client();
        RawResponse response = client.get("/closing");
        assertEquals(200, response.status());
        assertEquals("last words", response.bodyText());
        RawClient next = client;
        if (response.closes()) {
            client.assertClosedByPeer();
            next = fixture.client();
        }
        assertEquals("o GET /after\n", next.get("/after").bodyText());
        assertEquals(2, origin.acceptedCount(), "the closed upstream connection was not reused");
        assertEquals(1, origin.connections().getFirst().requests().size());
    }

    @Test
    void anUpstreamConnectionTheOriginClosedWhileIdleIsNotReused() throws Exception {
        origin.on("/then-close", OriginScripts.raw("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", After.CLOSE));
        RawClient client = fixture.client();
        assertEquals("ok", client.get("/then-close").bodyText());
        Eventually.await("the origin closed its first connection", WAIT,
                () -> origin.connections().getFirst().finished());
        RawResponse next = client.get("/next");
        assertEquals(200, next.status(), () -> "a pooled connection the origin closed must not be used:\n" + next);
        assertEquals("o GET /next\n", next.bodyText());
        assertEquals(2, origin.acceptedCount());
    }

    @Test
    void aPostTheOriginReadOnAReusedConnectionBeforeClosingIsNotSentAgain() throws Exception {
        // The origin reads the whole POST, then closes without a word: it may have acted on it, so RFC 9112 §9.3.1
        // forbids sending it again as a keep-alive race retry would; the client gets a 502 instead.
        origin.on("/order", OriginScripts.raw("", After.CLOSE));
        RawClient client = fixture.client();
        assertEquals(200, client.get("/first").status());
        client.send("POST /order HTTP/1.1\r\nHost: test\r\nContent-Length: 5\r\n\r\nbuy=1");
        ErrorResponses.assertError(client.read("POST"), 502);
        assertEquals(1, origin.requests().stream().filter(r -> r.target().equals("/order")).count(),
                () -> "the POST reached the origin once: " + origin.requests());
    }

    @Test
    void anIdempotentRequestTheOriginDroppedOnAReusedConnectionIsRetriedOnce() throws Exception {
        origin.on("/put", OriginScripts.raw("", After.CLOSE));
        RawClient client = fixture.client();
        assertEquals(200, client.get("/first").status());
        client.send("PUT /put HTTP/1.1\r\nHost: test\r\nContent-Length: 5\r\n\r\nput=1");
        ErrorResponses.assertError(client.read("PUT"), 502);
        assertEquals(2, origin.requests().stream().filter(r -> r.target().equals("/put")).count(),
                () -> "sent again once on a fresh connection, whose close is then the answer: " + origin.requests());
    }

    @Test
    void anIdempotentRequestWhoseBodyWasStreamedIsNotSentAgainWhenTheOriginResets() throws Exception {
        // The body went on past the head's read, so the chunk no longer holds the request: there is nothing to send
        // again. The origin reads all of it and resets, which releases the body transfer before the reset is read.
        origin.on("/upload", exchange -> {
            exchange.readBody();
            exchange.reset();
            return After.DONE;
        });
        RawClient client = fixture.client();
        assertEquals(200, client.get("/first").status());
        String body = "u".repeat(200_000);
        client.send("PUT /upload HTTP/1.1\r\nHost: test\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
        ErrorResponses.assertError(client.read("PUT"), 502);
        assertEquals(1, origin.requests().stream().filter(r -> r.target().equals("/upload")).count(),
                () -> "the streamed PUT reached the origin once: " + origin.requests());
    }

    @Test
    void aHeadLargerThanOneBufferChunkButWithinTheLimitIsForwarded() throws Exception {
        String big = "b".repeat(40 * 1024);
        RawClient client = fixture.client();
        RawResponse response = client.get("/big-head", "X-Big: " + big, "X-After: 1");
        assertEquals(200, response.status(), response::toString);
        assertEquals(big, origin.lastRequest().header("X-Big"));
        assertEquals("1", origin.lastRequest().header("X-After"));
        assertEquals("o GET /after\n", client.get("/after").bodyText());
    }

    @Test
    void downstreamConnectionsAreCountedAndReleased() throws Exception {
        RawClient a = fixture.client();
        RawClient b = fixture.client();
        assertEquals(200, a.get("/a").status());
        assertEquals(200, b.get("/b").status());
        Eventually.await("two active connections", WAIT, () -> fixture.listener().activeConnections() == 2);
        a.close();
        b.close();
        Eventually.await("no active connection", WAIT, () -> fixture.listener().activeConnections() == 0);
    }
}

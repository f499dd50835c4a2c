package dev.isthmus.proxy.http;

import dev.isthmus.proxy.http.HttpTestOrigin.After;
import dev.isthmus.proxy.testing.Eventually;
import dev.isthmus.proxy.testing.Payloads;
import dev.isthmus.proxy.testing.RefusingPort;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 4, upstream failures: refused connect, resets, malformed responses (502), no capacity (503), and a client that
 * leaves mid-request (the upstream connection is closed, never pooled). Every error response is small, says why,
 * and says {@code Connection: close} exactly when the connection ends.
 */
@Timeout(60)
final class HttpUpstreamErrorTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String TOO_LARGE =
            "HTTP/1.1 413 Content Too Large\r\nContent-Length: 10\r\nConnection: close\r\n\r\ntoo large\n";

    @RegisterExtension
    final ProxyFixture fixture = new ProxyFixture();

    private HttpTestOrigin startWithOrigin(String clusterExtras) throws Exception {
        HttpTestOrigin origin = fixture.origin("o");
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
                        cluster: o
                clusters:
                  - name: o
                    endpoints: [127.0.0.1:%d]
                %s""".formatted(origin.port(), clusterExtras));
        return origin;
    }

    /** The listener of {@link #startWithOrigin}, but its cluster's only endpoint is a port nothing listens on. */
    private void startWithDeadEndpoint() throws Exception {
        int closedPort = fixture.closeLater(RefusingPort.open()).port();
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
                        cluster: nobody
                clusters:
                  - { name: nobody, endpoints: [127.0.0.1:%d] }
                """.formatted(closedPort));
    }

    @Test
    void refusedConnectIs502() throws Exception {
        startWithDeadEndpoint();
        RawClient client = fixture.client();
        RawResponse response = client.get("/x");
        ErrorResponses.assertError(response, 502);
        assertEquals(1, fixture.proxyErrors(502));
        ErrorResponses.assertConnectionHonest(response, client, "/direct");
    }

    @Test
    void aDeadUpstreamKeepsBodilessClientsConnectedAndClosesOnesWithABody() throws Exception {
        startWithDeadEndpoint();
        RawClient client = fixture.client();
        client.send(RawClient.head("GET", "/a") + RawClient.head("GET", "/b") + RawClient.head("GET", "/direct"));
        for (int i = 0; i < 2; i++) {
            RawResponse response = client.read();
            ErrorResponses.assertError(response, 502);
            assertFalse(response.closes(), () -> "an upstream's failure is not the client's:\n" + response);
        }
        assertEquals("direct\n", client.read().bodyText(), "the pipelined request after the 502s is served");
        RawClient uploader = fixture.client();
        uploader.send("POST /up HTTP/1.1\r\nHost: test\r\nContent-Length: 40\r\n\r\n");
        RawResponse refused = uploader.read("POST");
        ErrorResponses.assertError(refused, 502);
        assertTrue(refused.closes(), () -> "its unread body must not be taken for a request:\n" + refused);
        RawClient http10 = fixture.client();
        http10.send("GET /old HTTP/1.0\r\n\r\n");
        assertTrue(http10.read().closes(), "an HTTP/1.0 client is not told to keep the connection");
    }

    @Test
    void headToAFailingUpstreamGetsA502WithoutBody() throws Exception {
        HttpTestOrigin origin = startWithOrigin("");
        origin.on("/reset", OriginScripts.resetBeforeHead());
        RawClient client = fixture.client();
        RawResponse response = client.request("HEAD", "/reset");
        assertEquals(502, response.status());
        if (response.closes()) {
            assertEquals(0, client.readUntilClosed().length, "no body after the head of a HEAD response");
        } else {
            assertEquals("direct\n", client.get("/direct").bodyText(), "no body after the head of a HEAD response");
        }
    }

    @Test
    void originResetBeforeTheHeadIs502() throws Exception {
        HttpTestOrigin origin = startWithOrigin("");
        origin.on("/reset", OriginScripts.resetBeforeHead());
        RawClient client = fixture.client();
        RawResponse response = client.get("/reset");
        ErrorResponses.assertError(response, 502);
        assertEquals(1, fixture.proxyErrors(502));
        ErrorResponses.assertConnectionHonest(response, client, "/fine");
    }

    @Test
    void originResetInsideTheHeadIs502() throws Exception {
        HttpTestOrigin origin = startWithOrigin("");
        origin.on("/reset", OriginScripts.resetMidHead());
        RawClient client = fixture.client();
        RawResponse response = client.get("/reset");
        ErrorResponses.assertError(response, 502);
        assertEquals(1, fixture.proxyErrors(502));
        ErrorResponses.assertConnectionHonest(response, client, "/fine");
    }

    @Test
    void originClosingWithoutAnswerIs502() throws Exception {
        HttpTestOrigin origin = startWithOrigin("");
        origin.on("/silent", OriginScripts.raw("", After.CLOSE));
        RawClient client = fixture.client();
        RawResponse response = client.get("/silent");
        ErrorResponses.assertError(response, 502);
        assertEquals(1, fixture.proxyErrors(502));
        ErrorResponses.assertConnectionHonest(response, client, "/fine");
    }

    static Stream<Arguments> malformedResponses() {
        return Stream.of(
                Arguments.of("status code not digits", "HTTP/1.1 2OO OK\r\nContent-Length: 2\r\n\r\nok"),
                Arguments.of("status below 100", "HTTP/1.1 099 Low\r\nContent-Length: 2\r\n\r\nok"),
                Arguments.of("status above 599", "HTTP/1.1 600 High\r\nContent-Length: 2\r\n\r\nok"),
                Arguments.of("not HTTP at all", "SSH-2.0-OpenSSH_9.6\r\n\r\n"),
                Arguments.of("bare LF line endings", "HTTP/1.1 200 OK\nContent-Length: 2\n\nok"),
                Arguments.of("unsupported version", "HTTP/2.0 200 OK\r\nContent-Length: 2\r\n\r\nok"),
                Arguments.of("conflicting Content-Length",
                        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok"),
                Arguments.of("Content-Length with Transfer-Encoding",
                        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n"),
                Arguments.of("negative Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: -2\r\n\r\nok"),
                Arguments.of("field line without colon", "HTTP/1.1 200 OK\r\nBroken field\r\nContent-Length: 2\r\n\r\nok"),
                Arguments.of("obs-fold", "HTTP/1.1 200 OK\r\nX-A: 1\r\n  folded\r\nContent-Length: 2\r\n\r\nok"),
                Arguments.of("NUL in a value", "HTTP/1.1 200 OK\r\nX-A: a\0b\r\nContent-Length: 2\r\n\r\nok"),
                Arguments.of("head ends with the connection", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"));
    }

    static Stream<Arguments> bodiesFollowedByAStrayResponse() {
        // At the splice threshold, so relayed, and with its head one response chunk and more: its end is relayed.
        String relayed = "r".repeat(ChunkPools.RESPONSE_CHUNK);
        String spliced = "s".repeat(100_000);
        // "HTTP/1.1 200 OK\r\n" and "Content-Length: 64470\r\n\r\n" are 42 bytes: head and body take all a response read
        // may take of its chunk.
        String fillsTheChunk = "f".repeat(ChunkPools.RESPONSE_CHUNK - ChunkPools.REWRITE_HEADROOM - 42);
        return Stream.of(
                Arguments.of("length ending where the first read fills the chunk",
                        "Content-Length: " + fillsTheChunk.length() + "\r\n\r\n" + fillsTheChunk),
                Arguments.of("relayed length", "Content-Length: " + relayed.length() + "\r\n\r\n" + relayed),
                Arguments.of("spliced length", "Content-Length: " + spliced.length() + "\r\n\r\n" + spliced),
                Arguments.of("chunked with a spliced chunk", "Transfer-Encoding: chunked\r\n\r\n"
                        + Integer.toHexString(spliced.length()) + "\r\n" + spliced + "\r\n0\r\n\r\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bodiesFollowedByAStrayResponse")
    void bytesAfterALargeBodyRetireTheUpstreamConnection(String name, String framedBody) throws Exception {
        HttpTestOrigin origin = startWithOrigin("");
        // Response queue poisoning: a response the origin sends unasked must never answer another request.
        origin.on("/big", OriginScripts.raw("HTTP/1.1 200 OK\r\n" + framedBody
                + "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nPOISON", After.KEEP_ALIVE));
        RawClient client = fixture.client();
        // Pipelined, so the proxy looks for an upstream connection for /next the moment /big is done.
        client.send(RawClient.head("GET", "/big") + RawClient.head("GET", "/next"));
        assertEquals(200, client.read().status());
        RawResponse next = client.read();
        assertEquals("o GET /next\n", next.bodyText(), () -> "the stray response reached another request: " + next);
        assertEquals(2, origin.acceptedCount(), "the connection that sent bytes after its response was not reused");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedResponses")
    void malformedResponseIs502(String name, String response) throws Exception {
        HttpTestOrigin origin = startWithOrigin("");
        origin.on("/bad", OriginScripts.raw(response, After.CLOSE));
        RawClient client = fixture.client();
        RawResponse answer = client.get("/bad");
        ErrorResponses.assertError(answer, 502);
        assertEquals(1, fixture.proxyErrors(502));
        ErrorResponses.assertConnectionHonest(answer, client, "/fine");
    }

    @Test
    void resetAfterTheHeadWasForwardedEndsTheClientConnection() throws Exception {
        HttpTestOrigin origin = startWithOrigin("");
        CountDownLatch reset = new CountDownLatch(1);
        origin.on("/cut", OriginScripts.resetMidBody(100_000, 1000, reset));
        RawClient client = fixture.client();
        client.send(RawClient.head("GET", "/cut"));
        HttpHead head = client.readHead();
        assertEquals(200, RawResponse.statusOf(head));
        assertEquals(1000, client.in().readNBytes(1000).length);
        reset.countDown();
        // readUntilClosed fails if the connection is still open at the client's read timeout.
        assertEquals(0, client.readUntilClosed().length, "nothing after the 1000 bytes the origin sent");
        assertEquals("direct\n", fixture.client().get("/direct").bodyText(), "the proxy keeps serving");
    }

    @Test
    void anOriginResetInACloseDelimitedBodyReachesTheClientAsAReset() throws Exception {
        HttpTestOrigin origin = startWithOrigin("");
        CountDownLatch reset = new CountDownLatch(1);
        origin.on("/cut-close", OriginScripts.resetMidCloseDelimitedBody(1000, reset));
        RawClient client = fixture.client();
        client.send(RawClient.head("GET", "/cut-close"));
        assertEquals(200, RawResponse.statusOf(client.readHead()));
        assertEquals(1000, client.in().readNBytes(1000).length);
        reset.countDown();
        // A FIN would pass for the end of the body, which has no other delimiter.
        assertThrows(SocketException.class, () -> client.in().read());
    }

    @Test
    void aMalformedChunkLaterInTheResponseBodyIsCountedAsTheUpstreamsFailure() throws Exception {
        HttpTestOrigin origin = startWithOrigin("");
        CountDownLatch go = new CountDownLatch(1);
        String firstChunk = "5\r\nhello\r\n";
        origin.on("/bad-chunk", OriginScripts.inTwoParts("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + firstChunk, go, "5\r\nworldXX"));
        RawClient client = fixture.client();
        client.send(RawClient.head("GET", "/bad-chunk"));
        assertEquals(200, RawResponse.statusOf(client.readHead()));
        assertEquals(firstChunk, new String(client.in().readNBytes(firstChunk.length()), StandardCharsets.US_ASCII));
        go.countDown();
        // Part of the response is out: a reset, so that the client cannot take the cut body for a whole one.
        assertThrows(SocketException.class, () -> client.in().read());
        Eventually.await("the upstream failure counted", WAIT, () -> fixture.listener().upstreamFailures() == 1);
        assertEquals("direct\n", fixture.client().get("/direct").bodyText(), "the proxy keeps serving");
    }

    @Test
    void bytesAfterAResponseNeverBecomeTheNextClientsResponse() throws Exception {
        HttpTestOrigin origin = startWithOrigin("");
        origin.on("/poison", OriginScripts.raw("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
                + "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nevil", After.KEEP_ALIVE));
        RawClient client = fixture.client();
        assertEquals("ok", client.get("/poison").bodyText());
        RawClient other = fixture.client();
        RawResponse next = other.get("/next");
        assertEquals("o GET /next\n", next.bodyText(),
                () -> "an upstream connection with unsolicited bytes must not be reused:\n" + next);
        assertEquals("o GET /again\n", client.get("/again").bodyText());
    }

    @Test
    void anEarlyResponseDuringAnUploadReachesTheClient() throws Exception {
        startWithOrigin("").on("/early", OriginScripts.answerBeforeBody(TOO_LARGE));
        RawResponse response = uploadAndRead("/early", 8L * 1024 * 1024);
        assertEquals(413, response.status());
        assertEquals("too large\n", response.bodyText());
    }

    /**
     * The reset behind the answer fails the proxy's next body write (or comes with the answer's readiness); the
     * answer is still in the proxy's socket and must be forwarded, not replaced by a 502. Repeated: which of the
     * two the proxy sees first depends on timing.
     */
    @Test
    void anEarlyResponseFromAnOriginThatResetsBehindItReachesTheClient() throws Exception {
        startWithOrigin("").on("/early", OriginScripts.answerThenReset(TOO_LARGE));
        for (int attempt = 1; attempt <= 10; attempt++) {
            RawResponse response = uploadAndRead("/early", 8L * 1024 * 1024);
            int tried = attempt;
            assertEquals(413, response.status(), () -> "attempt " + tried + ":\n" + response);
            assertEquals("too large\n", response.bodyText());
        }
    }

    /** The reset right behind a whole response reaches the proxy with it, or before the proxy has read it. */
    @Test
    void aResponseFollowedAtOnceByAResetIsForwardedWhole() throws Exception {
        startWithOrigin("").on("/abortive", OriginScripts.answerThenReset(
                "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nwhole\n"));
        for (int attempt = 1; attempt <= 10; attempt++) {
            RawClient client = fixture.client();
            RawResponse response = client.get("/abortive");
            int tried = attempt;
            assertEquals(200, response.status(), () -> "attempt " + tried + ":\n" + response);
            assertEquals("whole\n", response.bodyText());
            client.close();
        }
    }

    /** POSTs {@code size} body bytes on a new connection while reading the response, then closes it. */
    private RawResponse uploadAndRead(String path, long size) throws Exception {
        RawClient client = fixture.client();
        client.send("POST " + path + " HTTP/1.1\r\nHost: test\r\nContent-Length: " + size + "\r\n\r\n");
        Thread uploader = Thread.ofVirtual().start(() -> {
            try {
                Payloads.write(client.out(), 1, size);
            } catch (IOException stopped) {
                // the proxy may stop reading the body once the answer is known: that is allowed
            }
        });
        RawResponse response = client.read("POST");
        client.close();
        uploader.join();
        return response;
    }

    @Test
    void aContentLengthBodyCutShortByTheOriginIsNeverPassedOffAsComplete() throws Exception {
        HttpTestOrigin origin = startWithOrigin("");
        origin.on("/short", OriginScripts.raw("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b", After.CLOSE));
        RawClient client = fixture.client();
        client.send(RawClient.head("GET", "/short"));
        HttpHead head = client.readHead();
        assertEquals(200, RawResponse.statusOf(head));
        assertEquals(100, head.contentLength());
        assertEquals("only ten b", new String(client.readUntilClosed(), StandardCharsets.US_ASCII),
                "ten bytes, then the connection ends: the client can tell the body is incomplete");
    }

    @Test
    void aChunkedBodyCutShortByTheOriginIsNeverTerminatedByTheProxy() throws Exception {
        HttpTestOrigin origin = startWithOrigin("");
        origin.on("/short-chunked", OriginScripts.raw(
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", After.CLOSE));
        RawClient client = fixture.client();
        client.send(RawClient.head("GET", "/short-chunked"));
        HttpHead head = client.readHead();
        assertEquals(200, RawResponse.statusOf(head));
        InputStream body = client.bodyStream(head, "GET");
        // A fabricated last chunk would make a truncated body look complete: the decoder must hit the end (or the
        // reset the proxy sends) instead.
        assertThrows(IOException.class, body::readAllBytes);
    }

    @Test
    void badChunkedFramingFromTheOriginAfterTheHeadEndsTheClientConnection() throws Exception {
        HttpTestOrigin origin = startWithOrigin("");
        origin.on("/bad-chunks", OriginScripts.raw("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5\r\nhello\r\nzz\r\nmore\r\n0\r\n\r\n", After.KEEP_ALIVE));
        RawClient client = fixture.client();
        client.send(RawClient.head("GET", "/bad-chunks"));
        HttpHead head = client.readHead();
        if (RawResponse.statusOf(head) == 502) {
            // Also right: a proxy that checked the framing before sending the head can still answer 502.
            ErrorResponses.assertError(new RawResponse(head, client.bodyStream(head, "GET").readAllBytes(),
                    List.of(), RawResponse.Framing.CONTENT_LENGTH), 502);
            return;
        }
        assertEquals(200, RawResponse.statusOf(head));
        InputStream body = client.bodyStream(head, "GET");
        assertThrows(IOException.class, body::readAllBytes, "the body must end without a proper last chunk");
        assertEquals(0, client.readUntilClosed().length);
    }

    @Test
    void aFinalResponseToExpectContinueIsForwardedAndTheConnectionStaysHonest() throws Exception {
        HttpTestOrigin origin = startWithOrigin("");
        origin.on("/deny", OriginScripts.answerBeforeBody(
                "HTTP/1.1 401 Unauthorized\r\nContent-Length: 7\r\n\r\ndenied\n"));
        RawClient client = fixture.client();
        client.send("POST /deny HTTP/1.1\r\nHost: test\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
        RawResponse response = client.readFinal("POST");
        assertEquals(401, response.status());
        assertEquals("denied\n", response.bodyText());
        if (response.closes()) {
            client.assertClosedByPeer();
        } else {
            // RFC 9110 §10.1.1: without a close the server reads the content, so a client sends it and goes on.
            client.send("hello");
            assertEquals("o GET /after\n", client.get("/after").bodyText());
        }
    }

    @Test
    void noUpstreamCapacityIs503() throws Exception {
        HttpTestOrigin origin = startWithOrigin("""
                    max_connections: 1
                    max_pending: 0
                """);
        origin.on("/slow", OriginScripts.hang());
        RawClient slow = fixture.client();
        slow.send(RawClient.head("GET", "/slow"));
        Eventually.await("the slow request reached the origin", WAIT, () -> origin.requests().size() == 1);
        RawClient second = fixture.client();
        RawResponse response = second.get("/fast");
        ErrorResponses.assertError(response, 503);
        assertEquals(1, fixture.proxyErrors(503));
        ErrorResponses.assertConnectionHonest(response, second, "/direct");
        assertEquals(1, origin.acceptedCount(), "max_connections held");
    }

    @Test
    void clientGoneMidRequestBodyClosesTheUpstreamConnection() throws Exception {
        HttpTestOrigin origin = startWithOrigin("");
        origin.on("/upload", OriginScripts.hashBody());
        RawClient client = fixture.client();
        client.send("POST /upload HTTP/1.1\r\nHost: test\r\nContent-Length: 100000\r\n\r\n0123456789");
        Eventually.await("the upload reached the origin", WAIT, () -> origin.requests().size() == 1);
        client.reset();
        Eventually.await("the origin saw its connection end", WAIT,
                () -> origin.connections().getFirst().peer() != OriginConnection.PeerState.OPEN);
        RawClient next = fixture.client();
        assertEquals("o GET /next\n", next.get("/next").bodyText());
        assertEquals(2, origin.acceptedCount(), "the half-sent upstream connection was not pooled");
    }

    @Test
    void aClientThatHalfClosesAfterItsRequestStillGetsTheResponse() throws Exception {
        HttpTestOrigin origin = startWithOrigin("");
        RawClient client = fixture.client();
        client.send(RawClient.head("GET", "/half"));
        client.shutdownOutput();
        RawResponse response = client.read();
        assertEquals("o GET /half\n", response.bodyText());
        client.assertClosedByPeer();
        assertEquals(1, origin.requests().size());
    }

    @Test
    void everyRequestPipelinedBeforeAHalfCloseIsAnswered() throws Exception {
        HttpTestOrigin origin = startWithOrigin("");
        CountDownLatch finSent = new CountDownLatch(1);
        origin.on("/first", OriginScripts.after(finSent, OriginScripts.reflect()));
        RawClient client = fixture.client();
        client.send(RawClient.head("GET", "/first")
                + "POST /second HTTP/1.1\r\nHost: test\r\nContent-Length: 5\r\n\r\nhello"
                + RawClient.head("GET", "/direct")
                + RawClient.head("GET", "/fourth"));
        client.shutdownOutput();
        finSent.countDown();
        assertEquals("o GET /first\n", client.read().bodyText());
        assertEquals("o POST /second\n", client.read().bodyText());
        assertEquals("direct\n", client.read().bodyText());
        RawResponse last = client.read();
        assertEquals("o GET /fourth\n", last.bodyText());
        assertEquals("close", last.header("Connection"), "the last answer says it is the last");
        client.assertClosedByPeer();
        assertEquals(3, origin.requests().size());
    }

    @Test
    void clientGoneWhileWaitingForTheResponseClosesTheUpstreamConnection() throws Exception {
        HttpTestOrigin origin = startWithOrigin("");
        origin.on("/wait", OriginScripts.waitForPeerClose());
        RawClient client = fixture.client();
        client.send(RawClient.head("GET", "/wait"));
        Eventually.await("the request reached the origin", WAIT, () -> origin.requests().size() == 1);
        // A reset, not a FIN: a FIN after the request is a legitimate half-close that still wants its response.
        client.reset();
        Eventually.await("the origin saw its connection end", WAIT,
                () -> origin.connections().getFirst().peer() != OriginConnection.PeerState.OPEN);
        RawClient next = fixture.client();
        assertEquals("o GET /next\n", next.get("/next").bodyText());
        assertNotEquals(1, origin.connections().getLast().id(), "a new upstream connection served the next client");
    }
}

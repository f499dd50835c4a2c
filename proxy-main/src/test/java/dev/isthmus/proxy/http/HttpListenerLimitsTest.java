package dev.isthmus.proxy.http;

import dev.isthmus.proxy.testing.Eventually;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.SocketTimeoutException;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 4, configured listener limits reach the codec and the accept loop (not only the defaults). */
@Timeout(60)
final class HttpListenerLimitsTest {
    /** Long enough that a proxy serving beyond max_connections would have answered on loopback. */
    private static final Duration NOT_SERVED_WITHIN = Duration.ofMillis(500);
    /** The configured max_request_head_bytes below. */
    private static final int HEAD_LIMIT = 4096;
    /** The configured max_request_body_bytes below. */
    private static final int BODY_LIMIT = 1024;
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
                    max_connections: 2
                    max_request_head_bytes: 4KiB
                    max_headers: 10
                    max_request_body_bytes: 1KiB
                    routes:
                      - match: { prefix: / }
                        cluster: o
                clusters:
                  - { name: o, endpoints: [127.0.0.1:%d] }
                """.formatted(origin.port()));
    }

    @Test
    void headsUpToTheConfiguredSizeAreServedAndLargerOnesAre431() throws Exception {
        RawClient client = fixture.client();
        assertEquals(200, client.get("/fits", "X-Pad: " + "p".repeat(3 * 1024)).status());
        RawResponse tooLarge = client.get("/too-large", "X-Pad: " + "p".repeat(5 * 1024));
        ErrorResponses.assertError(tooLarge, 431);
        assertTrue(tooLarge.closes());
        client.assertClosedByPeer();
    }

    @Test
    void aHeadOfExactlyTheConfiguredSizeIsServed() throws Exception {
        String prefix = "GET /exact-size HTTP/1.1\r\nHost: test\r\nX-Pad: ";
        String suffix = "\r\n\r\n";
        String head = prefix + "p".repeat(HEAD_LIMIT - prefix.length() - suffix.length()) + suffix;
        assertEquals(HEAD_LIMIT, head.length());
        RawClient client = fixture.client();
        client.send(head);
        RawResponse response = client.read();
        assertEquals(200, response.status(), () -> "a head within the limit is served even though the proxy's own "
                + "X-Forwarded-* fields make the forwarded head longer:\n" + response);
        ErrorResponses.assertError(client.get("/one-more", "X-Pad: " + "p".repeat(HEAD_LIMIT)), 431);
    }

    @Test
    void fieldsUpToTheConfiguredCountAreServedAndMoreAre431() throws Exception {
        RawClient client = fixture.client();
        String[] nine = new String[9];
        for (int i = 0; i < nine.length; i++) {
            nine[i] = "X-F" + i + ": " + i;
        }
        assertEquals(200, client.get("/ten-fields", nine).status(), "Host plus nine fields");
        String[] ten = new String[10];
        for (int i = 0; i < ten.length; i++) {
            ten[i] = "X-F" + i + ": " + i;
        }
        ErrorResponses.assertError(client.get("/eleven-fields", ten), 431);
        client.assertClosedByPeer();
    }

    @Test
    void bodiesUpToTheConfiguredSizeAreForwardedAndLargerOnesAre413() throws Exception {
        RawClient client = fixture.client();
        client.send(RawClient.head("POST", "/fits", "Content-Length: " + BODY_LIMIT) + "b".repeat(BODY_LIMIT));
        assertEquals("o POST /fits\n", client.read().bodyText());
        RawClient next = fixture.client();
        next.send("POST /too-large HTTP/1.1\r\nHost: test\r\nContent-Length: " + (BODY_LIMIT + 1) + "\r\n\r\n"
                + "b".repeat(BODY_LIMIT + 1));
        RawResponse tooLarge = next.read();
        ErrorResponses.assertError(tooLarge, 413);
        assertTrue(tooLarge.closes());
        next.assertClosedByPeer();
        assertEquals(1, origin.requests().size(), "the origin saw nothing of the refused request");
    }

    @Test
    void anExpectationOfContinueOverTheLimitIsAnswered413Not100() throws Exception {
        RawClient client = fixture.client();
        client.send("PUT /big HTTP/1.1\r\nHost: test\r\nExpect: 100-continue\r\nContent-Length: 1000000\r\n\r\n");
        ErrorResponses.assertError(client.read(), 413);
        client.assertClosedByPeer();
        assertEquals(0, origin.acceptedCount(), "no upstream connection was even opened");
    }

    @Test
    void aChunkedBodyOverTheLimitThatCameWithItsHeadNeverReachesTheOrigin() throws Exception {
        RawClient client = fixture.client();
        String chunk = Integer.toHexString(600) + "\r\n" + "c".repeat(600) + "\r\n";
        client.send("POST /chunked HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n"
                + chunk + chunk + "0\r\n\r\n");
        ErrorResponses.assertError(client.read(), 413);
        client.assertClosedByPeer();
        assertEquals(0, origin.requests().size());
    }

    @Test
    void aChunkedBodyThatPassesTheLimitMidStreamIs413AndItsUpstreamConnectionIsClosed() throws Exception {
        RawClient client = fixture.client();
        String chunk = Integer.toHexString(600) + "\r\n" + "c".repeat(600) + "\r\n";
        client.send("POST /streamed HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk);
        Eventually.await("the request reached the origin", WAIT, () -> origin.requests().size() == 1);
        client.send(chunk);
        ErrorResponses.assertError(client.read(), 413);
        Eventually.await("the upstream connection was closed, not pooled", WAIT,
                () -> origin.connections().getFirst().peer() != OriginConnection.PeerState.OPEN);
        assertEquals("o GET /next\n", fixture.client().get("/next").bodyText());
        assertEquals(2, origin.acceptedCount());
    }

    @Test
    void connectionsBeyondMaxConnectionsWaitUntilOneCloses() throws Exception {
        RawClient first = fixture.client();
        RawClient second = fixture.client();
        assertEquals(200, first.get("/1").status());
        assertEquals(200, second.get("/2").status());
        RawClient third = fixture.client();
        third.readTimeout(NOT_SERVED_WITHIN);
        third.send(RawClient.head("GET", "/3"));
        assertThrows(SocketTimeoutException.class, third::readHead, "a third connection is not served yet");
        first.close();
        third.readTimeout(RawClient.DEFAULT_READ_TIMEOUT);
        assertEquals("o GET /3\n", third.read().bodyText());
    }
}

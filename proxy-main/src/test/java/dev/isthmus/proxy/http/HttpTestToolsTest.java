package dev.isthmus.proxy.http;

import dev.isthmus.proxy.http.HttpTestOrigin.After;
import dev.isthmus.proxy.testing.Eventually;
import dev.isthmus.proxy.testing.OpenFds;
import dev.isthmus.proxy.testing.Payloads;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The proxy tests' own tools against each other, with no proxy in between: the raw client talking straight to the
 * test origin. A proxy test's failure should mean the proxy is wrong, so the origin's scripts and the client's
 * framing must be right on their own first.
 */
@Timeout(30)
final class HttpTestToolsTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private HttpTestOrigin origin;
    private RawClient client;
    private long fdsBefore;

    @BeforeEach
    void start() throws IOException {
        OpenFds.warmUpJdkSockets();
        fdsBefore = OpenFds.count();
        origin = new HttpTestOrigin("o");
        client = RawClient.connect(origin.port());
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        origin.close();
        Eventually.await("test sockets closed", WAIT, () -> {
            try {
                return OpenFds.count() <= fdsBefore;
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void keepAliveReflectionRecordsEveryRequestAndEveryByte() throws IOException {
        String first = RawClient.head("GET", "/a?x=1");
        String second = "POST /b HTTP/1.1\r\nHost: test\r\nContent-Length: 3\r\n\r\nxyz";
        client.send(first);
        assertEquals("o GET /a?x=1\n", client.read().bodyText());
        client.send(second);
        RawResponse response = client.read();
        assertEquals("o POST /b\n", response.bodyText());
        assertEquals("1", response.header(OriginScripts.CONNECTION_ID));
        assertEquals(1, origin.acceptedCount());
        OriginConnection connection = origin.connections().getFirst();
        assertEquals(first + second, connection.receivedText());
        assertEquals(List.of("/a?x=1", "/b"), connection.requests().stream().map(OriginRequest::target).toList());
        assertEquals("xyz", connection.requests().get(1).bodyText());
    }

    @Test
    void chunkedBothWaysWithTrailers() throws IOException {
        origin.on("/echo", OriginScripts.echoChunked())
                .on("/t", OriginScripts.chunked(List.of("ab", "cde"), "X-Sum: 5"));
        client.send("POST /echo HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "3;e=1\r\nabc\r\n2\r\nde\r\n0\r\nX-T: 1\r\n\r\n");
        RawResponse echo = client.read();
        assertEquals(RawResponse.Framing.CHUNKED, echo.framing());
        assertEquals("abcde", echo.bodyText());
        RawResponse trailers = client.get("/t");
        assertEquals("abcde", trailers.bodyText());
        assertEquals(List.of(new HttpHead.Field("X-Sum", "5")), trailers.trailers());
    }

    @Test
    void largeBodiesStreamBothWaysByteExact() throws Exception {
        long size = 8L * 1024 * 1024;
        origin.on("/hash", OriginScripts.hashBody()).on("/big", OriginScripts.streamed(4, size));
        client.send("POST /hash HTTP/1.1\r\nHost: test\r\nContent-Length: " + size + "\r\n\r\n");
        String sent = Payloads.write(client.out(), 3, size);
        assertEquals(sent + ":" + size, client.read().bodyText());
        client.send(RawClient.head("GET", "/big"));
        HttpHead head = client.readHead();
        assertEquals(Payloads.expected(4, size) + ":" + size, Payloads.readToEof(client.bodyStream(head, "GET")));
    }

    @Test
    void interimResponsesHeadAndBodilessStatuses() throws IOException {
        origin.on("/hints", OriginScripts.interimThen(List.of("HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"),
                        OriginScripts.text(200, "final")))
                .on("/continue", OriginScripts.continueThenEcho())
                .on("/304", OriginScripts.raw("HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n", After.KEEP_ALIVE));
        client.send(RawClient.head("GET", "/hints"));
        assertEquals(103, client.read().status());
        assertEquals("final", client.read().bodyText());
        RawResponse head = client.request("HEAD", "/page");
        assertEquals(200, head.status());
        assertEquals(0, head.body().length);
        assertEquals(304, client.get("/304").status());
        client.send("POST /continue HTTP/1.1\r\nHost: test\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n");
        assertEquals(100, client.read("POST").status());
        client.send("hi");
        assertEquals("hi", client.read("POST").bodyText());
        assertEquals("o GET /end\n", client.get("/end").bodyText());
    }

    @Test
    void closeDelimitedBodyEndsWithTheConnection() throws IOException {
        origin.on("/cd", OriginScripts.closeDelimited("until the end"));
        RawResponse response = client.get("/cd");
        assertEquals(RawResponse.Framing.CLOSE_DELIMITED, response.framing());
        assertEquals("until the end", response.bodyText());
    }

    @Test
    void resetsAreSeenAsResets() throws IOException {
        origin.on("/reset", OriginScripts.resetMidHead());
        client.send(RawClient.head("GET", "/reset"));
        assertThrows(IOException.class, client::readHead);
    }

    @Test
    void theOriginNoticesThePeerLeaving() throws Exception {
        origin.on("/wait", OriginScripts.waitForPeerClose());
        client.send(RawClient.head("GET", "/wait"));
        Eventually.await("request seen", WAIT, () -> origin.requests().size() == 1);
        client.close();
        Eventually.await("EOF seen", WAIT,
                () -> origin.connections().getFirst().peer() == OriginConnection.PeerState.EOF);
    }

    @Test
    void switchingProtocolsTunnelsRawBytes() throws IOException {
        origin.on("/ws", OriginScripts.switchingProtocols());
        client.send(RawClient.head("GET", "/ws", "Connection: Upgrade", "Upgrade: websocket"));
        RawResponse switching = client.read();
        assertEquals(101, switching.status());
        byte[] raw = "\u0000\u00ff not http \r\n".getBytes(StandardCharsets.ISO_8859_1);
        client.send(raw);
        assertArrayEquals(raw, client.in().readNBytes(raw.length));
        client.shutdownOutput();
        assertEquals(0, client.readUntilClosed().length);
    }

    @Test
    void assertClosedByPeerFailsWhileTheConnectionStaysOpen() throws SocketException {
        client.readTimeout(Duration.ofMillis(200));
        assertThrows(AssertionError.class, client::assertClosedByPeer);
    }

    @Test
    void strictHeadReadingRefusesBareLf() throws IOException {
        origin.on("/lf", OriginScripts.raw("HTTP/1.1 200 OK\nContent-Length: 0\n\n", After.CLOSE));
        client.send(RawClient.head("GET", "/lf"));
        IOException e = assertThrows(IOException.class, client::readHead);
        assertTrue(e.getMessage().contains("CRLF"), e.getMessage());
    }
}

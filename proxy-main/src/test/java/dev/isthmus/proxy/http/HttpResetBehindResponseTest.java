package dev.isthmus.proxy.http;

import dev.isthmus.proxy.testing.Eventually;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 4: an origin that resets right behind a whole response (its kernel does when a request body was left unread,
 * and servers that set SO_LINGER 0 always do). The response is in the proxy's socket before the reset, and the kernel
 * keeps it readable after; a client still reading it must get all of it and keep its connection. The same holds for
 * a tunnel after a 101, either way round. Small buffers on the reading side keep the proxy waiting on it while the
 * reset arrives; a large receive buffer on the resetting side lets everything in first.
 */
@Timeout(60)
final class HttpResetBehindResponseTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final int SPLICED_BODY = 512 * 1024;
    private static final int CHUNK = 4 * 1024;
    private static final int CHUNKS = 128;
    /** With its head, less than one response chunk: read whole with the head, then only written out. */
    private static final int ONE_READ_BODY = 15 * 1024;
    private static final int SLOW_CLIENT_RECEIVE_BUFFER = 4 * 1024;
    private static final int TRUNCATED_AT = 200 * 1024;
    /** At least a loopback segment's worth: smaller windows wait on delayed acknowledgements. */
    private static final int ORIGIN_BUFFER = 64 * 1024;

    @RegisterExtension
    final ProxyFixture fixture = new ProxyFixture();

    static Stream<Arguments> responses() {
        byte[] spliced = body(SPLICED_BODY);
        byte[] relayed = body(CHUNK * CHUNKS);
        byte[] small = body(ONE_READ_BODY);
        return Stream.of(
                Arguments.of("a spliced Content-Length body", lengthDelimited(spliced), spliced, 0),
                Arguments.of("a spliced Content-Length body, its head still waiting for the client",
                        lengthDelimited(spliced), spliced, SLOW_CLIENT_RECEIVE_BUFFER),
                Arguments.of("a relayed chunked body", chunked(relayed), relayed, 0),
                Arguments.of("a relayed chunked body, its head still waiting for the client", chunked(relayed),
                        relayed, SLOW_CLIENT_RECEIVE_BUFFER),
                Arguments.of("a response read with its head", lengthDelimited(small), small,
                        SLOW_CLIENT_RECEIVE_BUFFER));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("responses")
    void aWholeResponseAheadOfAResetReachesAClientThatReadsLate(String name, byte[] response, byte[] body,
            int clientReceiveBuffer) throws Exception {
        RawClient client = requestAnswerBehindReset(response, clientReceiveBuffer);
        HttpHead head = client.readHead();
        assertEquals(200, RawResponse.statusOf(head));
        byte[] received = client.bodyStream(head, "GET").readAllBytes();
        assertEquals(body.length, received.length, "body bytes");
        assertArrayEquals(body, received);
        assertEquals("o GET /after\n", client.get("/after").bodyText(),
                "the client's connection goes on, on a new upstream connection");
    }

    static Stream<Arguments> truncatedResponses() {
        byte[] part = body(TRUNCATED_AT);
        byte[] chunked = chunked(part);
        return Stream.of(
                Arguments.of("a spliced Content-Length body",
                        concat("HTTP/1.1 200 OK\r\nContent-Length: " + 4 * TRUNCATED_AT + "\r\n\r\n", part, "")),
                Arguments.of("a relayed chunked body", Arrays.copyOf(chunked, chunked.length - "0\r\n\r\n".length())));
    }

    /**
     * The reset cuts the body short while its head still waits for the client: once the client makes room, what
     * arrived goes on and the client is reset. The body must start out knowing that its upstream hung up, or it
     * waits for readiness the detached upstream never reports, and the client sits until the stream idle timeout.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("truncatedResponses")
    void aResetPartWayThroughABodyReachesAClientThatReadsLate(String name, byte[] response) throws Exception {
        RawClient client = requestAnswerBehindReset(response, SLOW_CLIENT_RECEIVE_BUFFER);
        HttpHead head = client.readHead();
        assertEquals(200, RawResponse.statusOf(head));
        InputStream body = client.bodyStream(head, "GET");
        assertThrows(SocketException.class, body::readAllBytes, "a reset, not a wait for the stream idle timeout");
    }

    /**
     * A tunnel after a 101 whose upstream sends a stream and resets: the client, reading late, gets all of it, then
     * the end of the tunnel.
     */
    @Test
    void aTunnelsStreamAheadOfAnUpstreamResetReachesAClientThatReadsLate() throws Exception {
        byte[] stream = body(SPLICED_BODY);
        CountDownLatch switched = new CountDownLatch(1);
        CountDownLatch reset = new CountDownLatch(1);
        startProxy(fixture.origin("o").on("/ws", OriginScripts.switchThenResetBehind(switched, stream, WAIT, reset)));
        RawClient client = fixture.client();
        client.send(RawClient.head("GET", "/ws", "Connection: Upgrade", "Upgrade: websocket"));
        assertEquals(101, RawResponse.statusOf(client.readHead()));
        switched.countDown();
        assertTrue(reset.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the origin sent its stream and reset");
        assertArrayEquals(stream, client.in().readNBytes(stream.length));
        assertEquals(-1, client.in().read(), "then the tunnel ends");
    }

    /**
     * The upstream streams right behind its 101 and resets while the 101 still waits for a client that reads slowly
     * (before the tunnel has started): the client gets the 101, the whole stream, then the end of the tunnel.
     */
    @Test
    void aStreamRightBehindA101AndAResetReachesAClientThatReadsLate() throws Exception {
        byte[] stream = body(SPLICED_BODY);
        byte[] answer = concat(OriginScripts.WEBSOCKET_SWITCH, stream, "");
        CountDownLatch reset = new CountDownLatch(1);
        startProxy(fixture.origin("o").on("/ws", OriginScripts.answerAcknowledgedThenReset(answer, WAIT, reset)));
        RawClient client = fixture.closeLater(
                RawClient.connectWithReceiveBuffer(fixture.port(), SLOW_CLIENT_RECEIVE_BUFFER));
        client.send(RawClient.head("GET", "/ws", "Connection: Upgrade", "Upgrade: websocket"));
        assertTrue(reset.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the origin sent its 101, its stream and reset");
        assertEquals(101, RawResponse.statusOf(client.readHead()));
        assertArrayEquals(stream, client.in().readNBytes(stream.length));
        assertEquals(-1, client.in().read(), "then the tunnel ends");
    }

    /**
     * The other way round: a client that sends into the tunnel and resets; the upstream, reading late, gets it all.
     * Here the upstream side has the small buffer and the client side the large one.
     */
    @Test
    void aTunnelsStreamAheadOfAClientResetReachesAnUpstreamThatReadsLate() throws Exception {
        byte[] stream = body(SPLICED_BODY);
        CountDownLatch go = new CountDownLatch(1);
        CompletableFuture<byte[]> received = new CompletableFuture<>();
        startProxy(fixture.origin("o").on("/ws", OriginScripts.switchThenReadLate(go, received)), """
                    socket_receive_buffer_bytes: 2MiB
                """, """
                    socket_send_buffer_bytes: 4KiB
                """);
        RawClient client = fixture.client();
        client.send(RawClient.head("GET", "/ws", "Connection: Upgrade", "Upgrade: websocket"));
        assertEquals(101, RawResponse.statusOf(client.readHead()));
        client.send(stream);
        client.awaitAcknowledged(WAIT);
        client.reset();
        go.countDown();
        assertArrayEquals(stream, received.get(WAIT.toSeconds(), TimeUnit.SECONDS));
    }

    /**
     * A client that resets while the upstream is blocked writing to it through the tunnel (an echo the client never
     * read): the upstream reads what the client sent before the reset only once its own writes move, so the proxy
     * throws away what it sends from the reset on, and the upstream connection ends then, not at the stream idle
     * timeout. The large receive buffer on the client side keeps much of what the client sent in the proxy's socket.
     * The origin's and the upstream side's buffers stay a loopback segment or more: smaller windows move a few KiB per
     * delayed acknowledgement, and the read-out would outlast the wait whatever the proxy did.
     */
    @Test
    void aClientResetWhileTheUpstreamIsBlockedWritingToItEndsTheTunnelPromptly() throws Exception {
        AtomicLong originRead = new AtomicLong();
        CompletableFuture<Boolean> originEnded = new CompletableFuture<>();
        startProxy(fixture.origin("o").on("/ws", exchange -> {
            exchange.socket().setSendBufferSize(ORIGIN_BUFFER);
            exchange.socket().setReceiveBufferSize(ORIGIN_BUFFER);
            exchange.write(OriginScripts.WEBSOCKET_SWITCH).flush();
            byte[] buffer = new byte[4 * CHUNK];
            try {
                InputStream in = exchange.rawIn();
                for (int n = in.read(buffer); n != -1; n = in.read(buffer)) {
                    originRead.addAndGet(n);
                    exchange.socket().getOutputStream().write(buffer, 0, n);
                }
            } catch (IOException reset) {
                // the proxy passes the client's reset on: expected
            }
            originEnded.complete(true);
            return HttpTestOrigin.After.DONE;
        }), """
                    socket_send_buffer_bytes: 4KiB
                    socket_receive_buffer_bytes: 2MiB
                """, """
                    socket_send_buffer_bytes: 64KiB
                    socket_receive_buffer_bytes: 64KiB
                """);
        RawClient client = fixture.closeLater(
                RawClient.connectWithReceiveBuffer(fixture.port(), SLOW_CLIENT_RECEIVE_BUFFER));
        client.send(RawClient.head("GET", "/ws", "Connection: Upgrade", "Upgrade: websocket"));
        assertEquals(101, RawResponse.statusOf(client.readHead()));
        AtomicLong written = new AtomicLong();
        Thread writer = Thread.ofVirtual().start(() -> {
            byte[] chunk = body(16 * CHUNK);
            try {
                while (true) {
                    client.send(chunk);
                    written.addAndGet(chunk.length);
                }
            } catch (IOException reset) {
                // ended by the reset below
            }
        });
        Eventually.await("the client's bytes back up behind the stuck echo", WAIT,
                () -> originRead.get() > 0 && written.get() - originRead.get() > 1024 * 1024);
        client.reset();
        writer.join();
        assertTrue(originEnded.get(WAIT.toSeconds(), TimeUnit.SECONDS),
                "the upstream connection ended long before the stream idle timeout");
    }

    /**
     * An upstream that resets while the proxy still has the client's tunnel bytes for it: the write that meets the
     * reset takes the socket's error, and a read of the socket after it finds a plain end of stream, which must not
     * reach the client as a FIN (the cut stream would look complete): the client is reset. All the client sends fits
     * its send buffer, so that no write of its own is blocked when the reset comes and takes the error first.
     */
    @Test
    void anUpstreamResetThatAWriteMetFirstStillReachesTheClientAsAReset() throws Exception {
        CountDownLatch streamBackedUp = new CountDownLatch(1);
        startProxy(fixture.origin("o").on("/ws", exchange -> {
            exchange.socket().setReceiveBufferSize(CHUNK);
            exchange.write(OriginScripts.WEBSOCKET_SWITCH).flush();
            try {
                streamBackedUp.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.reset();
            return HttpTestOrigin.After.DONE;
        }), "", """
                    socket_send_buffer_bytes: 4KiB
                    socket_receive_buffer_bytes: 4KiB
                """);
        RawClient client = fixture.closeLater(RawClient.connectWithSendBuffer(fixture.port(), 2 * SPLICED_BODY));
        client.send(RawClient.head("GET", "/ws", "Connection: Upgrade", "Upgrade: websocket"));
        assertEquals(101, RawResponse.statusOf(client.readHead()));
        client.send(body(SPLICED_BODY));
        streamBackedUp.countDown();
        assertThrows(SocketException.class, () -> client.in().read(), "a reset, not the end of a complete stream");
    }

    /**
     * A client that sent bytes behind its upgrade request, and more once they were through, then reset while the 101
     * still waited for it (it never reads): the upstream gets all it sent before the reset, as a direct connection
     * would have.
     */
    @Test
    void whatAClientSentBeforeResettingDuringTheSwitchReachesTheUpstream() throws Exception {
        byte[] early = body(CHUNK / 4);
        byte[] late = "and these bytes after the first ones were through".getBytes(StandardCharsets.US_ASCII);
        byte[] answer = concat(OriginScripts.WEBSOCKET_SWITCH, body(SPLICED_BODY / 8), "");
        CountDownLatch earlyArrived = new CountDownLatch(1);
        CompletableFuture<byte[]> received = new CompletableFuture<>();
        startProxy(fixture.origin("o").on("/ws",
                OriginScripts.answerThenReadAll(answer, early.length, earlyArrived, received)));
        RawClient client = fixture.closeLater(
                RawClient.connectWithReceiveBuffer(fixture.port(), SLOW_CLIENT_RECEIVE_BUFFER));
        client.send(concat(RawClient.head("GET", "/ws", "Connection: Upgrade", "Upgrade: websocket"), early, ""));
        assertTrue(earlyArrived.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the first bytes went through");
        client.send(late);
        client.awaitAcknowledged(WAIT);
        client.reset();
        assertArrayEquals(concat("", early, new String(late, StandardCharsets.US_ASCII)),
                received.get(WAIT.toSeconds(), TimeUnit.SECONDS));
    }

    /** Starts the proxy, sends GET /whole on a new client and returns once the origin has answered and reset. */
    private RawClient requestAnswerBehindReset(byte[] response, int clientReceiveBuffer) throws Exception {
        CountDownLatch reset = new CountDownLatch(1);
        startProxy(fixture.origin("o").on("/whole", OriginScripts.answerAcknowledgedThenReset(response, WAIT, reset)));
        RawClient client = fixture.closeLater(clientReceiveBuffer > 0
                ? RawClient.connectWithReceiveBuffer(fixture.port(), clientReceiveBuffer)
                : RawClient.connect(fixture.port()));
        client.send(RawClient.head("GET", "/whole"));
        assertTrue(reset.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the origin sent its answer and reset");
        return client;
    }

    /** Small client-side buffers keep the proxy behind its client; a large upstream receive buffer takes it all. */
    private void startProxy(HttpTestOrigin origin) throws Exception {
        startProxy(origin, """
                    socket_send_buffer_bytes: 4KiB
                    socket_receive_buffer_bytes: 4KiB
                """, """
                    socket_receive_buffer_bytes: 2MiB
                """);
    }

    private void startProxy(HttpTestOrigin origin, String listenerBuffers, String clusterBuffers) throws Exception {
        fixture.start("""
                workers: 1
                listeners:
                  - name: web
                    address: 127.0.0.1:0
                %s    stream_idle_timeout: 60s
                    routes:
                      - match: { prefix: / }
                        cluster: o
                clusters:
                  - name: o
                    endpoints: [127.0.0.1:%d]
                %s""".formatted(listenerBuffers, origin.port(), clusterBuffers));
    }

    private static byte[] body(int size) {
        byte[] body = new byte[size];
        for (int i = 0; i < size; i++) {
            body[i] = (byte) ('a' + i % 26);
        }
        return body;
    }

    private static byte[] lengthDelimited(byte[] body) {
        return concat("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\n\r\n", body, "");
    }

    private static byte[] chunked(byte[] body) {
        ByteArrayOutputStream chunks = new ByteArrayOutputStream();
        for (int at = 0; at < body.length; at += CHUNK) {
            chunks.writeBytes((Integer.toHexString(CHUNK) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            chunks.write(body, at, CHUNK);
            chunks.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        return concat("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", chunks.toByteArray(), "0\r\n\r\n");
    }

    private static byte[] concat(String head, byte[] middle, String tail) {
        byte[] start = head.getBytes(StandardCharsets.US_ASCII);
        byte[] end = tail.getBytes(StandardCharsets.US_ASCII);
        byte[] all = Arrays.copyOf(start, start.length + middle.length + end.length);
        System.arraycopy(middle, 0, all, start.length, middle.length);
        System.arraycopy(end, 0, all, start.length + middle.length, end.length);
        return all;
    }
}

package dev.isthmus.proxy.http;

import dev.isthmus.proxy.testing.Payloads;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Listener and cluster {@code socket_send_buffer_bytes} / {@code socket_receive_buffer_bytes}, and what they make
 * testable on loopback: with 4 KiB kernel buffers nearly every write the proxy makes is short, as on a slow real
 * network, so every pending-write path runs.
 */
@Timeout(60)
final class HttpSmallSocketBufferTest {
    private static final int HEAD_PADDING = 40 * 1024;
    private static final int BODY = 3 * 1024 * 1024;

    @RegisterExtension
    final ProxyFixture fixture = new ProxyFixture();

    private HttpTestOrigin origin;

    @BeforeEach
    void createOrigin() throws IOException {
        origin = fixture.origin("o");
        origin.on("/hash", OriginScripts.hashBody()).on("/big", OriginScripts.streamed(21, BODY));
    }

    private void startProxy(int originPort) throws Exception {
        startProxy(originPort, "4KiB");
    }

    /** Small buffers on the client side, and on the upstream side unless {@code upstreamBuffers} is null. */
    private void startProxy(int originPort, String upstreamBuffers) throws Exception {
        String upstream = upstreamBuffers == null ? "" : """
                    socket_send_buffer_bytes: %1$s
                    socket_receive_buffer_bytes: %1$s
                """.formatted(upstreamBuffers);
        fixture.start("""
                workers: 1
                listeners:
                  - name: web
                    address: 127.0.0.1:0
                    socket_send_buffer_bytes: 4KiB
                    socket_receive_buffer_bytes: 4KiB
                    routes:
                      - match: { prefix: / }
                        cluster: o
                clusters:
                  - name: o
                    endpoints: [127.0.0.1:%d]
                """.formatted(originPort) + upstream);
    }

    /**
     * A response that filled its read chunk, behind one the client is still reading: its head and body, a little
     * longer once the head is rewritten, wait in the proxy whole, as the client's socket is full when they come.
     */
    @Test
    void pipelinedResponsesThatFillTheirReadChunkWaitWholeForASlowClient() throws Exception {
        // "HTTP/1.1 200 OK\r\n" and "Content-Length: NNNNN\r\n\r\n" are 42 bytes; the proxy adds Date and Via.
        String body = "f".repeat(ChunkPools.RESPONSE_CHUNK - 42 - 20);
        origin.on("/full", OriginScripts.raw("HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body,
                HttpTestOrigin.After.KEEP_ALIVE));
        startProxy(origin.port());
        RawClient client = fixture.closeLater(RawClient.connectWithReceiveBuffer(fixture.port(), 4096));
        int pipelined = 4;
        client.send(RawClient.head("GET", "/full").repeat(pipelined));
        for (int i = 0; i < pipelined; i++) {
            RawResponse response = client.read();
            assertEquals(200, response.status(), "response " + i);
            assertEquals(body, response.bodyText(), "response " + i);
        }
    }

    @Test
    void largeHeadsAndBodiesCrossTinyBuffersIntact() throws Exception {
        startProxy(origin.port());
        RawClient client = fixture.client();
        client.send("POST /hash HTTP/1.1\r\nHost: test\r\nX-Pad: " + "p".repeat(HEAD_PADDING)
                + "\r\nContent-Length: " + BODY + "\r\n\r\n");
        String sent = Payloads.write(client.out(), 20, BODY);
        RawResponse uploaded = client.read();
        assertEquals(200, uploaded.status(), uploaded::toString);
        assertEquals(sent + ":" + BODY, uploaded.bodyText());
        assertEquals(HEAD_PADDING, origin.lastRequest().header("X-Pad").length(), "the whole head arrived");

        client.send(RawClient.head("GET", "/big"));
        HttpHead head = client.readHead();
        assertEquals(BODY, head.contentLength());
        assertEquals(Payloads.expected(21, BODY) + ":" + BODY, Payloads.readToEof(client.bodyStream(head, "GET")));
        assertEquals("o GET /after\n", client.get("/after").bodyText());
    }

    /**
     * An origin that answers 101 before it has read the request: the proxy is still sending the head when the
     * switch comes, and what the client sent after its head must follow the head's last byte, not jump ahead of it
     * or replace it.
     */
    @Test
    void bytesAfterAnUpgradeRequestFollowAHeadStillBeingSent() throws Exception {
        try (ServerSocket early = new ServerSocket()) {
            early.setReceiveBufferSize(4096);
            early.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            startProxy(early.getLocalPort());
            CountDownLatch switched = new CountDownLatch(1);
            CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> answerThenReadAll(early, switched));

            byte[] tunnelBytes = new byte[12 * 1024];
            Arrays.fill(tunnelBytes, (byte) 'y');
            String head = RawClient.head("GET", "/ws", "Connection: Upgrade", "Upgrade: websocket",
                    "X-Pad: " + "p".repeat(HEAD_PADDING));
            RawClient client = fixture.client();
            ByteArrayOutputStream request = new ByteArrayOutputStream();
            request.writeBytes(head.getBytes(StandardCharsets.US_ASCII));
            request.writeBytes(tunnelBytes);
            client.send(request.toByteArray());
            assertEquals(101, client.read().status());
            switched.countDown();
            client.shutdownOutput();

            byte[] upstream = received.get(30, TimeUnit.SECONDS);
            String text = new String(upstream, StandardCharsets.US_ASCII);
            int end = text.indexOf("\r\n\r\n") + 4;
            assertTrue(text.substring(0, end).contains("\r\nX-Pad: " + "p".repeat(HEAD_PADDING) + "\r\n"),
                    () -> "the whole head, in order: " + end + " head bytes");
            assertArrayEquals(tunnelBytes, Arrays.copyOfRange(upstream, end, upstream.length),
                    "the client's bytes after its head, in order, after the whole head");
        }
    }

    /**
     * A 101 whose read brought the origin's first tunnel bytes along is more than a small client socket takes in one
     * write: the rest waits for the client to read, and the tunnel starts after it.
     */
    @Test
    void aSwitchTooBigForTheClientSocketWaitsForTheClient() throws Exception {
        byte[] greeting = new byte[12 * 1024];
        Arrays.fill(greeting, (byte) 'z');
        try (ServerSocket greeter = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            startProxy(greeter.getLocalPort(), null);
            CompletableFuture<Void> served = CompletableFuture.runAsync(() -> greetThenEcho(greeter, greeting));
            try (Socket client = new Socket()) {
                client.setReceiveBufferSize(4096);
                client.setSoTimeout(10_000);
                client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), fixture.port()));
                client.getOutputStream().write(RawClient.head("GET", "/ws", "Connection: Upgrade",
                        "Upgrade: websocket").getBytes(StandardCharsets.US_ASCII));
                HttpHead head = HttpHead.read(client.getInputStream(), 64 * 1024);
                assertEquals(101, RawResponse.statusOf(head));
                assertArrayEquals(greeting, client.getInputStream().readNBytes(greeting.length),
                        "the origin's first bytes, all of them, after the 101");
                client.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
                assertEquals("ping", new String(client.getInputStream().readNBytes(4), StandardCharsets.US_ASCII),
                        "then a tunnel");
                client.shutdownOutput();
                assertEquals(-1, client.getInputStream().read());
            }
            served.get(10, TimeUnit.SECONDS);
        }
    }

    /** Reads the request head, answers 101 and {@code greeting} in one write, then echoes until EOF. */
    private static void greetThenEcho(ServerSocket server, byte[] greeting) {
        try (Socket socket = server.accept()) {
            HttpHead.read(socket.getInputStream(), 64 * 1024);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(greeting);
            socket.getOutputStream().write(out.toByteArray());
            socket.getInputStream().transferTo(socket.getOutputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Sends the 101 at once and reads nothing until the client has it, so the proxy switches with most of the head
     * still unsent; then reads everything until the tunnel's FIN.
     */
    private static byte[] answerThenReadAll(ServerSocket server, CountDownLatch switched) {
        try (Socket socket = server.accept()) {
            socket.getOutputStream().write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            if (!switched.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the client never got the 101");
            }
            return socket.getInputStream().readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

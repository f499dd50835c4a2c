package dev.isthmus.proxy.tcp;

import dev.isthmus.bindings.Syscalls;
import dev.isthmus.proxy.config.ClusterConfig;
import dev.isthmus.proxy.config.HostPort;
import dev.isthmus.proxy.config.ListenerConfig;
import dev.isthmus.proxy.config.ListenerLimits;
import dev.isthmus.proxy.config.LoadBalancerPolicy;
import dev.isthmus.proxy.config.ProxyConfig;
import dev.isthmus.proxy.config.SocketBuffers;
import dev.isthmus.proxy.config.Workers;
import dev.isthmus.proxy.server.ListenerRuntime;
import dev.isthmus.proxy.server.ProxyServer;
import dev.isthmus.proxy.testing.ChildJava;
import dev.isthmus.proxy.testing.EndlessStreamer;
import dev.isthmus.proxy.testing.Eventually;
import dev.isthmus.proxy.testing.OpenFds;
import dev.isthmus.proxy.testing.OwnSockets;
import dev.isthmus.proxy.testing.Payloads;
import dev.isthmus.proxy.testing.RefusingPort;
import dev.isthmus.proxy.testing.SendQueue;
import dev.isthmus.proxy.testing.TestOrigin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.SortedSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static dev.isthmus.bindings.generated.isthmus_sys_h.IPPROTO_TCP;
import static dev.isthmus.bindings.generated.isthmus_sys_h.TCP_QUICKACK;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(120)
final class TcpProxyTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final long MIB = 1024 * 1024;
    private static final SocketBuffers SMALL_BUFFERS = new SocketBuffers(4096, 4096);
    /** Takes a whole 512 KiB payload before the proxy reads any of it. */
    private static final SocketBuffers LARGE_RECEIVE_BUFFER = new SocketBuffers(0, 2 << 20);

    private long fdsBefore;
    private SortedSet<String> fdsBeforeList;
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private ProxyServer proxy;

    @BeforeEach
    void baseline() throws IOException {
        OpenFds.warmUpJdkSockets();
        fdsBefore = OpenFds.count();
        fdsBeforeList = OpenFds.describe();
    }

    @AfterEach
    void noDescriptorLeaks() throws Exception {
        if (proxy != null) {
            proxy.drain(Duration.ZERO);
        }
        for (AutoCloseable closeable : toClose.reversed()) {
            closeable.close();
        }
        try {
            Eventually.await("every descriptor closed", WAIT, () -> {
                try {
                    return OpenFds.count() <= fdsBefore;
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
        } finally {
            SortedSet<String> leaked = OpenFds.describe();
            leaked.removeAll(fdsBeforeList);
            assertEquals(fdsBefore, OpenFds.count(), "leaked: " + leaked);
        }
    }

    private <T extends AutoCloseable> T closeLater(T closeable) {
        toClose.add(closeable);
        return closeable;
    }

    private int startProxy(int upstreamPort, Duration connectTimeout) throws Exception {
        return startProxy(List.of(upstreamPort), connectTimeout);
    }

    private int startProxy(List<Integer> upstreamPorts, Duration connectTimeout) throws Exception {
        return startProxy(upstreamPorts, connectTimeout, LoadBalancerPolicy.ROUND_ROBIN, 2);
    }

    private int startProxy(List<Integer> upstreamPorts, Duration connectTimeout, LoadBalancerPolicy lb, int workers)
            throws Exception {
        return startProxy(upstreamPorts, connectTimeout, lb, workers, SocketBuffers.KERNEL_DEFAULT);
    }

    private int startProxy(List<Integer> upstreamPorts, Duration connectTimeout, LoadBalancerPolicy lb, int workers,
                           SocketBuffers buffers) throws Exception {
        proxy = ProxyServer.start(config(upstreamPorts, connectTimeout, lb, workers, buffers));
        return proxy.port("tcp");
    }

    /** Client-side and upstream-side kernel buffers of their own: one side can lag while the other takes all. */
    private int startProxy(int upstreamPort, SocketBuffers clientSide, SocketBuffers upstreamSide) throws Exception {
        proxy = ProxyServer.start(config(List.of(upstreamPort), Duration.ofSeconds(1), LoadBalancerPolicy.ROUND_ROBIN,
                1, clientSide, upstreamSide, ListenerLimits.DEFAULTS));
        return proxy.port("tcp");
    }

    private static ProxyConfig config(List<Integer> upstreamPorts, Duration connectTimeout, LoadBalancerPolicy lb,
                                      int workers, SocketBuffers buffers) {
        return config(upstreamPorts, connectTimeout, lb, workers, buffers, buffers, ListenerLimits.DEFAULTS);
    }

    private static ProxyConfig config(List<Integer> upstreamPorts, Duration connectTimeout, LoadBalancerPolicy lb,
                                      int workers, SocketBuffers clientSide, SocketBuffers upstreamSide,
                                      ListenerLimits limits) {
        List<HostPort> endpoints = new ArrayList<>();
        for (int upstreamPort : upstreamPorts) {
            endpoints.add(HostPort.parse("127.0.0.1:" + upstreamPort, HostPort.PortRule.REQUIRE_PORT));
        }
        ClusterConfig cluster = new ClusterConfig("origin", endpoints, lb, connectTimeout, Duration.ofSeconds(60),
                1024, 1024, ClusterConfig.DEFAULT_EJECTION_TIME, upstreamSide);
        ListenerConfig defaults = ListenerConfig.tcp("tcp",
                HostPort.parse("127.0.0.1:0", HostPort.PortRule.ALLOW_ANY_PORT), "origin");
        ListenerConfig listener = new ListenerConfig(defaults.name(), defaults.address(), defaults.protocol(),
                defaults.cluster(), List.of(), List.of(), limits, false, Optional.empty(), clientSide, false);
        return new ProxyConfig(Optional.empty(), Workers.of(workers), List.of(listener), List.of(cluster));
    }

    private int startProxy(int upstreamPort) throws Exception {
        return startProxy(upstreamPort, Duration.ofSeconds(1));
    }

    private ListenerRuntime listener() {
        return proxy.listener("tcp");
    }

    private static Socket connect(int port) throws IOException {
        return connect(port, 0);
    }

    /** {@code receiveBufferBytes} above 0: a client whose kernel takes only about that much before it reads. */
    private static Socket connect(int port, int receiveBufferBytes) throws IOException {
        Socket socket = new Socket();
        if (receiveBufferBytes > 0) {
            socket.setReceiveBufferSize(receiveBufferBytes);
        }
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        socket.setSoTimeout((int) WAIT.toMillis());
        return socket;
    }

    @Test
    void sixtyFourMebibytesEachWayArriveByteExactThroughSplice() throws Exception {
        bothWaysByteExact(64 * MIB, SocketBuffers.KERNEL_DEFAULT);
    }

    /** Fixed small kernel buffers on both sides: nearly every splice into a socket is short. */
    @Test
    void smallFixedSocketBuffersStillCarryEveryByteBothWays() throws Exception {
        bothWaysByteExact(MIB, new SocketBuffers(8192, 8192));
    }

    private void bothWaysByteExact(long size, SocketBuffers buffers) throws Exception {
        CompletableFuture<String> originReceived = new CompletableFuture<>();
        TestOrigin origin = closeLater(new TestOrigin(socket -> {
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    Payloads.write(socket.getOutputStream(), 2, size);
                    socket.shutdownOutput();
                } catch (IOException e) {
                    originReceived.completeExceptionally(e);
                }
            });
            originReceived.complete(Payloads.readToEof(socket.getInputStream()));
            try {
                writer.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        int port = startProxy(List.of(origin.port()), Duration.ofSeconds(1), LoadBalancerPolicy.ROUND_ROBIN, 2, buffers);
        try (Socket client = connect(port)) {
            Future<String> clientReceived = Executors.newVirtualThreadPerTaskExecutor()
                    .submit(() -> Payloads.readToEof(client.getInputStream()));
            Payloads.write(client.getOutputStream(), 1, size);
            client.shutdownOutput();
            assertEquals(Payloads.expected(2, size) + ":" + size, clientReceived.get());
            assertEquals(Payloads.expected(1, size) + ":" + size, originReceived.get());
        }
        Eventually.await("session closed", WAIT, () -> listener().activeConnections() == 0);
        assertEquals(2 * size, listener().tcpBytesSpliced(), "every payload byte went through splice");
    }

    @Test
    void thousandConcurrentShortConnectionsAllEchoCorrectly() throws Exception {
        TestOrigin origin = closeLater(new TestOrigin(TestOrigin::echo));
        int port = startProxy(origin.port());
        int connections = 1_000;
        List<Socket> clients = new ArrayList<>(connections);
        try {
            for (int i = 0; i < connections; i++) {
                clients.add(connect(port));
            }
            for (int i = 0; i < connections; i++) {
                clients.get(i).getOutputStream().write(("hello " + i + "\n").getBytes(StandardCharsets.US_ASCII));
            }
            for (int i = 0; i < connections; i++) {
                Socket client = clients.get(i);
                byte[] expected = ("hello " + i + "\n").getBytes(StandardCharsets.US_ASCII);
                assertArrayEquals(expected, client.getInputStream().readNBytes(expected.length), "connection " + i);
                client.shutdownOutput();
                assertEquals(-1, client.getInputStream().read(), "EOF follows the echo on connection " + i);
            }
        } finally {
            for (Socket client : clients) {
                client.close();
            }
        }
        assertEquals(connections, origin.acceptedCount());
        Eventually.await("all sessions closed", WAIT, () -> listener().activeConnections() == 0);
    }

    @Test
    void idleSessionsHoldNoSplicePipes() throws Exception {
        TestOrigin origin = closeLater(new TestOrigin(TestOrigin::echo));
        int port = startProxy(origin.port());
        long pipesBefore = pipeDescriptors();
        int sessions = 200;
        List<Socket> clients = new ArrayList<>(sessions);
        try {
            for (int i = 0; i < sessions; i++) {
                Socket client = connect(port);
                clients.add(client);
                client.getOutputStream().write('x');
                assertEquals('x', client.getInputStream().read());
            }
            // Each session is idle now; before pipes were taken per burst, each held two (four descriptors).
            long pipesHeld = pipeDescriptors() - pipesBefore;
            assertTrue(pipesHeld <= 8, sessions + " idle sessions hold " + pipesHeld + " pipe descriptors");
        } finally {
            for (Socket client : clients) {
                client.close();
            }
        }
    }

    private static long pipeDescriptors() throws IOException {
        return OpenFds.describe().stream().filter(fd -> fd.contains("pipe:")).count();
    }

    @Test
    void clientHalfCloseReachesOriginWhichCanStillAnswer() throws Exception {
        TestOrigin origin = closeLater(new TestOrigin(socket -> {
            byte[] request = socket.getInputStream().readAllBytes();
            socket.getOutputStream().write(("got " + request.length).getBytes(StandardCharsets.US_ASCII));
        }));
        int port = startProxy(origin.port());
        try (Socket client = connect(port)) {
            client.getOutputStream().write(new byte[12345]);
            client.shutdownOutput();
            assertEquals("got 12345", new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void aTcpListenersConnectionsKeepTheKernelsImmediateAcks() throws Exception {
        TestOrigin origin = closeLater(new TestOrigin(socket -> socket.getInputStream().readAllBytes()));
        int port = startProxy(origin.port());
        try (Socket client = connect(port)) {
            int proxySide = OwnSockets.awaitAccepted(port, client.getLocalPort(), Duration.ofSeconds(10));
            // Only HTTP defers them: a tcp stream's protocol may have its client write twice before any answer.
            assertEquals(1, new Syscalls().getIntOption(proxySide, IPPROTO_TCP(), TCP_QUICKACK()));
        }
    }

    @Test
    void originHalfCloseReachesClientWhichCanStillSend() throws Exception {
        CompletableFuture<Integer> originGot = new CompletableFuture<>();
        TestOrigin origin = closeLater(new TestOrigin(socket -> {
            socket.getOutputStream().write("banner".getBytes(StandardCharsets.US_ASCII));
            socket.shutdownOutput();
            originGot.complete(socket.getInputStream().readAllBytes().length);
        }));
        int port = startProxy(origin.port());
        try (Socket client = connect(port)) {
            assertEquals("banner", new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
            client.getOutputStream().write(new byte[54321]);
            client.shutdownOutput();
            assertEquals(54321, originGot.get());
        }
    }

    @Test
    void aReloadSendsNewSessionsToTheNewEndpointWhileOpenOnesGoOnWhereTheyWere() throws Exception {
        TestOrigin first = closeLater(new TestOrigin(socket -> greetThenEcho(socket, '1')));
        TestOrigin second = closeLater(new TestOrigin(socket -> greetThenEcho(socket, '2')));
        int port = startProxy(first.port());
        try (Socket open = connect(port)) {
            assertEquals('1', open.getInputStream().read());
            proxy.reload(config(List.of(second.port()), Duration.ofSeconds(1), LoadBalancerPolicy.ROUND_ROBIN, 2,
                    SocketBuffers.KERNEL_DEFAULT));
            for (int i = 0; i < 4; i++) {
                try (Socket next = connect(port)) {
                    assertEquals('2', next.getInputStream().read(), "session " + i + " after the reload");
                }
            }
            open.getOutputStream().write("still here".getBytes(StandardCharsets.US_ASCII));
            assertEquals("still here", new String(open.getInputStream().readNBytes(10), StandardCharsets.US_ASCII));
        }
        assertEquals(1, first.acceptedCount());
    }

    @Test
    void aReloadedIdleTimeoutEndsTheNextSilentSession() throws Exception {
        TestOrigin origin = closeLater(new TestOrigin(socket -> greetThenEcho(socket, '1')));
        int port = startProxy(origin.port());
        ListenerLimits d = ListenerLimits.DEFAULTS;
        ListenerLimits quick = new ListenerLimits(d.requestHeadTimeout(), Duration.ofMillis(200),
                d.streamIdleTimeout(), d.maxConnections(), d.maxRequestHeadBytes(), d.maxHeaders(), d.maxRequestBodyBytes(),
                d.spliceThresholdBytes(), d.drainTimeout());
        proxy.reload(config(List.of(origin.port()), Duration.ofSeconds(1), LoadBalancerPolicy.ROUND_ROBIN, 2,
                SocketBuffers.KERNEL_DEFAULT, SocketBuffers.KERNEL_DEFAULT, quick));
        try (Socket silent = connect(port)) {
            silent.setSoTimeout((int) WAIT.toMillis());
            assertEquals('1', silent.getInputStream().read());
            assertEquals(-1, silent.getInputStream().read(), "the proxy ended the silent session");
        }
    }

    private static void greetThenEcho(Socket socket, char greeting) throws IOException {
        socket.getOutputStream().write(greeting);
        socket.getInputStream().transferTo(socket.getOutputStream());
    }

    @Test
    void refusedUpstreamClosesTheClientPromptly() throws Exception {
        int closedPort = closeLater(RefusingPort.open()).port();
        int port = startProxy(closedPort);
        try (Socket client = connect(port)) {
            assertEquals(-1, client.getInputStream().read());
        }
        Eventually.await("failure counted", WAIT, () -> listener().upstreamFailures() == 1);
    }

    @Test
    void aRefusingEndpointIsSkippedForTheNextOneAndEjected() throws Exception {
        int closedPort = closeLater(RefusingPort.open()).port();
        TestOrigin origin = closeLater(new TestOrigin(TestOrigin::echo));
        int port = startProxy(List.of(closedPort, origin.port()), Duration.ofSeconds(1));
        for (int i = 0; i < 10; i++) {
            try (Socket client = connect(port)) {
                byte[] message = ("hello " + i + "\n").getBytes(StandardCharsets.US_ASCII);
                client.getOutputStream().write(message);
                assertArrayEquals(message, client.getInputStream().readNBytes(message.length), "connection " + i);
            }
        }
        assertEquals(10, origin.acceptedCount());
        assertTrue(listener().upstreamFailures() <= 2,
                "at most one refused connect per worker before the endpoint is ejected: "
                        + listener().upstreamFailures());
    }

    @Test
    void leastRequestSendsNewSessionsAwayFromTheBusyEndpoint() throws Exception {
        TestOrigin busy = closeLater(new TestOrigin(TestOrigin::echo));
        TestOrigin free = closeLater(new TestOrigin(TestOrigin::echo));
        int port = startProxy(List.of(busy.port(), free.port()), Duration.ofSeconds(1),
                LoadBalancerPolicy.LEAST_REQUEST, 1);
        try (Socket held = connect(port)) {
            held.getOutputStream().write('x');
            assertEquals('x', held.getInputStream().read());
            TestOrigin holding = busy.acceptedCount() == 1 ? busy : free;
            TestOrigin other = holding == busy ? free : busy;
            for (int i = 0; i < 5; i++) {
                try (Socket client = connect(port)) {
                    client.getOutputStream().write('y');
                    assertEquals('y', client.getInputStream().read());
                }
                Eventually.await("session " + i + " closed", WAIT, () -> listener().activeConnections() == 1);
            }
            assertEquals(1, holding.acceptedCount(), "the endpoint holding a session got no more");
            assertEquals(5, other.acceptedCount());
        }
    }

    @Test
    void silentUpstreamClosesTheClientAfterTheConnectTimeout() throws Exception {
        // A listener that never accepts, with its tiny backlog filled: further SYNs are dropped, connects hang.
        ServerSocket blackhole = closeLater(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
        List<Socket> fillers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Socket filler = new Socket();
            try {
                filler.connect(blackhole.getLocalSocketAddress(), 200);
                fillers.add(filler);
            } catch (IOException backlogFull) {
                filler.close();
                break;
            }
        }
        fillers.forEach(filler -> closeLater(filler));
        int port = startProxy(blackhole.getLocalPort(), Duration.ofMillis(300));
        long start = System.nanoTime();
        try (Socket client = connect(port)) {
            assertEquals(-1, client.getInputStream().read());
        }
        long tookMillis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(tookMillis >= 250, "closed before the connect timeout: " + tookMillis + " ms");
        assertEquals(1, listener().upstreamFailures());
    }

    @Test
    void upstreamKilledMidStreamClosesTheClient() throws Exception {
        ChildJava streamer = closeLater(ChildJava.start(EndlessStreamer.class, "serve"));
        int originPort = Integer.parseInt(streamer.readLine());
        int port = startProxy(originPort);
        try (Socket client = connect(port)) {
            InputStream in = client.getInputStream();
            assertTrue(in.readNBytes(16 * 1024).length == 16 * 1024);
            assertEquals("streaming", streamer.readLine());
            streamer.kill();
            assertTrue(drainsToEndOrReset(in), "client saw the end of the stream");
        }
        Eventually.await("session closed", WAIT, () -> listener().activeConnections() == 0);
    }

    @Test
    void anUpstreamResetReachesTheClientAsAResetAndIsCounted() throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        TestOrigin origin = closeLater(new TestOrigin(socket -> {
            socket.getOutputStream().write(new byte[1000]);
            socket.getOutputStream().flush();
            try {
                go.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            socket.setSoLinger(true, 0);
            socket.close();
        }));
        int port = startProxy(origin.port());
        try (Socket client = connect(port)) {
            InputStream in = client.getInputStream();
            assertEquals(1000, in.readNBytes(1000).length);
            go.countDown();
            // A FIN would pass for the end of the stream.
            assertThrows(SocketException.class, in::read);
        }
        Eventually.await("the upstream's reset was counted", WAIT, () -> listener().upstreamFailures() == 1);
    }

    /**
     * An upstream that sends a whole answer and resets (SO_LINGER 0, as servers do that shed TIME_WAIT): a direct
     * client would read all of it, then the reset. The client here reads only after the reset, and small client-side
     * buffers keep the proxy behind it, so most of the answer is still in the proxy's sockets and pipe when the reset
     * comes; all of it must arrive, then the reset (a FIN would pass for a complete stream).
     */
    @Test
    void everythingAnUpstreamSentBeforeResettingReachesAClientThatReadsLate() throws Exception {
        upstreamResetsBehind(pattern(512 * 1024), 0);
    }

    /**
     * A small answer is all through the proxy before the reset, but part of it is still unsent in the proxy's socket
     * towards a client that reads slowly: a reset at once would throw that part away, so it waits until the socket
     * has sent everything.
     */
    @Test
    void anUpstreamResetWaitsUntilTheClientsSocketHasSentTheAnswer() throws Exception {
        upstreamResetsBehind(pattern(8 * 1024), 4096);
    }

    private void upstreamResetsBehind(byte[] answer, int clientReceiveBuffer) throws Exception {
        CountDownLatch reset = new CountDownLatch(1);
        TestOrigin origin = closeLater(new TestOrigin(socket -> {
            socket.getOutputStream().write(answer);
            socket.getOutputStream().flush();
            resetOnceAcknowledged(socket);
            reset.countDown();
        }));
        int port = startProxy(origin.port(), SMALL_BUFFERS, LARGE_RECEIVE_BUFFER);
        try (Socket client = connect(port, clientReceiveBuffer)) {
            assertTrue(reset.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the origin sent its answer and reset");
            Eventually.await("the proxy to count the upstream's reset", WAIT,
                    () -> listener().upstreamFailures() == 1);
            InputStream in = client.getInputStream();
            assertArrayEquals(answer, in.readNBytes(answer.length));
            assertThrows(SocketException.class, in::read, "the reset after the answer");
        }
    }

    /** {@link #everythingAnUpstreamSentBeforeResettingReachesAClientThatReadsLate} the other way round. */
    @Test
    void everythingAClientSentBeforeResettingReachesAnUpstreamThatReadsLate() throws Exception {
        byte[] upload = pattern(512 * 1024);
        CountDownLatch reset = new CountDownLatch(1);
        CompletableFuture<byte[]> received = new CompletableFuture<>();
        CompletableFuture<Boolean> thenReset = new CompletableFuture<>();
        TestOrigin origin = closeLater(new TestOrigin(socket -> {
            try {
                reset.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            InputStream in = socket.getInputStream();
            received.complete(in.readNBytes(upload.length));
            thenReset.complete(assertThrows(SocketException.class, in::read) != null);
        }));
        int port = startProxy(origin.port(), LARGE_RECEIVE_BUFFER, SMALL_BUFFERS);
        Socket client = connect(port);
        client.getOutputStream().write(upload);
        resetOnceAcknowledged(client);
        reset.countDown();
        assertArrayEquals(upload, received.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertTrue(thenReset.get(WAIT.toSeconds(), TimeUnit.SECONDS), "the reset after the upload");
    }

    /** A reset throws away what the socket has not sent: it waits until the peer has acknowledged every byte. */
    private static void resetOnceAcknowledged(Socket socket) throws IOException {
        try {
            SendQueue.awaitAcknowledged(socket, WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        socket.setSoLinger(true, 0);
        socket.close();
    }

    private static byte[] pattern(int size) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (i * 31 + (i >>> 8));
        }
        return bytes;
    }

    /**
     * An upstream that answers an upload without reading it and closes at once: its kernel resets the connection
     * behind the answer, and the proxy's next write upstream fails. The answer is still in the proxy's socket and
     * must reach the client before the reset, as it would on a direct connection. Repeated: whether the failed write
     * or the answer's readiness comes first depends on timing.
     */
    @Test
    void whatAnUpstreamSentBeforeResettingAnUploadReachesTheClient() throws Exception {
        byte[] answer = "refused: too large\n".getBytes(StandardCharsets.US_ASCII);
        TestOrigin origin = closeLater(new TestOrigin(socket -> {
            socket.getInputStream().readNBytes(1024);
            socket.getOutputStream().write(answer);
            socket.getOutputStream().flush();
            socket.setSoLinger(true, 0);
            socket.close();
        }));
        int port = startProxy(origin.port());
        for (int attempt = 1; attempt <= 10; attempt++) {
            try (Socket client = connect(port)) {
                Thread uploader = Thread.ofVirtual().start(() -> {
                    try {
                        Payloads.write(client.getOutputStream(), 1, 64L * 1024 * 1024);
                    } catch (IOException refused) {
                        // the reset ends the upload: expected
                    }
                });
                byte[] received = readUntilEndOrReset(client.getInputStream()).bytes();
                int tried = attempt;
                assertEquals(new String(answer, StandardCharsets.US_ASCII),
                        new String(received, StandardCharsets.US_ASCII), () -> "attempt " + tried);
                uploader.join();
            }
        }
    }

    /**
     * A client that resets while its upstream is blocked writing to it (an echo the client never read): what the
     * client sent before the reset still goes upstream, but the upstream reads it only once its own writes move, so
     * the proxy throws away what the upstream sends from the reset on, as the client's kernel would have.
     */
    @Test
    void aClientResetWhileTheUpstreamIsBlockedWritingToItEndsTheSessionPromptly() throws Exception {
        AtomicLong originRead = new AtomicLong();
        CompletableFuture<Boolean> originEnded = new CompletableFuture<>();
        TestOrigin origin = closeLater(new TestOrigin(socket -> {
            socket.setSendBufferSize(4096);
            socket.setReceiveBufferSize(4096);
            byte[] buffer = new byte[16 * 1024];
            try {
                InputStream in = socket.getInputStream();
                for (int n = in.read(buffer); n != -1; n = in.read(buffer)) {
                    originRead.addAndGet(n);
                    socket.getOutputStream().write(buffer, 0, n);
                }
            } catch (IOException reset) {
                // the proxy passes the client's reset on: expected
            }
            originEnded.complete(true);
        }));
        int port = startProxy(origin.port(), SMALL_BUFFERS, SMALL_BUFFERS);
        Socket client = connect(port, 4096);
        client.setSendBufferSize(1 << 20);
        AtomicLong written = new AtomicLong();
        Thread writer = Thread.ofVirtual().start(() -> {
            byte[] chunk = pattern(64 * 1024);
            try {
                while (true) {
                    client.getOutputStream().write(chunk);
                    written.addAndGet(chunk.length);
                }
            } catch (IOException reset) {
                // ended by the reset below
            }
        });
        Eventually.await("the client's bytes back up behind the stuck echo", WAIT,
                () -> originRead.get() > 0 && written.get() - originRead.get() > 512 * 1024);
        client.setSoLinger(true, 0);
        client.close();
        writer.join();
        assertTrue(originEnded.get(WAIT.toSeconds(), TimeUnit.SECONDS),
                "the upstream connection ended long before the listener's idle timeout");
        Eventually.await("session closed", WAIT, () -> listener().activeConnections() == 0);
    }

    /**
     * An upstream that resets while the proxy still has an upload for it: the write that meets the reset takes the
     * socket's error, and a read of the socket after it finds a plain end of stream. That end must not reach the
     * client as a FIN, which would pass the cut stream off as complete: the client is reset.
     */
    @Test
    void anUpstreamResetThatAWriteMetFirstStillReachesTheClientAsAReset() throws Exception {
        CountDownLatch uploadBackedUp = new CountDownLatch(1);
        TestOrigin origin = closeLater(new TestOrigin(socket -> {
            socket.setReceiveBufferSize(4096);
            try {
                uploadBackedUp.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            socket.setSoLinger(true, 0);
            socket.close();
        }));
        int port = startProxy(origin.port(), SocketBuffers.KERNEL_DEFAULT, SMALL_BUFFERS);
        Socket client = connect(port);
        // The whole upload fits the client's send buffer, so no write is blocked when the reset comes: a write would
        // take the reset's error, and the read below would find only the end of the stream.
        client.setSendBufferSize(1 << 20);
        client.getOutputStream().write(pattern(1 << 19));
        uploadBackedUp.countDown();
        assertThrows(SocketException.class, client.getInputStream()::read, "a reset, not the end of a complete stream");
        client.close();
    }

    /**
     * A seeded mix of sessions: clients that upload and read the echo, some resetting without reading it; origins
     * that echo, some resetting part-way. Each upload fits its client's send buffer, so only the client's reads can
     * take a reset's error. Whatever the mix, the end of a stream comes only after the whole echo (a cut stream is a
     * reset), and no session outlives its peers long enough to reach the idle timeout.
     */
    @Test
    void aMixOfResetsNeverPassesACutStreamOffAsCompleteAndLeavesNoSessionBehind() throws Exception {
        TestOrigin origin = closeLater(new TestOrigin(TcpProxyTest::echoThenResetAsTold));
        int port = startProxy(origin.port(), SocketBuffers.KERNEL_DEFAULT, MIX_UPSTREAM_BUFFERS);
        Random random = new Random(21);
        List<Future<String>> outcomes = new ArrayList<>();
        try (ExecutorService sessions = Executors.newFixedThreadPool(16)) {
            for (int i = 0; i < 160; i++) {
                int size = 8 + random.nextInt(256 * 1024);
                long originResetsAfter = random.nextInt(4) == 0 ? random.nextInt(size) : -1;
                boolean clientResets = random.nextInt(6) == 0;
                outcomes.add(sessions.submit(() -> mixedSession(port, size, originResetsAfter, clientResets)));
            }
            for (Future<String> outcome : outcomes) {
                String failure = outcome.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertEquals("", failure, failure);
            }
        }
        Eventually.await("every session closed well before the idle timeout", WAIT,
                () -> listener().activeConnections() == 0);
        Eventually.await("every origin connection closed", WAIT, () -> origin.openConnections() == 0);
    }

    private static final SocketBuffers MIX_UPSTREAM_BUFFERS = new SocketBuffers(64 * 1024, 64 * 1024);

    /** The first 8 bytes say after how many bytes to reset (-1: echo to EOF, then FIN); everything is echoed. */
    private static void echoThenResetAsTold(Socket socket) throws IOException {
        DataInputStream in = new DataInputStream(socket.getInputStream());
        long resetAfter = in.readLong();
        socket.getOutputStream().write(new byte[Long.BYTES]);
        long echoed = Long.BYTES;
        byte[] buffer = new byte[16 * 1024];
        try {
            for (int n = in.read(buffer); n != -1; n = in.read(buffer)) {
                if (resetAfter >= 0 && echoed + n > resetAfter) {
                    socket.setSoLinger(true, 0);
                    socket.close();
                    return;
                }
                socket.getOutputStream().write(buffer, 0, n);
                echoed += n;
            }
            socket.shutdownOutput();
        } catch (IOException reset) {
            // the client reset: expected in the mix
        }
    }

    /** One session of the mix; an empty string when it ended as it may, else what went wrong. */
    private static String mixedSession(int port, int size, long originResetsAfter, boolean clientResets)
            throws IOException {
        byte[] upload = pattern(size);
        for (int i = 0; i < Long.BYTES; i++) {
            upload[i] = (byte) (originResetsAfter >>> (56 - 8 * i));
        }
        try (Socket client = connect(port)) {
            client.setSendBufferSize(1 << 20);
            client.getOutputStream().write(upload);
            if (clientResets) {
                client.setSoLinger(true, 0);
                return "";
            }
            client.shutdownOutput();
            Received received = readUntilEndOrReset(client.getInputStream());
            byte[] echoed = received.bytes();
            for (int i = Long.BYTES; i < echoed.length; i++) {
                if (echoed[i] != upload[i]) {
                    return "byte " + i + " of the echo differs (size " + size + ")";
                }
            }
            if (!received.reset() && echoed.length != size) {
                return "a clean end after " + echoed.length + " of " + size + " bytes (origin reset after "
                        + originResetsAfter + ")";
            }
            return "";
        }
    }

    @Test
    void clientKilledMidStreamClosesTheUpstream() throws Exception {
        CompletableFuture<Boolean> originSawEnd = new CompletableFuture<>();
        TestOrigin origin = closeLater(new TestOrigin(socket -> originSawEnd.complete(drainsToEndOrReset(socket.getInputStream()))));
        int port = startProxy(origin.port());
        ChildJava streamer = closeLater(ChildJava.start(EndlessStreamer.class, "connect", Integer.toString(port)));
        assertEquals("streaming", streamer.readLine());
        streamer.kill();
        assertTrue(originSawEnd.get());
        Eventually.await("session closed", WAIT, () -> listener().activeConnections() == 0);
        Eventually.await("origin connection closed", WAIT, () -> origin.openConnections() == 0);
    }

    /** What a stream delivered, and whether it ended with a reset rather than EOF. */
    private record Received(byte[] bytes, boolean reset) {
    }

    /** The bytes read before EOF or a reset; a reset is the end of the stream too, as the caller asks. */
    private static Received readUntilEndOrReset(InputStream in) {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        byte[] buffer = new byte[64 * 1024];
        try {
            for (int n = in.read(buffer); n != -1; n = in.read(buffer)) {
                received.write(buffer, 0, n);
            }
        } catch (IOException reset) {
            return new Received(received.toByteArray(), true);
        }
        return new Received(received.toByteArray(), false);
    }

    /** Reads until EOF or a reset; true either way (a hang fails the test by its timeout). */
    private static boolean drainsToEndOrReset(InputStream in) {
        byte[] buffer = new byte[64 * 1024];
        try {
            while (in.read(buffer) != -1) {
                continue;
            }
        } catch (IOException reset) {
            return true;
        }
        return true;
    }
}

package dev.isthmus.bindings;

import dev.isthmus.bindings.generated.epoll_event;
import dev.isthmus.bindings.generated.iovec;
import dev.isthmus.bindings.generated.sockaddr_in;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.isthmus.bindings.generated.isthmus_sys_h.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The facade over real TCP sockets on 127.0.0.1: the calls the reactor's accept, connect and forwarding paths make.
 * Every socket here is non-blocking and every read waits for readiness through epoll first, because the data-path
 * calls are linked {@code critical} and must never block. Runs on the JUnit thread, which owns {@code sys}.
 */
@Timeout(10)
final class SyscallsOverTcpTest {
    private static final int READY_TIMEOUT_MILLIS = 5_000;
    private static final int BACKLOG = 16;
    private static final int NONBLOCKING = SOCK_NONBLOCK() | SOCK_CLOEXEC();

    private Syscalls sys;
    private Arena arena;
    private int epoll;
    private MemorySegment events;
    private final List<Integer> openFds = new ArrayList<>();

    @BeforeEach
    void open() {
        sys = new Syscalls();
        arena = Arena.ofConfined();
        epoll = track(sys.epollCreate1(EPOLL_CLOEXEC()));
        events = arena.allocate(epoll_event.layout());
    }

    @AfterEach
    void close() {
        for (int fd : openFds) {
            sys.close(fd);
        }
        arena.close();
        sys.close();
    }

    @Test
    void soErrorReportsTheRefusalOfANonBlockingConnectOnceThenClears() throws IOException {
        int client = track(sys.socket(AF_INET(), SOCK_STREAM() | NONBLOCKING, 0));
        MemorySegment address = loopback(closedPort());
        assertEquals(-EINPROGRESS(), sys.connect(client, address, (int) sockaddr_in.sizeof()),
                "a non-blocking TCP connect completes asynchronously, even on loopback");
        assertTrue((await(client, EPOLLOUT()) & (EPOLLERR() | EPOLLHUP())) != 0, "the refused connect is reported as ERR/HUP");
        assertEquals(ECONNREFUSED(), sys.getIntOption(client, SOL_SOCKET(), SO_ERROR()));
        assertEquals(0, sys.getIntOption(client, SOL_SOCKET(), SO_ERROR()), "reading SO_ERROR clears it");
    }

    @Test
    void tcpNoDelayCanBeSetAndReadBack() {
        int fd = track(sys.socket(AF_INET(), SOCK_STREAM() | NONBLOCKING, 0));
        assertEquals(0, sys.getIntOption(fd, IPPROTO_TCP(), TCP_NODELAY()), "Nagle is on by default");
        assertEquals(0, sys.setIntOption(fd, IPPROTO_TCP(), TCP_NODELAY(), 1));
        assertNotEquals(0, sys.getIntOption(fd, IPPROTO_TCP(), TCP_NODELAY()));
        assertEquals(-EBADF(), sys.setIntOption(-1, IPPROTO_TCP(), TCP_NODELAY(), 1));
    }

    @Test
    void getsocknameReportsTheEphemeralPortAPeerCanConnectTo() throws IOException {
        int listener = listenOnLoopback();
        MemorySegment bound = arena.allocate(SocketAddresses.MAX_LENGTH);
        assertEquals(0, sys.getsockname(listener, bound));
        assertEquals(sockaddr_in.sizeof(), sys.lastAddressLength());
        InetSocketAddress local = SocketAddresses.read(bound);
        assertEquals(InetAddress.getLoopbackAddress(), local.getAddress());
        assertTrue(local.getPort() > 0, "port 0 was replaced by an ephemeral port");
        try (Socket peer = new Socket(local.getAddress(), local.getPort())) {
            assertTrue(peer.isConnected());
        }
    }

    @Test
    void accept4FillsThePeerAddressAndItsLength() throws IOException {
        int listener = listenOnLoopback();
        int client = connectTo(listener);
        MemorySegment peer = arena.allocate(SocketAddresses.MAX_LENGTH);
        await(listener, EPOLLIN());
        int server = track(sys.accept4(listener, peer, NONBLOCKING));
        assertTrue(server >= 0, () -> "accept4: " + Errno.describe(server));
        assertEquals(sockaddr_in.sizeof(), sys.lastAddressLength());
        MemorySegment clientName = arena.allocate(SocketAddresses.MAX_LENGTH);
        assertEquals(0, sys.getsockname(client, clientName));
        assertEquals(SocketAddresses.read(clientName), SocketAddresses.read(peer));
        MemorySegment buffer = arena.allocate(8);
        assertEquals(-EAGAIN(), sys.read(server, buffer.address(), buffer.byteSize()),
                "SOCK_NONBLOCK was applied to the accepted socket");
        assertEquals(-EAGAIN(), sys.accept4(listener, peer, NONBLOCKING), "the backlog is drained");
    }

    @Test
    void shutdownWriteGivesThePeerEndOfStreamWhileTheOtherDirectionStaysOpen() throws IOException {
        int[] pair = connectedPair();
        int client = pair[0];
        int server = pair[1];
        MemorySegment buffer = arena.allocate(16);
        assertEquals(0, sys.shutdown(client, SHUT_WR()));
        await(server, EPOLLIN());
        assertEquals(0, sys.read(server, buffer.address(), buffer.byteSize()), "EOF after the peer's SHUT_WR");
        MemorySegment reply = arena.allocateFrom("bye", StandardCharsets.US_ASCII);
        assertEquals(3, sys.write(server, reply.address(), 3));
        await(client, EPOLLIN());
        assertEquals(3, sys.read(client, buffer.address(), buffer.byteSize()), "the half-closed side still reads");
        assertEquals("bye", ascii(buffer, 3));
        int unconnected = track(sys.socket(AF_INET(), SOCK_STREAM() | NONBLOCKING, 0));
        assertEquals(-ENOTCONN(), sys.shutdown(unconnected, SHUT_WR()));
    }

    @Test
    void resetOnCloseMakesThePeerSeeAResetNotAnEndOfStream() throws IOException {
        int[] pair = connectedPair();
        int client = pair[0];
        int server = pair[1];
        assertEquals(0, sys.resetOnClose(server));
        openFds.remove(Integer.valueOf(server));
        assertEquals(0, sys.close(server));
        await(client, EPOLLIN());
        MemorySegment buffer = arena.allocate(16);
        assertEquals(-ECONNRESET(), sys.read(client, buffer.address(), buffer.byteSize()));
    }

    @Test
    void writevGathersAndReadvScattersThroughAnIovecArray() throws IOException {
        int[] pair = connectedPair();
        MemorySegment head = arena.allocateFrom("GET / ", StandardCharsets.US_ASCII);
        MemorySegment tail = arena.allocateFrom("HTTP/1.1", StandardCharsets.US_ASCII);
        MemorySegment out = iovecs(head, 6, tail, 8);
        assertEquals(14, sys.writev(pair[0], out.address(), 2));

        MemorySegment first = arena.allocate(4);
        MemorySegment second = arena.allocate(32);
        MemorySegment in = iovecs(first, first.byteSize(), second, second.byteSize());
        await(pair[1], EPOLLIN());
        assertEquals(14, sys.readv(pair[1], in.address(), 2));
        assertEquals("GET ", ascii(first, 4), "the first iovec is filled before the second");
        assertEquals("/ HTTP/1.1", ascii(second, 10));
        assertEquals(-EAGAIN(), sys.readv(pair[1], in.address(), 2));
    }

    @Test
    void sendAndRecvMoveBytesAndAGoneDirectionIsEpipeNotASignal() throws IOException {
        int[] pair = connectedPair();
        MemorySegment request = arena.allocateFrom("GET / HTTP/1.1\r\n", StandardCharsets.US_ASCII);
        assertEquals(16, sys.send(pair[0], request.address(), 16, MSG_NOSIGNAL()));
        MemorySegment buffer = arena.allocate(32);
        await(pair[1], EPOLLIN());
        assertEquals(16, sys.recv(pair[1], buffer.address(), buffer.byteSize(), 0));
        assertEquals("GET / HTTP/1.1\r\n", ascii(buffer, 16));
        assertEquals(-EAGAIN(), sys.recv(pair[1], buffer.address(), buffer.byteSize(), 0), "drained, non-blocking");

        assertEquals(0, sys.shutdown(pair[0], SHUT_WR()));
        assertEquals(-EPIPE(), sys.send(pair[0], request.address(), 16, MSG_NOSIGNAL()),
                "a send after the own write side is shut is EPIPE, and the JVM lives on");
        int[] fds = new int[2];
        assertEquals(0, sys.pipe2(fds, O_CLOEXEC()));
        track(fds[0]);
        track(fds[1]);
        assertEquals(-ENOTSOCK(), sys.recv(fds[0], buffer.address(), buffer.byteSize(), 0), "recv is for sockets only");
    }

    @Test
    void pinCurrentThreadRestrictsTheCallingThreadToOneCpu() throws Exception {
        int cpu = firstAllowedCpu();
        CompletableFuture<String> pinned = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            // Pinning the JUnit thread would constrain every later test in this JVM; a fresh thread owns its own Syscalls.
            Syscalls own = new Syscalls();
            try {
                int r = own.pinCurrentThread(cpu);
                pinned.complete(r != 0 ? Errno.describe(r) : allowedCpus(Path.of("/proc/thread-self/status"))
                        + " " + Arrays.toString(own.allowedCpus()));
            } catch (Throwable t) {
                pinned.completeExceptionally(t);
            } finally {
                own.close();
            }
        }, "pin-test");
        thread.start();
        assertEquals(cpu + " [" + cpu + "]", pinned.get(READY_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS));
        thread.join(READY_TIMEOUT_MILLIS);
        assertThrows(IllegalArgumentException.class, () -> sys.pinCurrentThread(-1));
    }

    private int track(int fd) {
        assertTrue(fd >= 0, () -> "expected a descriptor, got " + Errno.describe(fd));
        openFds.add(fd);
        return fd;
    }

    /** Waits for {@code interest} on {@code fd} (one-shot registration); returns the events the kernel reported. */
    private int await(int fd, int interest) {
        assertEquals(0, sys.epollCtl(epoll, EPOLL_CTL_ADD(), fd, interest | EPOLLONESHOT(), fd));
        int ready = sys.epollWait(epoll, events, 1, READY_TIMEOUT_MILLIS);
        assertEquals(1, ready, () -> "fd " + fd + " not ready within " + READY_TIMEOUT_MILLIS + " ms: " + ready);
        assertEquals(fd, epoll_event.data(events));
        assertEquals(0, sys.epollCtl(epoll, EPOLL_CTL_DEL(), fd, 0, 0));
        return epoll_event.events(events);
    }

    private MemorySegment loopback(int port) {
        MemorySegment address = arena.allocate(SocketAddresses.MAX_LENGTH);
        SocketAddresses.write(address, new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        return address;
    }

    private int listenOnLoopback() {
        int listener = track(sys.socket(AF_INET(), SOCK_STREAM() | NONBLOCKING, 0));
        assertEquals(0, sys.bind(listener, loopback(0), (int) sockaddr_in.sizeof()));
        assertEquals(0, sys.listen(listener, BACKLOG));
        return listener;
    }

    /** Starts a non-blocking connect to {@code listener} and waits until it is established. */
    private int connectTo(int listener) {
        MemorySegment bound = arena.allocate(SocketAddresses.MAX_LENGTH);
        assertEquals(0, sys.getsockname(listener, bound));
        int client = track(sys.socket(AF_INET(), SOCK_STREAM() | NONBLOCKING, 0));
        int r = sys.connect(client, bound, sys.lastAddressLength());
        assertTrue(r == 0 || r == -EINPROGRESS(), () -> "connect: " + Errno.describe(r));
        await(client, EPOLLOUT());
        assertEquals(0, sys.getIntOption(client, SOL_SOCKET(), SO_ERROR()));
        return client;
    }

    /** {client, server}: both ends of one loopback TCP connection, non-blocking. */
    private int[] connectedPair() {
        int listener = listenOnLoopback();
        int client = connectTo(listener);
        await(listener, EPOLLIN());
        int server = track(sys.accept4(listener, MemorySegment.NULL, NONBLOCKING));
        return new int[] {client, server};
    }

    private MemorySegment iovecs(MemorySegment first, long firstLength, MemorySegment second, long secondLength) {
        MemorySegment array = iovec.allocateArray(2, arena);
        iovec.iov_base(iovec.asSlice(array, 0), first);
        iovec.iov_len(iovec.asSlice(array, 0), firstLength);
        iovec.iov_base(iovec.asSlice(array, 1), second);
        iovec.iov_len(iovec.asSlice(array, 1), secondLength);
        return array;
    }

    private static int closedPort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    private static String ascii(MemorySegment buffer, int length) {
        return new String(buffer.asSlice(0, length).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII);
    }

    @Test
    void allowedCpusAreTheKernelsAllowedList() throws Exception {
        List<Integer> expected = new ArrayList<>();
        for (String range : allowedCpus(Path.of("/proc/thread-self/status")).split(",")) {
            String[] bounds = range.split("-");
            int last = Integer.parseInt(bounds[bounds.length - 1]);
            for (int cpu = Integer.parseInt(bounds[0]); cpu <= last; cpu++) {
                expected.add(cpu);
            }
        }
        assertEquals(expected, Arrays.stream(sys.allowedCpus()).boxed().toList());
    }

    private static int firstAllowedCpu() throws IOException {
        String list = allowedCpus(Path.of("/proc/self/status"));
        int end = 0;
        while (end < list.length() && Character.isDigit(list.charAt(end))) {
            end++;
        }
        return Integer.parseInt(list.substring(0, end));
    }

    /** The {@code Cpus_allowed_list} of a {@code /proc/.../status} file, e.g. {@code 0-3,6}. */
    private static String allowedCpus(Path status) throws IOException {
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("Cpus_allowed_list:")) {
                return line.substring(line.indexOf(':') + 1).trim();
            }
        }
        throw new IOException("no Cpus_allowed_list in " + status);
    }
}

package dev.isthmus.bindings;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.isthmus.bindings.generated.epoll_event;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;

import static dev.isthmus.bindings.generated.isthmus_sys_h.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
final class SyscallsTest {
    private Syscalls sys;
    private Arena arena;

    @BeforeEach
    void open() {
        sys = new Syscalls();
        arena = Arena.ofConfined();
    }

    @AfterEach
    void close() {
        arena.close();
        sys.close();
    }

    @Test
    void writeAndReadRoundTripOverSocketpair() {
        int[] fds = new int[2];
        assertEquals(0, sys.socketpair(AF_UNIX(), SOCK_STREAM() | SOCK_CLOEXEC(), 0, fds));
        MemorySegment out = arena.allocateFrom("hello", StandardCharsets.US_ASCII);
        MemorySegment in = arena.allocate(16);
        assertEquals(5, sys.write(fds[0], out.address(), 5));
        assertEquals(5, sys.read(fds[1], in.address(), 16));
        assertEquals("hello", in.getString(0, StandardCharsets.US_ASCII));
        assertEquals(0, sys.close(fds[0]));
        assertEquals(0, sys.read(fds[1], in.address(), 16), "EOF after the peer closed");
        assertEquals(0, sys.close(fds[1]));
    }

    @Test
    void emptyNonBlockingReadIsEagainValueNotException() {
        int[] fds = new int[2];
        assertEquals(0, sys.socketpair(AF_UNIX(), SOCK_STREAM() | SOCK_NONBLOCK() | SOCK_CLOEXEC(), 0, fds));
        MemorySegment in = arena.allocate(16);
        long r = sys.read(fds[1], in.address(), 16);
        assertEquals(-EAGAIN(), r);
        assertTrue(Errno.isWouldBlock(r));
        assertFalse(Errno.isFailure(r), "would-block is a value to wait on, not a failure");
        sys.close(fds[0]);
        sys.close(fds[1]);
    }

    @Test
    void connectToClosedPortReportsEconnrefused() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        int fd = sys.socket(AF_INET(), SOCK_STREAM() | SOCK_CLOEXEC(), 0);
        MemorySegment address = arena.allocate(SocketAddresses.MAX_LENGTH);
        int length = SocketAddresses.write(address, new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        int r = sys.connect(fd, address, length);
        assertEquals(-ECONNREFUSED(), r);
        assertTrue(Errno.isFailure(r));
        assertFalse(Errno.isFailure(0), "a result, not an errno");
        assertEquals("connect: ECONNREFUSED (111)", new SyscallException("connect", r).getMessage());
        sys.close(fd);
    }

    @Test
    void spliceMovesBytesThroughAPipe() {
        int[] source = new int[2];
        int[] sink = new int[2];
        int[] pipe = new int[2];
        assertEquals(0, sys.socketpair(AF_UNIX(), SOCK_STREAM() | SOCK_CLOEXEC(), 0, source));
        assertEquals(0, sys.socketpair(AF_UNIX(), SOCK_STREAM() | SOCK_CLOEXEC(), 0, sink));
        assertEquals(0, sys.pipe2(pipe, O_NONBLOCK() | O_CLOEXEC()));
        assertTrue(sys.setPipeSize(pipe[1], 1 << 20) >= 1 << 20);
        MemorySegment payload = arena.allocateFrom("spliced", StandardCharsets.US_ASCII);
        sys.write(source[0], payload.address(), 7);
        assertEquals(7, sys.splice(source[1], pipe[1], 1 << 16, SPLICE_F_MOVE() | SPLICE_F_NONBLOCK()));
        assertEquals(7, sys.splice(pipe[0], sink[0], 1 << 16, SPLICE_F_MOVE() | SPLICE_F_NONBLOCK()));
        MemorySegment in = arena.allocate(16);
        assertEquals(7, sys.read(sink[1], in.address(), 16));
        assertEquals("spliced", in.getString(0, StandardCharsets.US_ASCII));
        for (int fd : new int[] {source[0], source[1], sink[0], sink[1], pipe[0], pipe[1]}) {
            assertEquals(0, sys.close(fd));
        }
    }

    @Test
    void epollReportsEventfdReadinessWithItsToken() {
        int epoll = sys.epollCreate1(EPOLL_CLOEXEC());
        int eventFd = sys.eventfd(0, EFD_NONBLOCK() | EFD_CLOEXEC());
        assertEquals(0, sys.epollCtl(epoll, EPOLL_CTL_ADD(), eventFd, EPOLLIN(), 0x1234_5678_9abcL));
        MemorySegment events = epoll_event.allocateArray(4, arena);
        assertEquals(0, sys.epollWait(epoll, events, 4, 0));
        MemorySegment one = arena.allocate(ValueLayout.JAVA_LONG);
        one.set(ValueLayout.JAVA_LONG, 0, 1L);
        assertEquals(8, sys.write(eventFd, one.address(), 8));
        assertEquals(1, sys.epollWait(epoll, events, 4, 1000));
        assertEquals(EPOLLIN(), epoll_event.events(events));
        assertEquals(0x1234_5678_9abcL, epoll_event.data(events));
        sys.close(eventFd);
        sys.close(epoll);
    }

    @Test
    void formatsPeerAddressesWithoutAllocatingStrings() throws Exception {
        MemorySegment address = arena.allocate(SocketAddresses.MAX_LENGTH);
        MemorySegment text = arena.allocate(64);
        SocketAddresses.write(address, new InetSocketAddress(InetAddress.getByName("10.20.3.255"), 8080));
        int n = SocketAddresses.formatIp(address, text, 0);
        assertEquals("10.20.3.255", ascii(text, n));
        assertEquals(8080, SocketAddresses.port(address));
        SocketAddresses.write(address, new InetSocketAddress(InetAddress.getByName("::1"), 443));
        n = SocketAddresses.formatIp(address, text, 0);
        assertEquals("::1", ascii(text, n));
        String[][] rfc5952 = {
            {"2001:db8:0:0:0:0:2:1", "2001:db8::2:1"},
            {"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"},
            {"2001:0:0:1:0:0:0:1", "2001:0:0:1::1"},
            {"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},
            {"::", "::"},
            {"fe80::abcd:ef01", "fe80::abcd:ef01"},
            {"1:2:3:4:5:6:7:0", "1:2:3:4:5:6:7:0"},
            {"0:0:1:2:3:4:5:6", "::1:2:3:4:5:6"},
        };
        MemorySegment other = arena.allocate(SocketAddresses.MAX_LENGTH);
        for (String[] pair : rfc5952) {
            SocketAddresses.write(other, new InetSocketAddress(InetAddress.getByName(pair[0]), 1));
            assertEquals(pair[1], ascii(text, SocketAddresses.formatIp(other, text, 0)), pair[0]);
        }
        assertEquals(new InetSocketAddress(InetAddress.getByName("::1"), 443), SocketAddresses.read(address));
    }

    private static String ascii(MemorySegment text, int length) {
        return new String(text.asSlice(0, length).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII);
    }

    @Test
    void inetPtonParsesBothFamilies() {
        MemorySegment destination = arena.allocate(16);
        assertEquals(1, sys.inetPton(AF_INET(), "127.0.0.1", destination));
        assertEquals(127, destination.get(ValueLayout.JAVA_BYTE, 0));
        assertEquals(1, sys.inetPton(AF_INET6(), "::1", destination));
        assertEquals(1, destination.get(ValueLayout.JAVA_BYTE, 15));
        assertEquals(0, sys.inetPton(AF_INET(), "not-an-address", destination));
    }

    @Test
    void openFilesLimitCanBeRead() {
        assertTrue(sys.openFilesSoftLimit() > 0);
        assertTrue(sys.raiseOpenFilesLimit(1024) >= 1024);
    }
}

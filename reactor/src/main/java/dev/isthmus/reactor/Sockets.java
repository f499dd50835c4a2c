package dev.isthmus.reactor;

import dev.isthmus.bindings.Syscalls;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static dev.isthmus.bindings.generated.isthmus_sys_h.AF_INET;
import static dev.isthmus.bindings.generated.isthmus_sys_h.AF_INET6;
import static dev.isthmus.bindings.generated.isthmus_sys_h.EINPROGRESS;
import static dev.isthmus.bindings.generated.isthmus_sys_h.EPOLLERR;
import static dev.isthmus.bindings.generated.isthmus_sys_h.EPOLLHUP;
import static dev.isthmus.bindings.generated.isthmus_sys_h.IPPROTO_TCP;
import static dev.isthmus.bindings.generated.isthmus_sys_h.SOCK_CLOEXEC;
import static dev.isthmus.bindings.generated.isthmus_sys_h.SOCK_NONBLOCK;
import static dev.isthmus.bindings.generated.isthmus_sys_h.SOCK_STREAM;
import static dev.isthmus.bindings.generated.isthmus_sys_h.SOL_SOCKET;
import static dev.isthmus.bindings.generated.isthmus_sys_h.SO_ERROR;
import static dev.isthmus.bindings.generated.isthmus_sys_h.SO_RCVBUF;
import static dev.isthmus.bindings.generated.isthmus_sys_h.SO_SNDBUF;
import static dev.isthmus.bindings.generated.isthmus_sys_h.TCP_NODELAY;
import static dev.isthmus.bindings.generated.isthmus_sys_h.TCP_QUICKACK;

/** Socket recipes shared by listeners and connectors: non-blocking TCP sockets, connect, and its completion. */
public final class Sockets {
    private Sockets() {
    }

    /** The address family of an encoded {@code sockaddr}. */
    public static int family(MemorySegment sockaddr) {
        return sockaddr.get(ValueLayout.JAVA_SHORT, 0) == AF_INET6() ? AF_INET6() : AF_INET();
    }

    /**
     * Starts a non-blocking connect to {@code address} (an encoded {@code sockaddr} of {@code length} bytes). Returns
     * the new fd (connected or in progress: completion is EPOLLOUT, then {@link #connectResult}) or {@code -errno}; on
     * failure nothing is left open.
     */
    public static int connectNonBlocking(Syscalls sys, MemorySegment address, int length) {
        return connectNonBlocking(sys, address, length, 0, 0);
    }

    /**
     * {@link #connectNonBlocking(Syscalls, MemorySegment, int)} with the socket's buffers sized first (see
     * {@link #setBufferSizes}): a receive buffer must be set before the handshake, which fixes the window scale.
     */
    public static int connectNonBlocking(Syscalls sys, MemorySegment address, int length, int sendBufferBytes,
                                         int receiveBufferBytes) {
        int fd = sys.socket(family(address), SOCK_STREAM() | SOCK_NONBLOCK() | SOCK_CLOEXEC(), 0);
        if (fd < 0) {
            return fd;
        }
        sys.setIntOption(fd, IPPROTO_TCP(), TCP_NODELAY(), 1);
        int r = setBufferSizes(sys, fd, sendBufferBytes, receiveBufferBytes);
        if (r == 0) {
            r = sys.connect(fd, address, length);
        }
        if (r < 0 && r != -EINPROGRESS()) {
            sys.close(fd);
            return r;
        }
        return fd;
    }

    /**
     * Fixes a socket's send and receive buffer sizes (SO_SNDBUF, SO_RCVBUF), each only when positive: zero leaves the
     * kernel's default, which autotunes. Linux doubles the value for its bookkeeping and caps it at
     * net.core.wmem_max / rmem_max. Returns 0 or {@code -errno}.
     */
    public static int setBufferSizes(Syscalls sys, int fd, int sendBufferBytes, int receiveBufferBytes) {
        int r = sendBufferBytes > 0 ? sys.setIntOption(fd, SOL_SOCKET(), SO_SNDBUF(), sendBufferBytes) : 0;
        if (r == 0 && receiveBufferBytes > 0) {
            r = sys.setIntOption(fd, SOL_SOCKET(), SO_RCVBUF(), receiveBufferBytes);
        }
        return r;
    }

    /**
     * Acknowledges what {@code fd} has received now rather than on the delayed-ACK timer, and keeps acknowledging at
     * once until the kernel sees an exchange again: for a reader that waits for more of a message it has begun (see
     * {@link Listener#deferAcks}). Returns 0 or {@code -errno}.
     */
    public static int ackNow(Syscalls sys, int fd) {
        return sys.setIntOption(fd, IPPROTO_TCP(), TCP_QUICKACK(), 1);
    }

    /**
     * After {@code readyEvents} on a connecting socket (or EPOLLERR on a connected one): 0 when connected, else
     * {@code -errno} of the failure (SO_ERROR). A failed connect always comes with EPOLLERR or EPOLLHUP (the kernel's
     * poll reports a pending socket error), so an event without either is a completed connect and costs no syscall.
     */
    public static int connectResult(Syscalls sys, int fd, int readyEvents) {
        if ((readyEvents & (EPOLLERR() | EPOLLHUP())) == 0) {
            return 0;
        }
        int error = sys.getIntOption(fd, SOL_SOCKET(), SO_ERROR());
        return error > 0 ? -error : error;
    }
}

package dev.isthmus.perf.jmh;

import dev.isthmus.bindings.SocketAddresses;
import dev.isthmus.bindings.SyscallException;
import dev.isthmus.bindings.Syscalls;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;

import static dev.isthmus.bindings.generated.isthmus_sys_h.AF_INET;
import static dev.isthmus.bindings.generated.isthmus_sys_h.IPPROTO_TCP;
import static dev.isthmus.bindings.generated.isthmus_sys_h.SOCK_CLOEXEC;
import static dev.isthmus.bindings.generated.isthmus_sys_h.SOCK_STREAM;
import static dev.isthmus.bindings.generated.isthmus_sys_h.TCP_NODELAY;

/**
 * A connected pair of blocking TCP sockets on 127.0.0.1 made through the project's {@link Syscalls}, both ends with
 * Nagle off as the proxy's sockets are; the benchmarks' fixture. Closing it closes the listener too.
 */
final class LoopbackTcpPair {
    private static final int BACKLOG = 1;

    final int writer;
    final int reader;
    private final int listener;
    private final Syscalls sys;

    LoopbackTcpPair(Syscalls sys, Arena arena) throws SyscallException {
        this.sys = sys;
        MemorySegment address = arena.allocate(SocketAddresses.MAX_LENGTH, Long.BYTES);
        int length = SocketAddresses.write(address, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        listener = (int) SyscallException.check("socket", sys.socket(AF_INET(), SOCK_STREAM() | SOCK_CLOEXEC(), 0));
        SyscallException.check("bind", sys.bind(listener, address, length));
        SyscallException.check("listen", sys.listen(listener, BACKLOG));
        SyscallException.check("getsockname", sys.getsockname(listener, address));
        writer = (int) SyscallException.check("socket", sys.socket(AF_INET(), SOCK_STREAM() | SOCK_CLOEXEC(), 0));
        SyscallException.check("connect", sys.connect(writer, address, length));
        reader = (int) SyscallException.check("accept4", sys.accept4(listener, MemorySegment.NULL, SOCK_CLOEXEC()));
        sys.setIntOption(writer, IPPROTO_TCP(), TCP_NODELAY(), 1);
        sys.setIntOption(reader, IPPROTO_TCP(), TCP_NODELAY(), 1);
    }

    void close() {
        sys.close(writer);
        sys.close(reader);
        sys.close(listener);
    }
}

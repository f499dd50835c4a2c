package dev.isthmus.perf.jmh;

import dev.isthmus.bindings.SyscallException;
import dev.isthmus.bindings.Syscalls;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static dev.isthmus.bindings.generated.isthmus_sys_h.AF_UNIX;
import static dev.isthmus.bindings.generated.isthmus_sys_h.SOCK_CLOEXEC;
import static dev.isthmus.bindings.generated.isthmus_sys_h.SOCK_STREAM;

/**
 * The cost of the syscall layer: one {@code write} on one end of a connected pair, then {@code read} on the other end
 * until the same bytes are back, through the project's FFM bindings ({@link Syscalls}) versus the JDK's NIO
 * {@link SocketChannel} with a direct buffer. Two transports so that each side is measured on the same kernel path:
 * an AF_UNIX stream pair ({@code socketpair(2)} for FFM, a UNIX-domain channel pair for NIO) and a loopback TCP pair.
 * The sockets are blocking, and the read only follows a completed write, so the critical (no thread-state
 * transition) read never waits in the kernel.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class SyscallRoundTripBenchmark {

    private static final int BACKLOG = 1;

    /** FFM ends, owned by the benchmark thread (a {@link Syscalls} instance is per thread). */
    @State(Scope.Thread)
    public static class FfmPair {
        @Param({"64", "4096"})
        int payload;

        Syscalls sys;
        Arena arena;
        MemorySegment buffer;
        int unixWriter;
        int unixReader;
        LoopbackTcpPair tcp;

        @Setup(Level.Trial)
        public void open() throws SyscallException {
            sys = new Syscalls();
            arena = Arena.ofConfined();
            buffer = arena.allocate(payload, Long.BYTES);
            int[] fds = new int[2];
            SyscallException.check("socketpair", sys.socketpair(AF_UNIX(), SOCK_STREAM() | SOCK_CLOEXEC(), 0, fds));
            unixWriter = fds[0];
            unixReader = fds[1];
            tcp = new LoopbackTcpPair(sys, arena);
        }

        @TearDown(Level.Trial)
        public void close() {
            sys.close(unixWriter);
            sys.close(unixReader);
            tcp.close();
            arena.close();
            sys.close();
        }
    }

    /** NIO ends with a direct buffer, so neither side copies through the heap. */
    @State(Scope.Thread)
    public static class NioPair {
        @Param({"64", "4096"})
        int payload;

        ByteBuffer buffer;
        SocketChannel unixWriter;
        SocketChannel unixReader;
        SocketChannel tcpWriter;
        SocketChannel tcpReader;
        private Path socketDir;

        @Setup(Level.Trial)
        public void open() throws IOException {
            buffer = ByteBuffer.allocateDirect(payload);
            socketDir = Files.createTempDirectory("isthmus-jmh");
            UnixDomainSocketAddress unixAddress = UnixDomainSocketAddress.of(socketDir.resolve("pair.sock"));
            try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                server.bind(unixAddress, BACKLOG);
                unixWriter = SocketChannel.open(unixAddress);
                unixReader = server.accept();
            }
            try (ServerSocketChannel server = ServerSocketChannel.open()) {
                server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), BACKLOG);
                tcpWriter = SocketChannel.open(server.getLocalAddress());
                tcpReader = server.accept();
            }
            tcpWriter.setOption(StandardSocketOptions.TCP_NODELAY, true);
            tcpReader.setOption(StandardSocketOptions.TCP_NODELAY, true);
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            for (SocketChannel channel : new SocketChannel[] {unixWriter, unixReader, tcpWriter, tcpReader}) {
                channel.close();
            }
            Files.deleteIfExists(socketDir.resolve("pair.sock"));
            Files.deleteIfExists(socketDir);
        }
    }

    @Benchmark
    public long ffmSocketpair(FfmPair pair) {
        return ffmRoundTrip(pair.sys, pair.unixWriter, pair.unixReader, pair.buffer.address(), pair.payload);
    }

    @Benchmark
    public long ffmTcpLoopback(FfmPair pair) {
        return ffmRoundTrip(pair.sys, pair.tcp.writer, pair.tcp.reader, pair.buffer.address(), pair.payload);
    }

    @Benchmark
    public long nioUnixChannel(NioPair pair) throws IOException {
        return nioRoundTrip(pair.unixWriter, pair.unixReader, pair.buffer);
    }

    @Benchmark
    public long nioTcpLoopback(NioPair pair) throws IOException {
        return nioRoundTrip(pair.tcpWriter, pair.tcpReader, pair.buffer);
    }

    private static long ffmRoundTrip(Syscalls sys, int writer, int reader, long address, int payload) {
        long written = sys.write(writer, address, payload);
        if (written != payload) {
            throw new IllegalStateException("write returned " + written);
        }
        long read = 0;
        while (read < payload) {
            long n = sys.read(reader, address + read, payload - read);
            if (n <= 0) {
                throw new IllegalStateException("read returned " + n);
            }
            read += n;
        }
        return read;
    }

    private static long nioRoundTrip(SocketChannel writer, SocketChannel reader, ByteBuffer buffer) throws IOException {
        buffer.clear();
        int written = writer.write(buffer);
        if (written != buffer.capacity()) {
            throw new IllegalStateException("write returned " + written);
        }
        buffer.clear();
        while (buffer.hasRemaining()) {
            if (reader.read(buffer) <= 0) {
                throw new IllegalStateException("channel closed");
            }
        }
        return buffer.capacity();
    }
}

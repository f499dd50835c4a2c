package dev.isthmus.perf.jmh;

import dev.isthmus.bindings.SyscallException;
import dev.isthmus.bindings.Syscalls;
import dev.isthmus.bindings.generated.iovec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;

import static dev.isthmus.bindings.generated.isthmus_sys_h.MSG_NOSIGNAL;

/**
 * How the proxy should put a small rewritten head on a TCP socket: the four slices a forwarded small response is made
 * of (the origin's head lines, the added {@code Via} line, the blank line, a 37-byte body; 179 bytes, as the bench's
 * origin sends) on a loopback pair, then the reader takes them back. Three ways: {@code writev} of the slices with
 * {@code read} on the other end (what the proxy did), the slices copied into one buffer and sent with {@code send},
 * read back with {@code recv} (what it does now: {@code send}/{@code recv} go straight to the socket layer, where
 * {@code read}/{@code writev} pass through the VFS first), and {@code writev} with {@code recv}, to tell the two
 * savings apart.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class SocketWriteBenchmark {

    private static final long[] SLICE_LENGTHS = {122, 18, 2, 37};
    private static final long IOV_SIZE = iovec.sizeof();

    /** A connected loopback TCP pair and the head's slices, owned by the benchmark thread. */
    @State(Scope.Thread)
    public static class Pair {
        Syscalls sys;
        Arena arena;
        MemorySegment slices;
        MemorySegment iov;
        MemorySegment staging;
        MemorySegment sink;
        long total;
        LoopbackTcpPair tcp;

        @Setup(Level.Trial)
        public void open() throws SyscallException {
            sys = new Syscalls();
            arena = Arena.ofConfined();
            for (long length : SLICE_LENGTHS) {
                total += length;
            }
            slices = arena.allocate(total, Long.BYTES);
            slices.fill((byte) 'x');
            iov = iovec.allocateArray(SLICE_LENGTHS.length, arena);
            long offset = 0;
            for (int i = 0; i < SLICE_LENGTHS.length; i++) {
                iov.set(ValueLayout.JAVA_LONG, i * IOV_SIZE + iovec.iov_base$offset(), slices.address() + offset);
                iov.set(ValueLayout.JAVA_LONG, i * IOV_SIZE + iovec.iov_len$offset(), SLICE_LENGTHS[i]);
                offset += SLICE_LENGTHS[i];
            }
            staging = arena.allocate(total, Long.BYTES);
            sink = arena.allocate(total, Long.BYTES);
            tcp = new LoopbackTcpPair(sys, arena);
        }

        @TearDown(Level.Trial)
        public void close() {
            tcp.close();
            arena.close();
            sys.close();
        }
    }

    @Benchmark
    public long writevThenRead(Pair pair) {
        check(pair.sys.writev(pair.tcp.writer, pair.iov.address(), SLICE_LENGTHS.length), pair.total);
        return drain(pair, false);
    }

    @Benchmark
    public long writevThenRecv(Pair pair) {
        check(pair.sys.writev(pair.tcp.writer, pair.iov.address(), SLICE_LENGTHS.length), pair.total);
        return drain(pair, true);
    }

    @Benchmark
    public long copySendThenRecv(Pair pair) {
        long at = 0;
        for (long length : SLICE_LENGTHS) {
            MemorySegment.copy(pair.slices, at, pair.staging, at, length);
            at += length;
        }
        check(pair.sys.send(pair.tcp.writer, pair.staging.address(), pair.total, MSG_NOSIGNAL()), pair.total);
        return drain(pair, true);
    }

    private static void check(long written, long expected) {
        if (written != expected) {
            throw new IllegalStateException("wrote " + written + " of " + expected);
        }
    }

    private static long drain(Pair pair, boolean socketCall) {
        long read = 0;
        while (read < pair.total) {
            long address = pair.sink.address() + read;
            long n = socketCall
                    ? pair.sys.recv(pair.tcp.reader, address, pair.total - read, 0)
                    : pair.sys.read(pair.tcp.reader, address, pair.total - read);
            if (n <= 0) {
                throw new IllegalStateException("read returned " + n);
            }
            read += n;
        }
        return read;
    }
}

package dev.isthmus.proxy.http;

import dev.isthmus.bindings.Syscalls;
import dev.isthmus.bindings.generated.iovec;
import dev.isthmus.http1.GatherList;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static dev.isthmus.bindings.generated.isthmus_sys_h.MSG_NOSIGNAL;

/**
 * Collects slices (a rewritten head's {@link GatherList}, body bytes already read) and sends them with one call. One
 * per reactor, reused for every write: {@link #begin}, add slices, {@link #write}; what a short write leaves unsent is
 * copied out with {@link #copyUnsent} before the next begin.
 *
 * <p>Up to {@link #COALESCE_BYTES} the slices are copied into one staging buffer and go out by {@code send}; larger
 * writes go by {@code writev} of their native {@code iovec} array. On a small GET both writes of a proxied request are
 * a few hundred bytes in three or four slices, and {@code send} enters the socket layer directly where {@code writev}
 * first passes through the VFS and imports the iovec array: 3-4% of the worker's CPU per request, for a copy the kernel
 * would make anyway ({@code SocketWriteBenchmark}, perf/reports/2026-12-04-session-12.md).
 */
final class GatherWriter {
    private static final int MAX_SLICES = 256;
    private static final long IOV_SIZE = iovec.sizeof();
    private static final long COALESCE_BYTES = 4096;
    private static final long STAGING_ALIGNMENT = 64;

    private final Syscalls sys;
    private final MemorySegment iov;
    private final MemorySegment staging;
    private final MemorySegment[] segments = new MemorySegment[MAX_SLICES];
    private final long[] offsets = new long[MAX_SLICES];
    private final long[] lengths = new long[MAX_SLICES];
    private int count;
    private long total;

    GatherWriter(Syscalls sys, Arena arena) {
        this.sys = sys;
        this.iov = iovec.allocateArray(MAX_SLICES, arena);
        this.staging = arena.allocate(COALESCE_BYTES, STAGING_ALIGNMENT);
    }

    GatherWriter begin() {
        for (int i = 0; i < count; i++) {
            segments[i] = null;
        }
        count = 0;
        total = 0;
        return this;
    }

    GatherWriter add(MemorySegment segment, long offset, long length) {
        if (length <= 0) {
            return this;
        }
        if (count == MAX_SLICES) {
            throw new IllegalStateException("more than " + MAX_SLICES + " slices in one write");
        }
        segments[count] = segment;
        offsets[count] = offset;
        lengths[count] = length;
        count++;
        total += length;
        return this;
    }

    GatherWriter add(GatherList list) {
        for (int i = 0; i < list.count(); i++) {
            add(list.segment(i), list.offset(i), list.length(i));
        }
        return this;
    }

    long totalBytes() {
        return total;
    }

    /** One {@code send} or {@code writev}: bytes written, or {@code -errno} (EAGAIN included). */
    long write(int fd) {
        if (total == 0) {
            return 0;
        }
        if (count == 1) {
            return sys.send(fd, segments[0].address() + offsets[0], total, MSG_NOSIGNAL());
        }
        if (total <= COALESCE_BYTES) {
            copyUnsent(0, staging);
            return sys.send(fd, staging.address(), total, MSG_NOSIGNAL());
        }
        // The iovec array is filled only here: the small writes that go by send never need it.
        for (int i = 0; i < count; i++) {
            long entry = i * IOV_SIZE;
            iov.set(ValueLayout.JAVA_LONG, entry + iovec.iov_base$offset(), segments[i].address() + offsets[i]);
            iov.set(ValueLayout.JAVA_LONG, entry + iovec.iov_len$offset(), lengths[i]);
        }
        return sys.writev(fd, iov.address(), count);
    }

    /** Copies the bytes after the first {@code written} into {@code destination} from offset 0; returns the count. */
    long copyUnsent(long written, MemorySegment destination) {
        long skip = written;
        long at = 0;
        for (int i = 0; i < count; i++) {
            long length = lengths[i];
            if (skip >= length) {
                skip -= length;
                continue;
            }
            long n = length - skip;
            MemorySegment.copy(segments[i], offsets[i] + skip, destination, at, n);
            at += n;
            skip = 0;
        }
        return at;
    }
}

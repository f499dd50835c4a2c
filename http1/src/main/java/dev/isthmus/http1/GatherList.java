package dev.isthmus.http1;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Objects;

/**
 * An outgoing head as an ordered list of slices, each either an untouched range of the segment the head was parsed
 * in or new bytes in a scratch segment, ready to become one {@code iovec} array for a single {@code writev}; owned
 * by the thread that owns the connection, reused for every message.
 *
 * <p>Slices are kept in parallel primitive arrays with at most two segment references, so a consumer can compute
 * native addresses as {@code segment(i).address() + offset(i)}. Adjacent slices of the same segment are merged.
 */
public final class GatherList {
    private static final int INITIAL_CAPACITY = 32;

    private long[] offsets = new long[INITIAL_CAPACITY];
    private long[] lengths = new long[INITIAL_CAPACITY];
    private boolean[] inScratch = new boolean[INITIAL_CAPACITY];
    private MemorySegment original = MemorySegment.NULL;
    private MemorySegment scratch = MemorySegment.NULL;
    private int count;
    private long totalBytes;

    /** Number of slices. */
    public int count() {
        return count;
    }

    /** Offset of slice {@code i} within {@link #segment(int)}. */
    public long offset(int i) {
        return offsets[Objects.checkIndex(i, count)];
    }

    public long length(int i) {
        return lengths[Objects.checkIndex(i, count)];
    }

    /** Whether slice {@code i} lies in the scratch segment (new bytes) rather than the original. */
    public boolean inScratch(int i) {
        return inScratch[Objects.checkIndex(i, count)];
    }

    /** The segment slice {@code i} lies in: {@link #original()} or {@link #scratch()}. */
    public MemorySegment segment(int i) {
        return inScratch(i) ? scratch : original;
    }

    /** The segment the head was parsed in. */
    public MemorySegment original() {
        return original;
    }

    /** The segment new bytes were written to. */
    public MemorySegment scratch() {
        return scratch;
    }

    /** Sum of all slice lengths: the bytes the head occupies on the wire. */
    public long totalBytes() {
        return totalBytes;
    }

    void clear(MemorySegment original, MemorySegment scratch) {
        this.original = original;
        this.scratch = scratch;
        count = 0;
        totalBytes = 0;
    }

    void add(boolean fromScratch, long offset, long length) {
        if (length == 0) {
            return;
        }
        totalBytes += length;
        int last = count - 1;
        if (last >= 0 && inScratch[last] == fromScratch && offsets[last] + lengths[last] == offset) {
            lengths[last] += length;
            return;
        }
        if (count == offsets.length) {
            // Grows only until it fits the largest head seen; steady state allocates nothing.
            offsets = Arrays.copyOf(offsets, count * 2);
            lengths = Arrays.copyOf(lengths, count * 2);
            inScratch = Arrays.copyOf(inScratch, count * 2);
        }
        offsets[count] = offset;
        lengths[count] = length;
        inScratch[count] = fromScratch;
        count++;
    }
}

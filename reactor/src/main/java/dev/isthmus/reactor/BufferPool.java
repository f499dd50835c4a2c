package dev.isthmus.reactor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Fixed-size off-heap chunks for one reactor, carved from slabs of one confined {@link Arena} and recycled through a
 * free-list stack. Confined to the reactor thread. Slabs are added on demand up to {@code maxChunks}; past that
 * {@link #acquire()} returns null and the caller applies backpressure (stops reading) instead of growing memory.
 */
public final class BufferPool {
    /** 16 KiB: one TLS record, a typical request head, and a comfortable read size per syscall. */
    public static final int DEFAULT_CHUNK_SIZE = 16 * 1024;
    private static final int CHUNKS_PER_SLAB = 64;
    private static final int PAGE = 4096;

    private final Arena arena;
    private final int chunkSize;
    private final int maxChunks;
    private MemorySegment[] free = new MemorySegment[CHUNKS_PER_SLAB];
    private int freeCount;
    private int allocated;

    public BufferPool(Arena arena, int chunkSize, int maxChunks) {
        this.arena = arena;
        this.chunkSize = chunkSize;
        this.maxChunks = maxChunks;
    }

    public int chunkSize() {
        return chunkSize;
    }

    /** A chunk of {@link #chunkSize()} bytes, or null when the pool is at its limit. */
    public MemorySegment acquire() {
        if (freeCount == 0 && !addSlab()) {
            return null;
        }
        MemorySegment chunk = free[--freeCount];
        free[freeCount] = null;
        return chunk;
    }

    public void release(MemorySegment chunk) {
        if (freeCount == free.length) {
            free = Arrays.copyOf(free, free.length * 2);
        }
        free[freeCount++] = chunk;
    }

    /** Chunks handed out and not yet released. */
    public int inUse() {
        return allocated - freeCount;
    }

    private boolean addSlab() {
        int count = Math.min(CHUNKS_PER_SLAB, maxChunks - allocated);
        if (count <= 0) {
            return false;
        }
        MemorySegment slab = arena.allocate((long) count * chunkSize, PAGE);
        if (free.length < count) {
            free = Arrays.copyOf(free, count);
        }
        for (int i = 0; i < count; i++) {
            free[freeCount++] = slab.asSlice((long) i * chunkSize, chunkSize);
        }
        allocated += count;
        return true;
    }
}

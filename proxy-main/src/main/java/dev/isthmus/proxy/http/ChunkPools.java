package dev.isthmus.proxy.http;

import dev.isthmus.reactor.BufferPool;

import java.lang.foreign.MemorySegment;

/**
 * The two chunk sizes an HTTP listener uses on one reactor: small chunks for heads and relayed bodies, and large ones
 * (as large as the biggest head allowed) for the rare head that outgrows a small one. Every chunk goes back to the
 * pool of its size, whoever held it last. Confined to the reactor thread.
 */
final class ChunkPools {
    private final BufferPool small;
    private final BufferPool large;

    ChunkPools(BufferPool small, BufferPool large) {
        this.small = small;
        this.large = large;
    }

    /** A small chunk, or null at the memory bound. */
    MemorySegment acquire() {
        return small.acquire();
    }

    /** A chunk that holds {@code bytes}, or null when none is that large or the bound is reached. */
    MemorySegment acquireFor(long bytes) {
        BufferPool pool = bytes <= small.chunkSize() ? small : large;
        return bytes <= pool.chunkSize() ? pool.acquire() : null;
    }

    /**
     * Moves the first {@code used} bytes of a full small chunk into a large one and releases the small one; returns
     * the large chunk, or null (the small one kept) when it is large already or none is left.
     */
    MemorySegment enlarge(MemorySegment chunk, long used) {
        if (chunk.byteSize() >= large.chunkSize()) {
            return null;
        }
        MemorySegment larger = large.acquire();
        if (larger != null) {
            MemorySegment.copy(chunk, 0, larger, 0, used);
            release(chunk);
        }
        return larger;
    }

    void release(MemorySegment chunk) {
        (chunk.byteSize() == small.chunkSize() ? small : large).release(chunk);
    }
}

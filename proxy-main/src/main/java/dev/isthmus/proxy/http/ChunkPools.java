package dev.isthmus.proxy.http;

import dev.isthmus.reactor.BufferPool;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The chunks an HTTP listener uses on one reactor, in three roles: small chunks for request heads and the proxy's
 * own responses; response chunks that an upstream's response is read into, so that a response of up to 63 KiB
 * ({@link #RESPONSE_CHUNK} less {@link #REWRITE_HEADROOM}) comes in with one read and leaves with one write (with
 * small chunks a 16 KiB response took three reads and two writes, and its client two reads), and that the rest of a
 * request body is relayed through; and large chunks, as large as the biggest request head allowed, for the rare head
 * that outgrows a small one. Roles of the same size share one pool, and every chunk goes back to the pool of its
 * size, whoever held it last. Confined to the reactor thread.
 *
 * <p>Memory bounds per listener per reactor: 16 Ki small chunks (256 MiB at 16 KiB), 4 Ki response chunks
 * (256 MiB) and 2 Ki large ones (128 MiB at the 64 KiB default head limit). Slabs are allocated on demand. Past its
 * bound a response is read into a small chunk, and a head that needs a large one is refused as too large; a shared
 * pool keeps the large chunks' share for heads. Past the small bound a connection waits for memory instead of the
 * process growing without limit.
 */
final class ChunkPools {
    static final int RESPONSE_CHUNK = 64 * 1024;
    /**
     * What a response read leaves free at the end of a chunk of {@link #RESPONSE_CHUNK} bytes or more: more than a
     * rewritten response head can grow (Date, Via, Connection and normalized framing fields add under 100 bytes), so
     * that the head and the body bytes read with it can wait whole in one chunk when the client's socket is full.
     * Smaller chunks need none: what they hold waits in a larger one.
     */
    static final int REWRITE_HEADROOM = 1024;
    private static final int MAX_SMALL_CHUNKS = 1 << 14;
    private static final int MAX_RESPONSE_CHUNKS = 1 << 12;
    private static final int MAX_LARGE_CHUNKS = 1 << 11;

    private final int maxResponse;
    private final BufferPool small;
    private final BufferPool response;
    private final BufferPool large;
    /** The distinct pools, smallest chunks first. */
    private final BufferPool[] bySize;

    /** Small chunks of {@code smallSize} bytes, large ones of {@code largeSize}, from slabs of {@code arena}. */
    ChunkPools(Arena arena, int smallSize, int largeSize) {
        this(arena, smallSize, largeSize, MAX_SMALL_CHUNKS, MAX_RESPONSE_CHUNKS, MAX_LARGE_CHUNKS);
    }

    /** With bounds of its own, for tests that reach them. */
    ChunkPools(Arena arena, int smallSize, int largeSize, int maxSmall, int maxResponse, int maxLarge) {
        this.maxResponse = maxResponse;
        this.small = new BufferPool(arena, smallSize, maxSmall);
        if (largeSize == RESPONSE_CHUNK) {
            this.response = new BufferPool(arena, RESPONSE_CHUNK, maxResponse + maxLarge);
            this.large = response;
        } else {
            this.response = new BufferPool(arena, RESPONSE_CHUNK, maxResponse);
            this.large = largeSize == smallSize ? small : new BufferPool(arena, largeSize, maxLarge);
        }
        this.bySize = Stream.of(small, response, large).distinct()
                .sorted(Comparator.comparingInt(BufferPool::chunkSize)).toArray(BufferPool[]::new);
    }

    /** A small chunk, or null at the memory bound. */
    MemorySegment acquire() {
        return small.acquire();
    }

    /** A chunk to read an upstream's response into: a response chunk, a small one past their bound, or null. */
    MemorySegment acquireForResponse() {
        MemorySegment chunk = responseChunkWithinBound();
        return chunk != null ? chunk : small.acquire();
    }

    /**
     * A response-sized chunk in place of {@code empty}, which is released, to relay a request body through: the rest of
     * a body up to the splice threshold then moves with one read and one write. {@code empty} itself when it is as
     * large already or no response chunk is free within their bound.
     */
    MemorySegment widen(MemorySegment empty) {
        MemorySegment wide = empty.byteSize() < RESPONSE_CHUNK ? responseChunkWithinBound() : null;
        if (wide == null) {
            return empty;
        }
        release(empty);
        return wide;
    }

    /** A response chunk, or null past the response chunks' bound (in a shared pool, the heads' share stays). */
    private MemorySegment responseChunkWithinBound() {
        return response.inUse() < maxResponse ? response.acquire() : null;
    }

    /** How many bytes of {@code chunk} a response may be read into. */
    static long responseReadLimit(MemorySegment chunk) {
        return chunk.byteSize() < RESPONSE_CHUNK ? chunk.byteSize() : chunk.byteSize() - REWRITE_HEADROOM;
    }

    /**
     * The smallest chunk that holds {@code bytes}, or a larger one when those are all taken; null when none is that
     * large or every pool that is has reached its bound.
     */
    MemorySegment acquireFor(long bytes) {
        for (BufferPool pool : bySize) {
            MemorySegment chunk = bytes <= pool.chunkSize() ? pool.acquire() : null;
            if (chunk != null) {
                return chunk;
            }
        }
        return null;
    }

    /**
     * Moves the first {@code used} bytes of a full chunk into a large one and releases the full one; returns the large
     * chunk, or null (the full one kept) when it is as large already or none is left.
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
        long size = chunk.byteSize();
        (size == small.chunkSize() ? small : size == RESPONSE_CHUNK ? response : large).release(chunk);
    }
}

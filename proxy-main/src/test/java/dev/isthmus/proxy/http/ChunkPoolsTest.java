package dev.isthmus.proxy.http;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

class ChunkPoolsTest {
    private static final int SMALL = 16 * 1024;
    private static final int RESPONSE = ChunkPools.RESPONSE_CHUNK;
    private static final int MAX_SMALL = 64;
    private static final int MAX_RESPONSE = 8;
    private static final int MAX_LARGE = 4;

    private final Arena arena = Arena.ofConfined();

    @AfterEach
    void close() {
        arena.close();
    }

    private ChunkPools pools(int largeSize) {
        return new ChunkPools(arena, SMALL, largeSize, MAX_SMALL, MAX_RESPONSE, MAX_LARGE);
    }

    @Test
    void aResponseIsReadIntoAResponseChunkAndIntoASmallOneOnlyPastTheirBound() {
        ChunkPools pools = pools(RESPONSE);
        List<MemorySegment> held = new ArrayList<>();
        for (int i = 0; i < MAX_RESPONSE; i++) {
            MemorySegment chunk = pools.acquireForResponse();
            assertEquals(RESPONSE, chunk.byteSize());
            held.add(chunk);
        }
        assertEquals(SMALL, pools.acquireForResponse().byteSize());
        pools.release(held.removeLast());
        assertEquals(RESPONSE, pools.acquireForResponse().byteSize());
    }

    @Test
    void aRequestBodyIsRelayedThroughAResponseChunkWhileOneIsFreeWithinTheirBound() {
        ChunkPools pools = pools(RESPONSE);
        MemorySegment small = pools.acquire();
        MemorySegment wide = pools.widen(small);
        assertEquals(RESPONSE, wide.byteSize());
        assertEquals(small, pools.acquire(), "the small chunk went back to its pool");
        assertEquals(wide, pools.widen(wide), "a chunk as large already stays");
        for (int i = 1; i < MAX_RESPONSE; i++) {
            pools.acquireForResponse();
        }
        MemorySegment another = pools.acquire();
        assertEquals(another, pools.widen(another), "past the bound of response chunks the small one stays");
    }

    @Test
    void aPendingWriteGetsTheSmallestChunkThatHoldsItAndALargerOneWhenThoseAreTaken() {
        ChunkPools pools = pools(SMALL * 2);
        assertEquals(SMALL, pools.acquireFor(SMALL).byteSize());
        assertEquals(SMALL * 2, pools.acquireFor(SMALL + 1).byteSize());
        assertEquals(RESPONSE, pools.acquireFor(SMALL * 2 + 1).byteSize(), "the head limit is below a response chunk");
        for (int i = 1; i < MAX_LARGE; i++) {
            pools.acquireFor(SMALL + 1);
        }
        assertEquals(RESPONSE, pools.acquireFor(SMALL + 1).byteSize(), "the large ones are all taken");
        assertNull(pools.acquireFor(RESPONSE + 1));
    }

    @Test
    void aResponseReadLeavesRoomForItsRewrittenHeadOnlyInTheLargestChunks() {
        ChunkPools pools = pools(RESPONSE);
        assertEquals(RESPONSE - ChunkPools.REWRITE_HEADROOM, ChunkPools.responseReadLimit(pools.acquireForResponse()));
        assertEquals(SMALL, ChunkPools.responseReadLimit(pools.acquire()));
    }

    @Test
    void responsesLeaveHeadsTheirLargeChunksWhenBothShareAPool() {
        ChunkPools pools = pools(RESPONSE);
        for (int i = 0; i < MAX_RESPONSE; i++) {
            pools.acquireForResponse();
        }
        for (int i = 0; i < MAX_LARGE; i++) {
            MemorySegment head = pools.enlarge(pools.acquire(), SMALL);
            assertNotNull(head, "large chunk " + i);
            assertEquals(RESPONSE, head.byteSize());
        }
        assertNull(pools.enlarge(pools.acquire(), SMALL));
    }

    @Test
    void everyChunkGoesBackToThePoolOfItsSize() {
        int largeSize = 2 * RESPONSE;
        ChunkPools pools = pools(largeSize);
        MemorySegment response = pools.acquireForResponse();
        MemorySegment large = pools.enlarge(pools.acquire(), SMALL);
        assertEquals(largeSize, large.byteSize());
        pools.release(response);
        pools.release(large);
        assertEquals(response, pools.acquireForResponse());
        assertEquals(large, pools.acquireFor(largeSize));
    }

    @Test
    void aResponseHeadOutgrowsItsChunkOnlyWhenLargeChunksAreLarger() {
        assertNull(pools(RESPONSE).enlarge(pools(RESPONSE).acquireForResponse(), 0));
        ChunkPools pools = pools(4 * RESPONSE);
        MemorySegment response = pools.acquireForResponse();
        response.set(ValueLayout.JAVA_BYTE, RESPONSE - 1, (byte) 42);
        MemorySegment larger = pools.enlarge(response, RESPONSE);
        assertEquals(4 * RESPONSE, larger.byteSize());
        assertEquals(42, larger.get(ValueLayout.JAVA_BYTE, RESPONSE - 1));
    }
}

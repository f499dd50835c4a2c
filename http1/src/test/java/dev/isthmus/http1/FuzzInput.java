package dev.isthmus.http1;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/** Fuzz inputs as off-heap segments of exactly their size, so any read past the end is an exception (a finding). */
final class FuzzInput {
    /** Fields a rewrite may add: Host, X-Forwarded-For, X-Forwarded-Proto, Connection. */
    private static final int ADDED_FIELDS = 4;
    /** Scratch bytes the fuzz tests give a rewrite, so also the most it can grow a head by. */
    static final int SCRATCH_BYTES = 256;

    /**
     * Limits for re-parsing a rewritten head: a head at the limits may legitimately grow past them when rewritten
     * (what the next hop accepts is its own business); framing, not size, is what is compared.
     */
    static final Http1Limits REWRITTEN = new Http1Limits(Http1Limits.DEFAULT_MAX_HEAD_BYTES + SCRATCH_BYTES,
            Http1Limits.DEFAULT_MAX_HEADER_COUNT + ADDED_FIELDS, Http1Limits.DEFAULT_MAX_TARGET_LENGTH,
            Http1Limits.DEFAULT_MAX_CHUNK_EXTENSION_LENGTH, Http1Limits.DEFAULT_MAX_TRAILER_BYTES);

    private FuzzInput() {
    }

    static MemorySegment exact(Arena arena, byte[] data) {
        MemorySegment s = arena.allocate(data.length);
        MemorySegment.copy(data, 0, s, ValueLayout.JAVA_BYTE, 0, data.length);
        return s;
    }

    /** Two split points in {@code [0, length]}, derived from the input so a finding replays exactly. */
    static int[] splits(byte[] data) {
        int h = Arrays.hashCode(data);
        int a = Math.floorMod(h, data.length + 1);
        int b = Math.floorMod(h >>> 11, data.length + 1);
        return new int[] {Math.min(a, b), Math.max(a, b)};
    }
}

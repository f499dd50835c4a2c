package dev.isthmus.http1;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/** Fuzz inputs as off-heap segments of exactly their size, so any read past the end is an exception (a finding). */
final class FuzzInput {
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

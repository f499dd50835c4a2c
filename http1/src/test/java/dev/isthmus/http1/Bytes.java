package dev.isthmus.http1;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/** Test helpers: messages as off-heap segments, placed at a non-zero offset so offset arithmetic is exercised. */
final class Bytes {
    /** Bytes before the message in every test segment. */
    static final int PAD = 5;

    private Bytes() {
    }

    static byte[] latin1(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** A native segment of {@code PAD} junk bytes followed by {@code message}. */
    static MemorySegment offHeap(byte[] message) {
        MemorySegment s = Arena.ofAuto().allocate(PAD + message.length + 1L);
        s.fill((byte) 'Z');
        MemorySegment.copy(message, 0, s, ValueLayout.JAVA_BYTE, PAD, message.length);
        return s.asSlice(0, PAD + message.length);
    }

    static MemorySegment offHeap(String message) {
        return offHeap(latin1(message));
    }

    static String string(MemorySegment s, long offset, long length) {
        byte[] b = new byte[(int) length];
        MemorySegment.copy(s, ValueLayout.JAVA_BYTE, offset, b, 0, b.length);
        return new String(b, StandardCharsets.ISO_8859_1);
    }
}

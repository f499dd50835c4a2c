package dev.isthmus.proxy.route;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Byte comparisons between a request segment range and a literal; allocation-free, ASCII case folding only. */
final class Bytes {

    private static final int ASCII_CASE_BIT = 0x20;

    private Bytes() {
    }

    static boolean equals(MemorySegment segment, long offset, int length, byte[] literal) {
        return length == literal.length && regionMatches(segment, offset, literal);
    }

    static boolean startsWith(MemorySegment segment, long offset, int length, byte[] literal) {
        return length >= literal.length && regionMatches(segment, offset, literal);
    }

    static boolean equalsIgnoreCase(MemorySegment segment, long offset, int length, byte[] lowercase) {
        return length == lowercase.length && regionMatchesIgnoreCase(segment, offset, lowercase);
    }

    /** Whether the range ends with {@code lowercase} and has at least one byte before it. */
    static boolean endsWithIgnoreCaseAfterOne(MemorySegment segment, long offset, int length, byte[] lowercase) {
        return length > lowercase.length
                && regionMatchesIgnoreCase(segment, offset + length - lowercase.length, lowercase);
    }

    private static boolean regionMatches(MemorySegment segment, long offset, byte[] literal) {
        for (int i = 0; i < literal.length; i++) {
            if (segment.get(ValueLayout.JAVA_BYTE, offset + i) != literal[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean regionMatchesIgnoreCase(MemorySegment segment, long offset, byte[] lowercase) {
        for (int i = 0; i < lowercase.length; i++) {
            if (toLower(segment.get(ValueLayout.JAVA_BYTE, offset + i)) != lowercase[i]) {
                return false;
            }
        }
        return true;
    }

    static byte toLower(byte b) {
        return b >= 'A' && b <= 'Z' ? (byte) (b | ASCII_CASE_BIT) : b;
    }
}

package dev.isthmus.http1;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * SIMD-within-a-register scans: eight bytes per load to skip the long runs of ordinary characters in targets and
 * field values. Each mask's lowest set bit marks the first matching byte exactly (borrows only spill upwards).
 */
final class Swar {
    /** Little-endian, so the lowest-addressed byte is the least significant one and trailing zeros count bytes. */
    static final ValueLayout.OfLong WORD = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final int WORD_BYTES = Long.BYTES;
    static final ValueLayout.OfShort PAIR = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** CR LF as read by {@link #loadPair}. */
    static final short CRLF = (short) ('\r' | '\n' << Byte.SIZE);
    /** Lowercases the ASCII letters of a word of token characters (and leaves '-' and digits alone). */
    static final long CASE_BITS = 0x2020202020202020L;

    private static final long ONES = 0x0101010101010101L;
    private static final long HIGH_BITS = 0x8080808080808080L;
    private static final long BELOW_SPACE = 0x2020202020202020L;
    private static final long BELOW_VISIBLE = 0x2121212121212121L;
    private static final long ALL_DEL = 0x7F7F7F7F7F7F7F7FL;
    private static final long LOW_SEVEN = 0x7F7F7F7F7F7F7F7FL;
    private static final long ALL_DASH = 0x2D2D2D2D2D2D2D2DL;
    private static final long ALL_HASH = 0x2323232323232323L;
    private static final long ALL_COLON = 0x3A3A3A3A3A3A3A3AL;

    /** Bytes that end a field value run: controls (CR, LF, HTAB, NUL...) and DEL. obs-text (>= 0x80) is not marked. */
    static long controlOrDel(long word) {
        return ((word - BELOW_SPACE) & ~word & HIGH_BITS) | zeroBytes(word ^ ALL_DEL);
    }

    /**
     * Bytes that end a request-target run: anything outside 0x21..0x7E, and '#', which starts a fragment that no
     * request-target may carry (RFC 9112 §3.2).
     */
    static long notTarget(long word) {
        return ((word - BELOW_VISIBLE) & ~word & HIGH_BITS) | (word & HIGH_BITS) | zeroBytes(word ^ ALL_DEL)
                | zeroBytes(word ^ ALL_HASH);
    }

    /**
     * Bytes that are not the common field-name characters {@code [A-Za-z0-9-]}. Exact in every byte (no borrows
     * cross bytes), so a zero mask proves all eight bytes are token characters; a marked byte may still be a rarer
     * token character, which the caller checks with the table.
     */
    static long notAlphaNumDash(long word) {
        long letters = between(word | CASE_BITS, 'a' - 1, 'z' + 1);
        long digits = between(word, '0' - 1, '9' + 1);
        long v = word ^ ALL_DASH;
        long dashes = ~(((v & LOW_SEVEN) + LOW_SEVEN) | v | LOW_SEVEN);
        return ~(letters | digits | dashes) & HIGH_BITS;
    }

    /**
     * Bytes that are not the common host characters {@code [A-Za-z0-9.:-]}, exactly; a marked byte may still be a
     * rarer host character, which the caller checks with the table.
     */
    static long notCommonHost(long word) {
        long letters = between(word | CASE_BITS, 'a' - 1, 'z' + 1);
        long digitsAndColon = between(word, '0' - 1, ':' + 1);
        long dashAndDot = between(word, '-' - 1, '.' + 1);
        return ~(letters | digitsAndColon | dashAndDot) & HIGH_BITS;
    }

    /** Colons; exact for the first one marked (a borrow can only mark bytes after a real colon or zero byte). */
    static long colons(long word) {
        return zeroBytes(word ^ ALL_COLON);
    }

    /** High bit of each byte {@code b} with {@code low < b < high} (exclusive, both within 0..128), exactly. */
    private static long between(long word, int low, int high) {
        long seven = word & LOW_SEVEN;
        return (ONES * (127 + high) - seven) & ~word & (seven + ONES * (127 - low)) & HIGH_BITS;
    }

    /** The byte a non-zero mask marks first, read from the word the mask was computed from. */
    static int firstMarkedByte(long word, long mask) {
        return (int) (word >>> (Long.numberOfTrailingZeros(mask) - (Byte.SIZE - 1))) & 0xFF;
    }

    /** Byte {@code index} (0..7) of a word. */
    static int byteAt(long word, int index) {
        return (int) (word >>> (index * Byte.SIZE)) & 0xFF;
    }

    /** Index of the first marked byte of a non-zero mask. */
    static int firstMarked(long mask) {
        return Long.numberOfTrailingZeros(mask) >>> 3;
    }

    static long load(MemorySegment segment, long offset) {
        return segment.get(WORD, offset);
    }

    /** Two bytes, the first in the low half: compare with {@link #CRLF}. */
    static short loadPair(MemorySegment segment, long offset) {
        return segment.get(PAIR, offset);
    }

    /** The first {@code n} (1..8) bytes at {@code offset} in the low bytes of a long, the rest zero. */
    static long loadPrefix(MemorySegment segment, long offset, int n) {
        if (offset + WORD_BYTES <= segment.byteSize()) {
            return n == WORD_BYTES ? load(segment, offset) : load(segment, offset) & ((1L << (n * Byte.SIZE)) - 1);
        }
        long word = 0;
        for (int k = 0; k < n; k++) {
            word |= (segment.get(ValueLayout.JAVA_BYTE, offset + k) & 0xFFL) << (k * Byte.SIZE);
        }
        return word;
    }

    /** {@code bytes} (at most eight) packed as {@link #loadPrefix} would read them. */
    static long pack(byte[] bytes, int from, int n) {
        long word = 0;
        for (int k = 0; k < n; k++) {
            word |= (bytes[from + k] & 0xFFL) << (k * Byte.SIZE);
        }
        return word;
    }

    private static long zeroBytes(long word) {
        return (word - ONES) & ~word & HIGH_BITS;
    }

    private Swar() {
    }
}

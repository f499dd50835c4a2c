package dev.isthmus.http1;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Writes the framing of the chunked transfer coding (RFC 9112 §7.1) around body bytes whose total length is not
 * known in advance: a chunk header before each piece, a CRLF after it, and the last chunk at the end. Stateless;
 * the data itself is never copied, so it can go out in the same {@code writev} as the framing.
 */
public final class ChunkedEncoder {
    /** The longest chunk header: 16 hex digits and CRLF. */
    public static final int MAX_CHUNK_HEADER_BYTES = 18;
    /** The CRLF after chunk data. */
    public static final int CHUNK_END_BYTES = 2;
    /** {@code 0 CRLF CRLF}: the last chunk with no trailers. */
    public static final int LAST_CHUNK_BYTES = 5;

    private static final byte[] HEX_DIGITS = FieldFacts.ascii("0123456789abcdef");
    private static final int NIBBLE_BITS = 4;
    private static final int NIBBLE_MASK = 0xF;

    private ChunkedEncoder() {
    }

    /** Writes {@code size-in-hex CRLF} at {@code offset}; returns the bytes written. {@code size} must be positive. */
    public static int writeChunkHeader(MemorySegment dst, long offset, long size) {
        if (size <= 0) {
            throw new IllegalArgumentException("a chunk carries at least one byte, not " + size);
        }
        int digits = (Long.SIZE - Long.numberOfLeadingZeros(size) + NIBBLE_BITS - 1) / NIBBLE_BITS;
        for (int k = 0; k < digits; k++) {
            int nibble = (int) (size >>> ((digits - 1 - k) * NIBBLE_BITS)) & NIBBLE_MASK;
            dst.set(ValueLayout.JAVA_BYTE, offset + k, HEX_DIGITS[nibble]);
        }
        dst.set(ValueLayout.JAVA_BYTE, offset + digits, CharClass.CR);
        dst.set(ValueLayout.JAVA_BYTE, offset + digits + 1, CharClass.LF);
        return digits + CHUNK_END_BYTES;
    }

    /** Writes the CRLF that follows chunk data; returns the bytes written. */
    public static int writeChunkEnd(MemorySegment dst, long offset) {
        dst.set(ValueLayout.JAVA_BYTE, offset, CharClass.CR);
        dst.set(ValueLayout.JAVA_BYTE, offset + 1, CharClass.LF);
        return CHUNK_END_BYTES;
    }

    /** Writes the last chunk and an empty trailer section; returns the bytes written. */
    public static int writeLastChunk(MemorySegment dst, long offset) {
        dst.set(ValueLayout.JAVA_BYTE, offset, (byte) '0');
        writeChunkEnd(dst, offset + 1);
        writeChunkEnd(dst, offset + 1 + CHUNK_END_BYTES);
        return LAST_CHUNK_BYTES;
    }
}

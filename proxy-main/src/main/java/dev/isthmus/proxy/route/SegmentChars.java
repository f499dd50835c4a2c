package dev.isthmus.proxy.route;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * A read-only {@link CharSequence} over a byte range, one char per byte (ISO-8859-1), so a regex can run on the
 * path in place without copying it into a String. Created per regex match: regex routes allocate.
 */
final class SegmentChars implements CharSequence {

    private static final int UNSIGNED_BYTE = 0xff;

    private final MemorySegment segment;
    private final long offset;
    private final int length;

    SegmentChars(MemorySegment segment, long offset, int length) {
        this.segment = segment;
        this.offset = offset;
        this.length = length;
    }

    @Override
    public int length() {
        return length;
    }

    @Override
    public char charAt(int index) {
        if (index < 0 || index >= length) {
            throw new IndexOutOfBoundsException(index);
        }
        return (char) (segment.get(ValueLayout.JAVA_BYTE, offset + index) & UNSIGNED_BYTE);
    }

    @Override
    public CharSequence subSequence(int start, int end) {
        if (start < 0 || end > length || start > end) {
            throw new IndexOutOfBoundsException("[" + start + ", " + end + ") of " + length);
        }
        return new SegmentChars(segment, offset + start, end - start);
    }

    @Override
    public String toString() {
        return new String(segment.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.ISO_8859_1);
    }
}

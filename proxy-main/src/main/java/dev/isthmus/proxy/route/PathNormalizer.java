package dev.isthmus.proxy.route;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Puts a request path in the one form routes are matched against and the upstream is sent, so that a rule on
 * {@code /admin} also holds for {@code //admin}, {@code /x/../admin} or {@code /%61dmin}: percent-encoded unreserved
 * characters are decoded (RFC 3986 §6.2.2.2; {@code %2E} is a dot), dot-segments are removed (§5.2.4) and runs of
 * slashes merged, as nginx does by default. An encoded slash ({@code %2F}) stays encoded: decoding it would change
 * which segments there are. One per reactor, reused; writes into its own buffer and allocates nothing.
 */
public final class PathNormalizer {
    private static final byte SLASH = '/';
    private static final byte DOT = '.';
    private static final byte PERCENT = '%';
    private static final int HEX_RADIX = 16;
    private static final int ENCODED_LENGTH = 3;

    private final MemorySegment buffer;

    /** {@code buffer}: as long as the longest path to normalize (the longest request-target); longer ones are left. */
    public PathNormalizer(MemorySegment buffer) {
        this.buffer = buffer;
    }

    /** Where {@link #normalize} writes the normalized path. */
    public MemorySegment buffer() {
        return buffer;
    }

    /**
     * Normalizes the path at {@code [offset, offset + length)} of {@code s} into {@link #buffer()} and returns its
     * length, or -1 when the path is already normal (the common case, found without writing) or is not an absolute
     * path (empty, or {@code *}).
     */
    public int normalize(MemorySegment s, long offset, int length) {
        if (length == 0 || s.get(ValueLayout.JAVA_BYTE, offset) != SLASH || isNormal(s, offset, length)
                || length > buffer.byteSize()) {
            return -1;
        }
        int n = decodeUnreserved(s, offset, length);
        int w = removeDotSegments(n);
        return sameAs(s, offset, length, w) ? -1 : w;
    }

    /** No '%', no empty segment and no segment starting with a dot: nothing to do. */
    private static boolean isNormal(MemorySegment s, long offset, int length) {
        byte previous = 0;
        for (int k = 0; k < length; k++) {
            byte b = s.get(ValueLayout.JAVA_BYTE, offset + k);
            if (b == PERCENT || (previous == SLASH && (b == SLASH || b == DOT))) {
                return false;
            }
            previous = b;
        }
        return true;
    }

    /** Copies the path into the buffer with {@code %XX} of unreserved characters decoded; returns its length. */
    private int decodeUnreserved(MemorySegment s, long offset, int length) {
        int w = 0;
        for (int k = 0; k < length; k++) {
            byte b = s.get(ValueLayout.JAVA_BYTE, offset + k);
            if (b == PERCENT && k + ENCODED_LENGTH <= length) {
                int high = Character.digit(s.get(ValueLayout.JAVA_BYTE, offset + k + 1), HEX_RADIX);
                int low = Character.digit(s.get(ValueLayout.JAVA_BYTE, offset + k + 2), HEX_RADIX);
                if (high >= 0 && low >= 0 && isUnreserved(high * HEX_RADIX + low)) {
                    buffer.set(ValueLayout.JAVA_BYTE, w++, (byte) (high * HEX_RADIX + low));
                    k += ENCODED_LENGTH - 1;
                    continue;
                }
            }
            buffer.set(ValueLayout.JAVA_BYTE, w++, b);
        }
        return w;
    }

    /**
     * RFC 3986 §5.2.4 in place over the buffer's first {@code n} bytes, empty segments dropped too; a trailing slash
     * (also one left by a final {@code .} or {@code ..}) is kept. Returns the new length, at least 1 ("/").
     */
    private int removeDotSegments(int n) {
        int w = 0;
        int r = 0;
        while (r < n) {
            int start = r + 1;
            int end = start;
            while (end < n && buffer.get(ValueLayout.JAVA_BYTE, end) != SLASH) {
                end++;
            }
            int segment = end - start;
            boolean last = end >= n;
            boolean dot = segment == 1 && buffer.get(ValueLayout.JAVA_BYTE, start) == DOT;
            boolean dotDot = segment == 2 && buffer.get(ValueLayout.JAVA_BYTE, start) == DOT
                    && buffer.get(ValueLayout.JAVA_BYTE, start + 1) == DOT;
            if (dotDot) {
                while (w > 0 && buffer.get(ValueLayout.JAVA_BYTE, w - 1) != SLASH) {
                    w--;
                }
                if (w > 0) {
                    w--;
                }
            }
            if (segment == 0 || dot || dotDot) {
                if (last) {
                    buffer.set(ValueLayout.JAVA_BYTE, w++, SLASH);
                }
            } else {
                buffer.set(ValueLayout.JAVA_BYTE, w++, SLASH);
                MemorySegment.copy(buffer, start, buffer, w, segment);
                w += segment;
            }
            r = end;
        }
        if (w == 0) {
            buffer.set(ValueLayout.JAVA_BYTE, w++, SLASH);
        }
        return w;
    }

    private boolean sameAs(MemorySegment s, long offset, int length, int normalized) {
        return normalized == length && MemorySegment.mismatch(s, offset, offset + length, buffer, 0, length) < 0;
    }

    private static boolean isUnreserved(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '-' || c == '.' || c == '_' || c == '~';
    }
}

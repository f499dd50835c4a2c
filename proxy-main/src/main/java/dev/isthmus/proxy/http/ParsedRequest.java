package dev.isthmus.proxy.http;

import dev.isthmus.http1.HeaderFields;
import dev.isthmus.http1.KnownHeader;
import dev.isthmus.http1.RequestHead;
import dev.isthmus.proxy.route.PathNormalizer;
import dev.isthmus.proxy.route.RequestView;
import dev.isthmus.proxy.route.Span;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The route table's view of a parsed request head, as spans into the head's segment, except for a path the listener's
 * {@link PathNormalizer} rewrote, which points into the normalizer's buffer. Reactor thread; reused.
 */
final class ParsedRequest implements RequestView {
    private static final byte QUERY = '?';
    private static final byte SLASH = '/';
    private static final byte ASTERISK = '*';
    private static final byte PERCENT = '%';
    /** ASCII letters differ from their lowercase only in this bit. */
    private static final int LOWERCASE_BIT = 0x20;
    private static final int SCHEME_SEPARATOR_LENGTH = 3;

    private final PathNormalizer normalizer;
    private RequestHead head;
    private long rawPath;
    private int normalizedLength;

    /** {@code normalizer}: null when the listener matches and forwards paths as received. */
    ParsedRequest(PathNormalizer normalizer) {
        this.normalizer = normalizer;
    }

    ParsedRequest of(RequestHead head) {
        this.head = head;
        this.rawPath = rawPath();
        this.normalizedLength = normalizer == null
                ? -1
                : normalizer.normalize(head.segment(), Span.offset(rawPath), Span.length(rawPath));
        return this;
    }

    @Override
    public MemorySegment segment() {
        return head.segment();
    }

    @Override
    public MemorySegment pathSegment() {
        return normalizedLength < 0 ? head.segment() : normalizer.buffer();
    }

    @Override
    public long path() {
        return normalizedLength < 0 ? rawPath : Span.of(0, normalizedLength);
    }

    /** The path as received, in the head's segment. */
    long receivedPath() {
        return rawPath;
    }

    /**
     * Whether the path as received holds an encoded slash or backslash ({@code %2F}, {@code %5C}, either case), which
     * an origin may decode into a separator that no route here saw.
     */
    boolean hasEncodedSeparator() {
        MemorySegment s = head.segment();
        long end = Span.offset(rawPath) + Span.length(rawPath) - 2;
        for (long at = Span.offset(rawPath); at < end; at++) {
            if (s.get(ValueLayout.JAVA_BYTE, at) == PERCENT) {
                byte high = s.get(ValueLayout.JAVA_BYTE, at + 1);
                byte low = (byte) (s.get(ValueLayout.JAVA_BYTE, at + 2) | LOWERCASE_BIT);
                if ((high == '2' && low == 'f') || (high == '5' && low == 'c')) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The normalized path's bytes when normalizing changed it (allocates; only then), else null. */
    byte[] normalizedPath() {
        return normalizedLength < 0 ? null : normalizer.buffer().asSlice(0, normalizedLength)
                .toArray(ValueLayout.JAVA_BYTE);
    }

    private long rawPath() {
        MemorySegment s = head.segment();
        long start = head.targetOffset();
        long end = start + head.targetLength();
        if (head.targetLength() == 1 && s.get(ValueLayout.JAVA_BYTE, start) == ASTERISK) {
            return Span.of(start, 1);
        }
        if (head.targetLength() > 0 && s.get(ValueLayout.JAVA_BYTE, start) != SLASH) {
            long authority = authorityStart(s, start, end);
            start = authority;
            while (start < end && s.get(ValueLayout.JAVA_BYTE, start) != SLASH
                    && s.get(ValueLayout.JAVA_BYTE, start) != QUERY) {
                start++;
            }
        }
        long at = start;
        while (at < end && s.get(ValueLayout.JAVA_BYTE, at) != QUERY) {
            at++;
        }
        return Span.of(start, (int) (at - start));
    }

    @Override
    public long host() {
        MemorySegment s = head.segment();
        long start = head.targetOffset();
        long end = start + head.targetLength();
        if (head.targetLength() > 0 && s.get(ValueLayout.JAVA_BYTE, start) != SLASH) {
            long authority = authorityStart(s, start, end);
            long at = authority;
            while (at < end && s.get(ValueLayout.JAVA_BYTE, at) != SLASH && s.get(ValueLayout.JAVA_BYTE, at) != QUERY) {
                at++;
            }
            return Span.of(authority, (int) (at - authority));
        }
        HeaderFields fields = head.headers();
        int i = fields.indexOf(KnownHeader.HOST);
        return i < 0 ? Span.ABSENT : Span.of(fields.valueOffset(i), fields.valueLength(i));
    }

    @Override
    public long header(byte[] lowercaseName) {
        HeaderFields fields = head.headers();
        int i = fields.indexOf(lowercaseName);
        return i < 0 ? Span.ABSENT : Span.of(fields.valueOffset(i), fields.valueLength(i));
    }

    /** After {@code scheme://} of an absolute-form target. */
    private static long authorityStart(MemorySegment s, long start, long end) {
        for (long at = start; at + SCHEME_SEPARATOR_LENGTH <= end; at++) {
            if (s.get(ValueLayout.JAVA_BYTE, at) == ':') {
                return at + SCHEME_SEPARATOR_LENGTH;
            }
        }
        return end;
    }
}

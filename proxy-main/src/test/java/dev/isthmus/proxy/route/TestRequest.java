package dev.isthmus.proxy.route;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A {@link RequestView} over a request head written out as text, copied into native memory at a non-zero
 * offset (as in a reactor's chunk). Lookups allocate nothing, so it can stand in for the codec's view in the
 * allocation test.
 */
final class TestRequest implements RequestView {

    /** Bytes before the head, so that spans are absolute offsets and not accidentally relative ones. */
    private static final int LEADING_GARBAGE = 37;
    private static final byte[] HOST = "host".getBytes(StandardCharsets.US_ASCII);

    private final MemorySegment segment;
    private final long path;
    private final byte[][] names;
    private final long[] values;

    private TestRequest(MemorySegment segment, long path, byte[][] names, long[] values) {
        this.segment = segment;
        this.path = path;
        this.names = names;
        this.values = values;
    }

    /** Parses {@code "GET /path?query HTTP/1.1"} then {@code "Name: value"} lines (a test fixture, not a parser). */
    static TestRequest of(String requestLine, String... headerLines) {
        String head = requestLine + "\r\n" + String.join("\r\n", headerLines) + "\r\n\r\n";
        byte[] bytes = head.getBytes(StandardCharsets.ISO_8859_1);
        MemorySegment segment = Arena.ofAuto().allocate(LEADING_GARBAGE + bytes.length);
        segment.fill((byte) '#');
        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, segment, LEADING_GARBAGE, bytes.length);

        int targetStart = requestLine.indexOf(' ') + 1;
        int targetEnd = requestLine.indexOf(' ', targetStart);
        int query = requestLine.indexOf('?', targetStart);
        int pathEnd = query >= 0 && query < targetEnd ? query : targetEnd;
        long path = Span.of(LEADING_GARBAGE + targetStart, pathEnd - targetStart);

        List<byte[]> names = new ArrayList<>();
        List<Long> values = new ArrayList<>();
        int lineStart = requestLine.length() + 2;
        for (String line : headerLines) {
            int colon = line.indexOf(':');
            String value = line.substring(colon + 1);
            int valueStart = colon + 1 + (value.length() - value.stripLeading().length());
            names.add(line.substring(0, colon).toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
            values.add(Span.of(LEADING_GARBAGE + lineStart + valueStart, value.strip().length()));
            lineStart += line.length() + 2;
        }
        return new TestRequest(segment, path, names.toArray(byte[][]::new),
                values.stream().mapToLong(Long::longValue).toArray());
    }

    @Override
    public MemorySegment segment() {
        return segment;
    }

    @Override
    public long path() {
        return path;
    }

    @Override
    public long host() {
        return header(HOST);
    }

    @Override
    public long header(byte[] lowercaseName) {
        for (int i = 0; i < names.length; i++) {
            if (Arrays.equals(names[i], lowercaseName)) {
                return values[i];
            }
        }
        return Span.ABSENT;
    }
}

package dev.isthmus.http1;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/** Request methods: the registered ones as constants, any other valid token as {@link #EXTENSION}. */
public enum HttpMethod {
    GET, HEAD, POST, PUT, DELETE, CONNECT, OPTIONS, TRACE, PATCH,
    /** A syntactically valid method this codec has no constant for; its bytes are in the head view. */
    EXTENSION;

    private final int nameLength = name().length();

    /** Longest registered method name, so a name packs into one long. */
    private static final int MAX_KNOWN_LENGTH = 7;
    private static final HttpMethod[] KNOWN = {GET, HEAD, POST, PUT, DELETE, CONNECT, OPTIONS, TRACE, PATCH};
    private static final long[] KNOWN_KEYS = new long[KNOWN.length];
    private static final int[] KNOWN_LENGTHS = new int[KNOWN.length];
    /** Each registered name followed by SP, packed little-endian: a request-line's first word starts with one. */
    private static final long[] WITH_SPACE_KEYS = new long[KNOWN.length];
    private static final long[] WITH_SPACE_MASKS = new long[KNOWN.length];

    static {
        for (int i = 0; i < KNOWN.length; i++) {
            byte[] name = KNOWN[i].name().getBytes(StandardCharsets.US_ASCII);
            KNOWN_LENGTHS[i] = name.length;
            KNOWN_KEYS[i] = pack(MemorySegment.ofArray(name), 0, name.length);
            byte[] withSpace = (KNOWN[i].name() + " ").getBytes(StandardCharsets.US_ASCII);
            WITH_SPACE_KEYS[i] = Swar.pack(withSpace, 0, withSpace.length);
            WITH_SPACE_MASKS[i] = withSpace.length == Long.BYTES ? -1L : (1L << (withSpace.length * Byte.SIZE)) - 1;
        }
    }

    /** The method whose bytes are {@code [offset, offset + length)}; methods are case-sensitive (RFC 9110 §9.1). */
    static HttpMethod of(MemorySegment segment, long offset, int length) {
        if (length > MAX_KNOWN_LENGTH) {
            return EXTENSION;
        }
        long key = pack(segment, offset, length);
        for (int i = 0; i < KNOWN.length; i++) {
            if (KNOWN_KEYS[i] == key && KNOWN_LENGTHS[i] == length) {
                return KNOWN[i];
            }
        }
        return EXTENSION;
    }

    /** The registered method whose name and SP begin the eight bytes of {@code word} (little-endian), or null. */
    static HttpMethod startingWord(long word) {
        for (int i = 0; i < KNOWN.length; i++) {
            if ((word & WITH_SPACE_MASKS[i]) == WITH_SPACE_KEYS[i]) {
                return KNOWN[i];
            }
        }
        return null;
    }

    /**
     * RFC 9110 §9.2.2: whether sending the request twice has the effect of sending it once (GET, HEAD, PUT, DELETE,
     * OPTIONS, TRACE), so that a proxy may retry it after a failure; an extension method is not known to be.
     */
    public boolean isIdempotent() {
        return switch (this) {
            case GET, HEAD, PUT, DELETE, OPTIONS, TRACE -> true;
            case POST, CONNECT, PATCH, EXTENSION -> false;
        };
    }

    /** Length of the method's name; meaningful for registered methods. */
    int nameLength() {
        return nameLength;
    }

    private static long pack(MemorySegment segment, long offset, int length) {
        long key = 0;
        for (int i = 0; i < length; i++) {
            key |= (segment.get(ValueLayout.JAVA_BYTE, offset + i) & 0xFFL) << (i * Byte.SIZE);
        }
        return key;
    }
}

package dev.isthmus.proxy.route;

/**
 * A byte range of a request's segment packed into one {@code long}, so lookups on the hot path return
 * offset and length without allocating a pair.
 * <pre>
 *  bit 63   62 ........................... 24   23 ............ 0
 *  +-----+---------------------------------------+-----------------+
 *  |  0  |  offset (39 bits, absolute in segment) |  length (24 b)  |
 *  +-----+---------------------------------------+-----------------+
 * </pre>
 * {@link #ABSENT} (-1, sign bit set) means "no such range". Length fits 24 bits because a request head is at
 * most 1 MiB ({@code max_request_head_bytes}); offset fits 39 bits, far beyond any reactor's buffer slab.
 */
public final class Span {

    /** No such range: the header or host is not in the request. */
    public static final long ABSENT = -1L;

    private static final int LENGTH_BITS = 24;
    private static final long LENGTH_MASK = (1L << LENGTH_BITS) - 1;
    private static final long MAX_OFFSET = (1L << (Long.SIZE - 1 - LENGTH_BITS)) - 1;

    private Span() {
    }

    /** Packs a range; both parts must be non-negative and in range (see the class diagram). */
    public static long of(long offset, int length) {
        if (offset < 0 || offset > MAX_OFFSET || length < 0 || length > LENGTH_MASK) {
            throw new IllegalArgumentException("span out of range: offset " + offset + ", length " + length);
        }
        return (offset << LENGTH_BITS) | length;
    }

    public static long offset(long span) {
        return span >>> LENGTH_BITS;
    }

    public static int length(long span) {
        return (int) (span & LENGTH_MASK);
    }

    public static boolean isAbsent(long span) {
        return span < 0;
    }
}

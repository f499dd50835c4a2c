package dev.isthmus.http1;

import java.lang.foreign.ValueLayout;

/**
 * Reads the hop limit of a TRACE or OPTIONS request (RFC 9110 §7.6.2): an intermediary must not forward such a
 * request whose Max-Forwards is 0, but answer it as its final recipient, and must forward any other with the value
 * decremented ({@link RequestHeadRewriter#maxForwards}). The field means nothing on other methods.
 */
public final class MaxForwards {
    /** The request carries no hop limit the proxy acts on. */
    public static final long NONE = -1;
    /** Larger values are read as this: no chain of proxies gets near it, and the arithmetic cannot overflow. */
    private static final long SATURATED = 999_999_999L;
    private static final int DECIMAL = 10;

    private MaxForwards() {
    }

    /**
     * The hops the request may still take, or {@link #NONE} when it is neither TRACE nor OPTIONS or its
     * Max-Forwards is absent, repeated, or not a decimal number: a value that cannot be read cannot be decremented,
     * so such a request is forwarded untouched rather than answered for the origin.
     */
    public static long of(RequestHead head) {
        HttpMethod method = head.method();
        if (method != HttpMethod.TRACE && method != HttpMethod.OPTIONS) {
            return NONE;
        }
        HeaderFields fields = head.headers();
        if (fields.occurrences(KnownHeader.MAX_FORWARDS) != 1) {
            return NONE;
        }
        int i = fields.indexOf(KnownHeader.MAX_FORWARDS);
        long offset = fields.valueOffset(i);
        int length = fields.valueLength(i);
        if (length == 0) {
            return NONE;
        }
        long value = 0;
        for (int k = 0; k < length; k++) {
            byte b = head.segment().get(ValueLayout.JAVA_BYTE, offset + k);
            if (b < '0' || b > '9') {
                return NONE;
            }
            value = Math.min(SATURATED, value * DECIMAL + (b - '0'));
        }
        return value;
    }
}

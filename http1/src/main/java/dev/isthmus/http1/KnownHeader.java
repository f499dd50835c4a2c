package dev.isthmus.http1;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/** The fields a proxy must understand, found once while parsing so the head view answers for them in O(1). */
public enum KnownHeader {
    HOST("host"),
    CONTENT_LENGTH("content-length"),
    TRANSFER_ENCODING("transfer-encoding"),
    CONNECTION("connection"),
    UPGRADE("upgrade"),
    EXPECT("expect"),
    KEEP_ALIVE("keep-alive"),
    TE("te"),
    TRAILER("trailer"),
    PROXY_CONNECTION("proxy-connection"),
    X_FORWARDED_FOR("x-forwarded-for"),
    X_FORWARDED_PROTO("x-forwarded-proto");

    /** Marks a field that is none of these. */
    static final int UNKNOWN = -1;
    private static final KnownHeader[] VALUES = values();
    /** The longest name above; longer names are unknown without looking at them. */
    private static final int MAX_NAME_LENGTH = 17;
    private static final KnownHeader[][] BY_LENGTH = new KnownHeader[MAX_NAME_LENGTH + 1][];

    static {
        for (int length = 0; length <= MAX_NAME_LENGTH; length++) {
            int n = 0;
            for (KnownHeader h : VALUES) {
                n += h.lowerName.length == length ? 1 : 0;
            }
            BY_LENGTH[length] = new KnownHeader[n];
            n = 0;
            for (KnownHeader h : VALUES) {
                if (h.lowerName.length == length) {
                    BY_LENGTH[length][n++] = h;
                }
            }
        }
    }

    private final byte[] lowerName;
    private final String headerName;

    KnownHeader(String lowerName) {
        this.lowerName = lowerName.getBytes(StandardCharsets.US_ASCII);
        this.headerName = lowerName;
    }

    /** The lowercase field name. */
    public String headerName() {
        return headerName;
    }

    byte[] lowerName() {
        return lowerName;
    }

    static KnownHeader of(int ordinal) {
        return VALUES[ordinal];
    }

    static int count() {
        return VALUES.length;
    }

    /**
     * The ordinal of the known field named by {@code [offset, offset + length)}, or {@link #UNKNOWN}. The name must
     * already be validated as a token: for token bytes, {@code b | 0x20} equals a lowercase letter or '-' only when
     * {@code b} is that letter in either case or '-' itself, which makes the comparison a single OR per byte.
     */
    static int classify(MemorySegment segment, long offset, int length) {
        if (length > MAX_NAME_LENGTH) {
            return UNKNOWN;
        }
        for (KnownHeader candidate : BY_LENGTH[length]) {
            byte[] name = candidate.lowerName;
            int i = 0;
            while (i < length && (segment.get(ValueLayout.JAVA_BYTE, offset + i) | 0x20) == name[i]) {
                i++;
            }
            if (i == length) {
                return candidate.ordinal();
            }
        }
        return UNKNOWN;
    }
}

package dev.isthmus.http1;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Writes the proxy's own short responses (errors, direct responses) into a segment: status-line, a few fields,
 * Content-Length, optionally {@code Connection: close}, and the body. Owned by one thread (a reactor); allocates
 * nothing once its arguments exist. Use: {@link #start}, {@link #header} any number of times, {@link #finish}.
 */
public final class ResponseWriter {
    private static final int MIN_STATUS = 100;
    private static final int MAX_STATUS = 999;
    private static final int STATUS_DIGITS = 3;
    /** Digits of {@link Long#MAX_VALUE}. */
    private static final int MAX_DECIMAL_DIGITS = 19;
    private static final byte[] HTTP_1_1 = FieldFacts.ascii("HTTP/1.1 ");
    private static final byte[] COLON_SPACE = FieldFacts.ascii(": ");
    private static final byte[] CRLF = FieldFacts.ascii("\r\n");
    private static final byte[] CONTENT_LENGTH = FieldFacts.ascii("Content-Length: ");
    private static final byte[] CONNECTION_CLOSE = FieldFacts.ascii("Connection: close\r\n");
    private static final byte[] TEXT_PLAIN = FieldFacts.ascii("text/plain; charset=utf-8");
    private static final byte[] CONTENT_TYPE = FieldFacts.ascii("Content-Type");
    private static final byte[] DATE = FieldFacts.ascii("Date");
    private static final byte[][] REJECTION_BODIES = new byte[Rejection.values().length][];

    static {
        for (Rejection r : Rejection.values()) {
            REJECTION_BODIES[r.ordinal()] = FieldFacts.ascii(r.description() + "\n");
        }
    }

    private MemorySegment dst = MemorySegment.NULL;
    private long start;
    private long cursor;
    private long limit;
    private boolean overflow;

    /** Begins a response with {@code status} and its standard reason phrase at {@code offset}. */
    public ResponseWriter start(MemorySegment dst, long offset, long capacity, int status) {
        if (status < MIN_STATUS || status > MAX_STATUS) {
            throw new IllegalArgumentException("status " + status + " is not three digits");
        }
        this.dst = dst;
        this.start = offset;
        this.cursor = offset;
        this.limit = Math.min(offset + capacity, dst.byteSize());
        this.overflow = false;
        put(HTTP_1_1);
        decimal(status, STATUS_DIGITS);
        put(ReasonPhrase.of(status));
        put(CRLF);
        return this;
    }

    /** Adds a field line; name and value must already be valid field bytes. */
    public ResponseWriter header(byte[] name, byte[] value) {
        put(name);
        put(COLON_SPACE);
        put(value);
        put(CRLF);
        return this;
    }

    /**
     * Adds Content-Length, {@code Connection: close} if asked, the empty line and {@code body}. Returns the bytes
     * of the whole response, or -1 if it did not fit in the capacity given to {@link #start}.
     */
    public long finish(byte[] body, boolean close) {
        finishHead(body.length, close);
        put(body);
        return overflow ? -1 : cursor - start;
    }

    /**
     * Adds {@code Content-Length: contentLength}, {@code Connection: close} if asked and the empty line, for content
     * the caller sends from elsewhere. Returns the bytes of the head, or -1 if it did not fit.
     */
    public long finishHead(long contentLength, boolean close) {
        put(CONTENT_LENGTH);
        decimal(contentLength, 0);
        put(CRLF);
        if (close) {
            put(CONNECTION_CLOSE);
        }
        put(CRLF);
        return overflow ? -1 : cursor - start;
    }

    /** A complete error response for a rejected request: its status, a one-line text body, and connection close. */
    public long writeRejection(MemorySegment dst, long offset, long capacity, Rejection rejection) {
        return start(dst, offset, capacity, rejection.status())
                .header(CONTENT_TYPE, TEXT_PLAIN)
                .finish(REJECTION_BODIES[rejection.ordinal()], true);
    }

    /** The length of the body {@link #writeRejection} writes for {@code rejection}. */
    public static int rejectionBodyLength(Rejection rejection) {
        return REJECTION_BODIES[rejection.ordinal()].length;
    }

    /** {@link #writeRejection(MemorySegment, long, long, Rejection)} with a {@code Date} field. */
    public long writeRejection(MemorySegment dst, long offset, long capacity, Rejection rejection, byte[] date) {
        return start(dst, offset, capacity, rejection.status())
                .header(CONTENT_TYPE, TEXT_PLAIN)
                .header(DATE, date)
                .finish(REJECTION_BODIES[rejection.ordinal()], true);
    }

    private void put(byte[] bytes) {
        if (overflow || cursor + bytes.length > limit) {
            overflow = true;
            return;
        }
        MemorySegment.copy(bytes, 0, dst, ValueLayout.JAVA_BYTE, cursor, bytes.length);
        cursor += bytes.length;
    }

    /** Writes {@code value} in decimal, left-padded with zeros to {@code minDigits}. */
    private void decimal(long value, int minDigits) {
        int digits = Math.min(Math.max(Decimal.digits(value), minDigits), MAX_DECIMAL_DIGITS);
        if (overflow || cursor + digits > limit) {
            overflow = true;
            return;
        }
        Decimal.write(dst, cursor, value, digits);
        cursor += digits;
    }
}

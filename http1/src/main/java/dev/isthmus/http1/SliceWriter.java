package dev.isthmus.http1;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Builds a {@link GatherList}: original ranges by reference, new bytes copied into the scratch segment; owned by
 * the thread that owns the rewriter using it. Running out of scratch is recorded, not thrown.
 */
final class SliceWriter {
    static final byte[] CHUNKED = FieldFacts.ascii("chunked");

    private static final byte[] CONTENT_LENGTH = FieldFacts.ascii("Content-Length");
    private static final byte[] TRANSFER_ENCODING = FieldFacts.ascii("Transfer-Encoding");
    private static final byte[] COLON_SPACE = FieldFacts.ascii(": ");
    private static final byte[] CRLF = FieldFacts.ascii("\r\n");
    private static final byte[] VIA_1_0 = FieldFacts.ascii("Via: 1.0 ");
    private static final byte[] VIA_1_1 = FieldFacts.ascii("Via: 1.1 ");

    private GatherList out;
    private MemorySegment scratch;
    private long start;
    private long cursor;
    private long limit;
    private boolean overflow;

    void begin(GatherList out, MemorySegment original, MemorySegment scratch, long offset, long capacity) {
        this.out = out;
        this.scratch = scratch;
        this.start = offset;
        this.cursor = offset;
        this.limit = Math.min(offset + capacity, scratch.byteSize());
        this.overflow = false;
        out.clear(original, scratch);
    }

    void original(long offset, long length) {
        out.add(false, offset, length);
    }

    void bytes(byte[] bytes) {
        if (overflow || cursor + bytes.length > limit) {
            overflow = true;
            return;
        }
        MemorySegment.copy(bytes, 0, scratch, ValueLayout.JAVA_BYTE, cursor, bytes.length);
        out.add(true, cursor, bytes.length);
        cursor += bytes.length;
    }

    /** Writes a whole field line {@code name: value CRLF}. */
    void field(byte[] name, byte[] value) {
        bytes(name);
        bytes(COLON_SPACE);
        bytes(value);
        bytes(CRLF);
    }

    /**
     * Field {@code i} of a message whose framing goes on as one plain field ({@link HeaderFields#plainContentLength},
     * {@link HeaderFields#plainChunked}): with {@code plainLength} the first Content-Length is written as
     * {@code Content-Length: length} and its repeats left out, with {@code plainCoding} the first Transfer-Encoding as
     * {@code Transfer-Encoding: chunked} and its repeats left out. Returns whether field {@code i} was one of those,
     * handled now; false writes nothing.
     */
    boolean plainFramingField(HeaderFields f, int i, boolean plainLength, long length, boolean plainCoding) {
        if (plainLength && f.is(i, KnownHeader.CONTENT_LENGTH)) {
            if (i == f.indexOf(KnownHeader.CONTENT_LENGTH)) {
                field(CONTENT_LENGTH, length);
            }
            return true;
        }
        if (plainCoding && f.is(i, KnownHeader.TRANSFER_ENCODING)) {
            if (i == f.indexOf(KnownHeader.TRANSFER_ENCODING)) {
                field(TRANSFER_ENCODING, CHUNKED);
            }
            return true;
        }
        return false;
    }

    /** Writes {@code Via: 1.x pseudonym CRLF}: the version of the message as received, then who received it. */
    void via(HttpVersion received, byte[] pseudonym) {
        bytes(received == HttpVersion.HTTP_1_0 ? VIA_1_0 : VIA_1_1);
        bytes(pseudonym);
        crlf();
    }

    /** Writes a whole field line {@code name: value CRLF} with a non-negative number as its value. */
    void field(byte[] name, long value) {
        bytes(name);
        bytes(COLON_SPACE);
        decimal(value);
        bytes(CRLF);
    }

    private void decimal(long value) {
        int digits = Decimal.digits(value);
        if (overflow || cursor + digits > limit) {
            overflow = true;
            return;
        }
        Decimal.write(scratch, cursor, value, digits);
        out.add(true, cursor, digits);
        cursor += digits;
    }

    void crlf() {
        bytes(CRLF);
    }

    /** Scratch bytes used, or -1 if the scratch segment was too small (the gather list is then unusable). */
    long finish() {
        return overflow ? -1 : cursor - start;
    }
}

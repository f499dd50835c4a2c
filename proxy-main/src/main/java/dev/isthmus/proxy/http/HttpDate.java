package dev.isthmus.proxy.http;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The {@code Date} field of the responses the proxy writes itself (direct responses, redirects, errors), in
 * IMF-fixdate form (RFC 9110 §5.6.7), formatted at most once per second. Confined to the reactor thread.
 */
final class HttpDate {
    private static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);
    private static final byte[] PREFIX = "Date: ".getBytes(StandardCharsets.US_ASCII);
    private static final int VALUE_LENGTH = 29;
    private static final int CRLF = 2;
    private static final long MILLIS_PER_SECOND = 1000;

    private final MemorySegment line;
    private final byte[] value = new byte[VALUE_LENGTH];
    private long second = Long.MIN_VALUE;

    HttpDate(Arena arena) {
        this.line = arena.allocate(PREFIX.length + VALUE_LENGTH + CRLF);
        MemorySegment.copy(PREFIX, 0, line, ValueLayout.JAVA_BYTE, 0, PREFIX.length);
        line.set(ValueLayout.JAVA_BYTE, PREFIX.length + VALUE_LENGTH, (byte) '\r');
        line.set(ValueLayout.JAVA_BYTE, PREFIX.length + VALUE_LENGTH + 1, (byte) '\n');
    }

    /** {@code Date: <now>\r\n}, ready for a gather write. */
    MemorySegment line() {
        refresh();
        return line;
    }

    /** The field value alone, for the response writer. */
    byte[] value() {
        refresh();
        return value;
    }

    private void refresh() {
        long now = System.currentTimeMillis() / MILLIS_PER_SECOND;
        if (now != second) {
            second = now;
            byte[] text = IMF_FIXDATE.format(Instant.ofEpochSecond(now)).getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(text, 0, value, 0, VALUE_LENGTH);
            MemorySegment.copy(value, 0, line, ValueLayout.JAVA_BYTE, PREFIX.length, VALUE_LENGTH);
        }
    }
}

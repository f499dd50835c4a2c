package dev.isthmus.proxy.http;

import dev.isthmus.proxy.log.RateLimitedLog;
import dev.isthmus.reactor.EpollReactor;
import dev.isthmus.reactor.Timer;
import dev.isthmus.reactor.TimerHandler;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * One reactor's part of a listener's access log: lines in nginx's {@code combined} format plus the request time in
 * seconds and the upstream endpoint,
 * <pre>{@code 127.0.0.1 - - [02/Dec/2026:20:11:03 +0000] "GET /a HTTP/1.1" 200 612 "-" "curl/8.5" 0.002 127.0.0.1:9000}</pre>
 * formatted into an off-heap buffer and appended to the file when the buffer is nearly full, a second after its first
 * line, and when the listener closes, as nginx's {@code access_log ... buffer= flush=} does: a write to the file per
 * 64 KiB of lines, not per request. Times are UTC. Confined to the reactor thread.
 */
final class AccessLog implements TimerHandler {
    private static final int BUFFER_BYTES = 64 * 1024;
    /** Room for the longest line: every captured field at its capacity, an IPv6 address and a long host name. */
    private static final int MAX_LINE_BYTES = AccessLogEntry.REQUEST_CAPACITY + 2 * AccessLogEntry.FIELD_CAPACITY + 512;
    private static final long FLUSH_DELAY_NANOS = 1_000_000_000L;
    private static final long NANOS_PER_MILLI = 1_000_000L;
    private static final long MILLIS_PER_SECOND = 1000;
    private static final DateTimeFormatter TIME_LOCAL =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.US).withZone(ZoneOffset.UTC);
    private static final int TIME_LENGTH = 26;
    private static final byte[] NO_USER = ascii(" - - [");
    private static final byte[] AFTER_TIME = ascii("] \"");

    private final AccessLogFile file;
    private final ByteBuffer buffer;
    private final Timer flushTimer;
    private final RateLimitedLog warnings;
    private final byte[] time = new byte[TIME_LENGTH];
    private final byte[] digits = new byte[Long.toString(Long.MAX_VALUE).length()];
    private long second = Long.MIN_VALUE;

    AccessLog(EpollReactor reactor, AccessLogFile file, RateLimitedLog warnings) {
        this.file = file;
        this.buffer = reactor.arena().allocate(BUFFER_BYTES).asByteBuffer();
        this.flushTimer = reactor.newTimer(this);
        this.warnings = warnings;
    }

    /** Adds the line of a finished request and closes its entry. */
    void write(byte[] clientIp, AccessLogEntry entry, long nowNanos) {
        if (buffer.remaining() < MAX_LINE_BYTES) {
            flush();
        }
        if (buffer.position() == 0) {
            flushTimer.schedule(FLUSH_DELAY_NANOS);
        }
        buffer.put(clientIp).put(NO_USER).put(time()).put(AFTER_TIME);
        buffer.put(entry.request, 0, entry.requestLength).put((byte) '"').put((byte) ' ');
        if (entry.status == 0) {
            buffer.put((byte) '-');
        } else {
            number(entry.status);
        }
        buffer.put((byte) ' ');
        number(entry.bodyBytes);
        quoted(entry.referer, entry.refererLength);
        quoted(entry.userAgent, entry.userAgentLength);
        buffer.put((byte) ' ');
        millisAsSeconds(Math.max(0, nowNanos - entry.startNanos) / NANOS_PER_MILLI);
        buffer.put((byte) ' ');
        if (entry.upstream == null) {
            buffer.put((byte) '-');
        } else {
            buffer.put(entry.upstream);
        }
        buffer.put((byte) '\n');
        entry.close();
    }

    @Override
    public void onTimeout() {
        flush();
    }

    /** Appends every buffered line to the file; on failure they are dropped and the failure is logged. */
    void flush() {
        flushTimer.cancel();
        if (buffer.position() == 0) {
            return;
        }
        buffer.flip();
        try {
            file.append(buffer);
        } catch (IOException e) {
            warnings.log("access log " + file.path() + ": lines lost: " + e);
        }
        buffer.clear();
    }

    private void quoted(byte[] text, int length) {
        buffer.put((byte) ' ').put((byte) '"');
        if (length == 0) {
            buffer.put((byte) '-');
        } else {
            buffer.put(text, 0, length);
        }
        buffer.put((byte) '"');
    }

    private void millisAsSeconds(long millis) {
        number(millis / MILLIS_PER_SECOND);
        long fraction = millis % MILLIS_PER_SECOND;
        buffer.put((byte) '.').put((byte) ('0' + fraction / 100)).put((byte) ('0' + fraction / 10 % 10))
                .put((byte) ('0' + fraction % 10));
    }

    private void number(long value) {
        int n = digits.length;
        long rest = value;
        do {
            digits[--n] = (byte) ('0' + rest % 10);
            rest /= 10;
        } while (rest > 0);
        buffer.put(digits, n, digits.length - n);
    }

    private byte[] time() {
        long now = System.currentTimeMillis() / MILLIS_PER_SECOND;
        if (now != second) {
            second = now;
            byte[] text = TIME_LOCAL.format(Instant.ofEpochSecond(now)).getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(text, 0, time, 0, TIME_LENGTH);
        }
        return time;
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}

package dev.isthmus.proxy.http;

import dev.isthmus.http1.HeaderFields;
import dev.isthmus.http1.HttpVersion;
import dev.isthmus.http1.RequestHead;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * What the access log needs of one request, copied when its head is read (the head's bytes do not outlive the
 * exchange: the chunk they sit in relays the body next), then completed as the response goes out. One per client
 * connection, made at its first request and reused for every later one, so logging allocates nothing per request.
 * Text is stored escaped as it will be written: a quote, a backslash, a control byte or a byte above 0x7e becomes
 * {@code \xHH}, so a client cannot forge log lines or fields; what does not fit ends in {@code ...}.
 */
final class AccessLogEntry {
    static final int REQUEST_CAPACITY = 1024;
    static final int FIELD_CAPACITY = 512;
    private static final byte[] REFERER = ascii("referer");
    private static final byte[] USER_AGENT = ascii("user-agent");
    private static final byte[] HTTP_1_0 = ascii("HTTP/1.0");
    private static final byte[] HTTP_1_1 = ascii("HTTP/1.1");
    private static final byte[] ELLIPSIS = ascii("...");
    private static final byte[] HEX = ascii("0123456789abcdef");
    private static final int ESCAPED_LENGTH = 4;

    final byte[] request = new byte[REQUEST_CAPACITY];
    final byte[] referer = new byte[FIELD_CAPACITY];
    final byte[] userAgent = new byte[FIELD_CAPACITY];
    int requestLength;
    /** Zero when the request had no such field (logged as {@code -}). */
    int refererLength;
    int userAgentLength;
    long startNanos;
    /** The final status sent to the client; zero while none was. */
    int status;
    long bodyBytes;
    /** The endpoint the request went to, as configured; null for a response the proxy made itself. */
    byte[] upstream;
    private boolean open;

    /** Starts the entry of a request whose head parsed. */
    void begin(RequestHead head, long nowNanos) {
        start(nowNanos);
        MemorySegment bytes = head.segment();
        byte[] version = head.version() == HttpVersion.HTTP_1_0 ? HTTP_1_0 : HTTP_1_1;
        int limit = REQUEST_CAPACITY - 1 - version.length;
        int n = copyEscaped(bytes, head.methodOffset(), head.methodLength(), request, 0, limit);
        request[n++] = ' ';
        n = copyEscaped(bytes, head.targetOffset(), head.targetLength(), request, n, limit);
        request[n++] = ' ';
        System.arraycopy(version, 0, request, n, version.length);
        requestLength = n + version.length;
        HeaderFields fields = head.headers();
        refererLength = field(fields, REFERER, referer);
        userAgentLength = field(fields, USER_AGENT, userAgent);
    }

    /** Starts the entry of a request refused before its head parsed: its first line as it came, if any. */
    void beginUnparsed(MemorySegment bytes, long from, long to, long nowNanos) {
        start(nowNanos);
        long end = from;
        while (end < to && !isLineEnd(bytes.get(ValueLayout.JAVA_BYTE, end))) {
            end++;
        }
        requestLength = copyEscaped(bytes, from, end - from, request, 0, REQUEST_CAPACITY);
        refererLength = 0;
        userAgentLength = 0;
    }

    boolean isOpen() {
        return open;
    }

    /** The line was written: the next request starts a new entry. */
    void close() {
        open = false;
    }

    private void start(long nowNanos) {
        open = true;
        startNanos = nowNanos;
        status = 0;
        bodyBytes = 0;
        upstream = null;
    }

    private static boolean isLineEnd(byte b) {
        return b == '\r' || b == '\n';
    }

    private static int field(HeaderFields fields, byte[] lowercaseName, byte[] into) {
        int i = fields.indexOf(lowercaseName);
        return i < 0 ? 0
                : copyEscaped(fields.segment(), fields.valueOffset(i), fields.valueLength(i), into, 0, into.length);
    }

    /**
     * Copies {@code length} bytes, escaped, into {@code into} from {@code at}, using no byte at or past {@code limit};
     * returns the new length. When the rest does not fit, stops where an ellipsis still does and ends with it.
     */
    static int copyEscaped(MemorySegment from, long offset, long length, byte[] into, int at, int limit) {
        long escaped = 0;
        for (long i = 0; i < length && at + escaped <= limit; i++) {
            escaped += isPlain(from.get(ValueLayout.JAVA_BYTE, offset + i)) ? 1 : ESCAPED_LENGTH;
        }
        boolean fits = at + escaped <= limit;
        int room = fits ? limit : limit - ELLIPSIS.length;
        int n = at;
        for (long i = 0; i < length; i++) {
            byte b = from.get(ValueLayout.JAVA_BYTE, offset + i);
            boolean plain = isPlain(b);
            if (n + (plain ? 1 : ESCAPED_LENGTH) > room) {
                break;
            }
            if (plain) {
                into[n++] = b;
            } else {
                into[n++] = '\\';
                into[n++] = 'x';
                into[n++] = HEX[(b >> 4) & 0xf];
                into[n++] = HEX[b & 0xf];
            }
        }
        if (!fits) {
            n = Math.max(Math.min(n, room), at);
            System.arraycopy(ELLIPSIS, 0, into, n, ELLIPSIS.length);
            n += ELLIPSIS.length;
        }
        return n;
    }

    private static boolean isPlain(byte b) {
        return b >= 0x20 && b < 0x7f && b != '"' && b != '\\';
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}

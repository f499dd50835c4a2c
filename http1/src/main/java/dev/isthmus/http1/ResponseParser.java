package dev.isthmus.http1;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static dev.isthmus.http1.CharClass.CR;
import static dev.isthmus.http1.CharClass.LF;
import static dev.isthmus.http1.CharClass.SP;

/**
 * Push parser for one HTTP/1.1 response head at a time (RFC 9112 §4, strict); owned by one thread (an upstream
 * connection's reactor), reused through {@link #reset(HttpMethod)} with the method of the request being answered,
 * which the body framing depends on.
 *
 * <p>Same contract as {@link RequestParser}: cumulative lengths, resumption without rescanning, no allocation,
 * errors as values. A proxy answers its client 502 for any rejected response.
 */
public final class ResponseParser {
    private enum State {
        VERSION,
        STATUS_CODE,
        REASON,
        STATUS_LINE_LF,
        HEADERS,
        COMPLETE,
        REJECTED
    }

    private static final int STATUS_DIGITS = 3;
    private static final int MIN_STATUS = 100;
    /**
     * RFC 9110 §15: codes outside 100..599 are invalid (some servers use 6xx-9xx internally) and a client SHOULD treat
     * them as 5xx; a proxy that passed them on would hand its clients a status they may misread.
     */
    private static final int MAX_STATUS = 599;
    private static final int SWITCHING_PROTOCOLS = 101;
    private static final int NO_CONTENT = 204;
    private static final int NOT_MODIFIED = 304;

    private final Http1Limits limits;
    private final HeaderFields fields;
    private final HeaderBlockScanner scanner;
    private final ResponseHead head;
    private HttpMethod requestMethod = HttpMethod.GET;
    private State state;
    private int pos;
    private Rejection rejection;

    public ResponseParser() {
        this(Http1Limits.DEFAULT);
    }

    public ResponseParser(Http1Limits limits) {
        this.limits = limits;
        this.fields = new HeaderFields(limits.maxHeaderCount());
        this.scanner = new HeaderBlockScanner(fields, limits.maxHeaderCount());
        this.head = new ResponseHead(fields);
        reset(HttpMethod.GET);
    }

    /** Forgets the previous head; the next response answers a request with {@code requestMethod}. */
    public void reset(HttpMethod requestMethod) {
        this.requestMethod = requestMethod;
        state = State.VERSION;
        pos = 0;
        rejection = null;
        fields.clear();
        head.framing = null;
        head.version = null;
        head.statusCode = 0;
        head.length = 0;
    }

    /** As {@link RequestParser#parse(MemorySegment, long, long)}, for a response head. */
    public ParseStatus parse(MemorySegment segment, long offset, long length) {
        if (state == State.COMPLETE) {
            return ParseStatus.COMPLETE;
        }
        if (state == State.REJECTED) {
            return ParseStatus.REJECTED;
        }
        if (length < pos) {
            throw new IllegalArgumentException("length " + length + " shrank below the " + pos + " bytes already parsed");
        }
        int limit = (int) Math.min(length, limits.maxHeadBytes());
        if (head.segment != segment || head.base != offset) {
            // Reference stores cost GC write barriers; a connection parses in the same chunk again and again.
            head.segment = segment;
            head.base = offset;
            fields.bind(segment, offset);
        }
        ParseStatus status = run(segment, offset, limit);
        if (status == ParseStatus.NEED_MORE && length >= limits.maxHeadBytes()) {
            return reject(Rejection.HEAD_TOO_LARGE);
        }
        return status;
    }

    public ResponseHead head() {
        return head;
    }

    /** Why the head was rejected, or null if it was not. */
    public Rejection rejection() {
        return rejection;
    }

    private ParseStatus run(MemorySegment s, long base, int limit) {
        while (true) {
            switch (state) {
                case VERSION -> {
                    if (limit - pos < VersionSyntax.LENGTH + 1) {
                        return ParseStatus.NEED_MORE;
                    }
                    Rejection invalid = VersionSyntax.check(s, base + pos);
                    if (invalid != null) {
                        return reject(invalid);
                    }
                    head.version = VersionSyntax.version(s, base + pos);
                    if (s.get(ValueLayout.JAVA_BYTE, base + pos + VersionSyntax.LENGTH) != SP) {
                        return reject(Rejection.INVALID_STATUS_LINE);
                    }
                    pos += VersionSyntax.LENGTH + 1;
                    state = State.STATUS_CODE;
                }
                case STATUS_CODE -> {
                    if (limit - pos < STATUS_DIGITS + 1) {
                        return ParseStatus.NEED_MORE;
                    }
                    int code = 0;
                    for (int k = 0; k < STATUS_DIGITS; k++) {
                        int digit = s.get(ValueLayout.JAVA_BYTE, base + pos + k) - '0';
                        if (digit < 0 || digit > 9) {
                            return reject(Rejection.INVALID_STATUS_LINE);
                        }
                        code = code * 10 + digit;
                    }
                    if (code < MIN_STATUS || code > MAX_STATUS) {
                        return reject(Rejection.INVALID_STATUS_LINE);
                    }
                    head.statusCode = code;
                    pos += STATUS_DIGITS;
                    byte b = s.get(ValueLayout.JAVA_BYTE, base + pos);
                    // RFC 9112 §4 requires the SP before an empty reason, but servers omit it; it frames nothing.
                    if (b == SP) {
                        pos++;
                    } else if (b != CR) {
                        return reject(b == LF ? Rejection.BARE_LF : Rejection.INVALID_STATUS_LINE);
                    }
                    head.reasonStart = pos;
                    state = State.REASON;
                }
                case REASON -> {
                    int p = HeaderBlockScanner.scanFieldContent(s, base, pos, limit);
                    pos = p;
                    if (p == limit) {
                        return ParseStatus.NEED_MORE;
                    }
                    byte b = s.get(ValueLayout.JAVA_BYTE, base + p);
                    if (b != CR) {
                        return reject(b == LF ? Rejection.BARE_LF : Rejection.INVALID_STATUS_LINE);
                    }
                    head.reasonLength = p - head.reasonStart;
                    pos = p + 1;
                    state = State.STATUS_LINE_LF;
                }
                case STATUS_LINE_LF -> {
                    if (pos >= limit) {
                        return ParseStatus.NEED_MORE;
                    }
                    if (s.get(ValueLayout.JAVA_BYTE, base + pos) != LF) {
                        return reject(Rejection.BARE_CR);
                    }
                    pos++;
                    scanner.start(pos);
                    state = State.HEADERS;
                }
                case HEADERS -> {
                    ParseStatus status = scanner.scan(s, base, limit);
                    pos = scanner.position();
                    if (status == ParseStatus.NEED_MORE) {
                        return status;
                    }
                    if (status == ParseStatus.REJECTED) {
                        return reject(scanner.rejection());
                    }
                    Rejection invalid = decide();
                    if (invalid != null) {
                        return reject(invalid);
                    }
                    head.length = pos;
                    state = State.COMPLETE;
                    return ParseStatus.COMPLETE;
                }
                case COMPLETE -> {
                    return ParseStatus.COMPLETE;
                }
                case REJECTED -> {
                    return ParseStatus.REJECTED;
                }
            }
        }
    }

    /** Validates the framing fields and decides the body framing (RFC 9112 §6.3, items 1 to 7). */
    private Rejection decide() {
        FieldFacts facts = head.facts;
        Rejection invalid = facts.analyze(fields);
        if (invalid == null && facts.transferEncoding()) {
            invalid = facts.transferEncodingRejection(head.version);
        }
        if (invalid != null) {
            return invalid;
        }
        int code = head.statusCode;
        if (code == SWITCHING_PROTOCOLS || (requestMethod == HttpMethod.CONNECT && code / 100 == 2)) {
            head.framing = Framing.TUNNEL;
        } else if (code < 200 || code == NO_CONTENT || code == NOT_MODIFIED || requestMethod == HttpMethod.HEAD) {
            head.framing = Framing.NONE;
        } else if (facts.transferEncoding()) {
            // Item 4: a response whose final coding is not chunked runs until the connection closes.
            head.framing = facts.chunkedFinal() ? Framing.CHUNKED : Framing.CLOSE_DELIMITED;
        } else if (facts.contentLength != FieldFacts.ABSENT) {
            head.framing = Framing.CONTENT_LENGTH;
        } else {
            head.framing = Framing.CLOSE_DELIMITED;
        }
        return null;
    }

    private ParseStatus reject(Rejection reason) {
        rejection = reason;
        state = State.REJECTED;
        return ParseStatus.REJECTED;
    }
}

package dev.isthmus.http1;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static dev.isthmus.http1.CharClass.CR;
import static dev.isthmus.http1.CharClass.LF;
import static dev.isthmus.http1.CharClass.SP;

/**
 * Push parser for one HTTP/1.1 request head at a time (RFC 9112 §3, strict); owned by one thread (a connection's
 * reactor), reused across the requests of a keep-alive connection through {@link #reset()}.
 *
 * <p>The caller keeps the head bytes received so far contiguous at {@code offset} and calls
 * {@link #parse(MemorySegment, long, long)} with the total length after every read. The parser resumes where it
 * stopped, so each byte is scanned once. Nothing is allocated per parse; errors are values.
 */
public final class RequestParser {
    private enum State {
        /** RFC 9112 §2.2: a server should ignore empty lines before the request-line. */
        LEADING_EMPTY_LINES,
        METHOD,
        TARGET,
        VERSION,
        REQUEST_LINE_LF,
        HEADERS,
        COMPLETE,
        REJECTED
    }

    /** {@code SP HTTP/1.x CRLF} after the target. */
    private static final int REQUEST_LINE_TAIL = 1 + VersionSyntax.LENGTH + 2;
    private static final long HTTP_1_1 = Swar.pack(FieldFacts.ascii("HTTP/1.1"), 0, VersionSyntax.LENGTH);
    private static final long HTTP_1_0 = Swar.pack(FieldFacts.ascii("HTTP/1.0"), 0, VersionSyntax.LENGTH);

    private final Http1Limits limits;
    private final HeaderFields fields;
    private final HeaderBlockScanner scanner;
    private final RequestHead head;
    private State state;
    private int pos;
    private Rejection rejection;

    public RequestParser() {
        this(Http1Limits.DEFAULT);
    }

    public RequestParser(Http1Limits limits) {
        this.limits = limits;
        this.fields = new HeaderFields(limits.maxHeaderCount());
        this.scanner = new HeaderBlockScanner(fields, limits.maxHeaderCount());
        this.head = new RequestHead(fields);
        reset();
    }

    /** Forgets the previous head; call before parsing the next request of the connection. */
    public void reset() {
        state = State.LEADING_EMPTY_LINES;
        pos = 0;
        rejection = null;
        fields.clear();
        head.framing = null;
        head.method = null;
        head.version = null;
        head.length = 0;
    }

    /**
     * Parses the head whose first {@code length} bytes are at {@code offset} in {@code segment}. Call again with the
     * same offset and a larger length after more bytes arrive (the segment may differ if it holds the same bytes).
     * Once COMPLETE or REJECTED, further calls return the same status until {@link #reset()}.
     */
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
        if (state == State.LEADING_EMPTY_LINES && pos == 0) {
            completeRequestLine(segment, offset, limit);
        }
        // The common case (request-line done, field lines next) skips the general state machine, which is too big
        // for the JIT to inline into this method.
        ParseStatus status = state == State.HEADERS ? headers(segment, offset, limit) : run(segment, offset, limit);
        if (status == ParseStatus.NEED_MORE && length >= limits.maxHeadBytes()) {
            return reject(Rejection.HEAD_TOO_LARGE);
        }
        return status;
    }

    /** The parsed head; meaningful after {@link ParseStatus#COMPLETE}. */
    public RequestHead head() {
        return head;
    }

    /** Why the head was rejected, or null if it was not. */
    public Rejection rejection() {
        return rejection;
    }

    /**
     * The method of the request-line once it parsed whole, also when a later line was rejected; null before. The
     * answer to a rejected HEAD must carry no content (RFC 9110 §9.3.2).
     */
    public HttpMethod method() {
        return head.method;
    }

    private ParseStatus run(MemorySegment s, long base, int limit) {
        while (true) {
            switch (state) {
                case LEADING_EMPTY_LINES -> {
                    if (pos >= limit) {
                        return ParseStatus.NEED_MORE;
                    }
                    byte b = s.get(ValueLayout.JAVA_BYTE, base + pos);
                    if (b == CR) {
                        if (pos + 1 >= limit) {
                            return ParseStatus.NEED_MORE;
                        }
                        if (s.get(ValueLayout.JAVA_BYTE, base + pos + 1) != LF) {
                            return reject(Rejection.BARE_CR);
                        }
                        pos += 2;
                    } else if (b == LF) {
                        return reject(Rejection.BARE_LF);
                    } else {
                        head.startLine = pos;
                        state = State.METHOD;
                    }
                }
                case METHOD -> {
                    int p = pos;
                    while (p < limit && CharClass.TOKEN[s.get(ValueLayout.JAVA_BYTE, base + p) & 0xFF]) {
                        p++;
                    }
                    pos = p;
                    if (p == limit) {
                        return ParseStatus.NEED_MORE;
                    }
                    if (p == head.startLine || s.get(ValueLayout.JAVA_BYTE, base + p) != SP) {
                        return reject(Rejection.INVALID_METHOD);
                    }
                    head.methodLength = p - head.startLine;
                    pos = p + 1;
                    head.targetStart = pos;
                    state = State.TARGET;
                }
                case TARGET -> {
                    int p = scanTarget(s, base, pos, limit);
                    pos = p;
                    if (p - head.targetStart > limits.maxTargetLength()) {
                        return reject(Rejection.TARGET_TOO_LONG);
                    }
                    if (p == limit) {
                        return ParseStatus.NEED_MORE;
                    }
                    byte b = s.get(ValueLayout.JAVA_BYTE, base + p);
                    if (b != SP) {
                        return reject(b == CR || b == LF ? Rejection.INVALID_REQUEST_LINE : Rejection.INVALID_TARGET);
                    }
                    if (p == head.targetStart) {
                        return reject(Rejection.INVALID_REQUEST_LINE);
                    }
                    head.targetLength = p - head.targetStart;
                    pos = p + 1;
                    state = State.VERSION;
                }
                case VERSION -> {
                    if (limit - pos < VersionSyntax.LENGTH + 1) {
                        return ParseStatus.NEED_MORE;
                    }
                    if (s.get(ValueLayout.JAVA_BYTE, base + pos) == SP) {
                        return reject(Rejection.INVALID_REQUEST_LINE);
                    }
                    Rejection invalid = VersionSyntax.check(s, base + pos);
                    if (invalid != null) {
                        return reject(invalid);
                    }
                    head.version = VersionSyntax.version(s, base + pos);
                    byte b = s.get(ValueLayout.JAVA_BYTE, base + pos + VersionSyntax.LENGTH);
                    if (b != CR) {
                        return reject(b == LF ? Rejection.BARE_LF : Rejection.INVALID_REQUEST_LINE);
                    }
                    pos += VersionSyntax.LENGTH + 1;
                    state = State.REQUEST_LINE_LF;
                }
                case REQUEST_LINE_LF -> {
                    if (pos >= limit) {
                        return ParseStatus.NEED_MORE;
                    }
                    if (s.get(ValueLayout.JAVA_BYTE, base + pos) != LF) {
                        return reject(Rejection.BARE_CR);
                    }
                    pos++;
                    head.method = HttpMethod.of(s, base + head.startLine, head.methodLength);
                    if (!TargetForm.fits(head.method, s, base + head.targetStart, head.targetLength)) {
                        return reject(Rejection.INVALID_TARGET);
                    }
                    scanner.start(pos);
                    state = State.HEADERS;
                }
                case HEADERS -> {
                    return headers(s, base, limit);
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

    /** The field lines, then the decisions that need all of them. */
    private ParseStatus headers(MemorySegment s, long base, int limit) {
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

    /**
     * Fast path for the common case: a whole request-line with a registered method, an ordinary target and
     * HTTP/1.x in the first bytes, checked with word compares. Anything else is left to the byte-at-a-time states,
     * which give the precise rejection.
     */
    private void completeRequestLine(MemorySegment s, long base, int limit) {
        if (base + Swar.WORD_BYTES > s.byteSize() || limit < Swar.WORD_BYTES) {
            return;
        }
        HttpMethod method = HttpMethod.startingWord(Swar.load(s, base));
        if (method == null) {
            return;
        }
        int target = method.nameLength() + 1;
        int targetEnd = scanTarget(s, base, target, limit);
        int lineEnd = targetEnd + REQUEST_LINE_TAIL;
        if (targetEnd == target || targetEnd - target > limits.maxTargetLength() || lineEnd > limit
                || s.get(ValueLayout.JAVA_BYTE, base + targetEnd) != SP
                || Swar.loadPair(s, base + lineEnd - 2) != Swar.CRLF) {
            return;
        }
        long version = Swar.load(s, base + targetEnd + 1);
        if ((version != HTTP_1_1 && version != HTTP_1_0)
                || !TargetForm.fits(method, s, base + target, targetEnd - target)) {
            return;
        }
        head.startLine = 0;
        head.methodLength = target - 1;
        head.method = method;
        head.targetStart = target;
        head.targetLength = targetEnd - target;
        head.version = version == HTTP_1_1 ? HttpVersion.HTTP_1_1 : HttpVersion.HTTP_1_0;
        pos = lineEnd;
        scanner.start(pos);
        state = State.HEADERS;
    }

    /**
     * Host is what routing, virtual hosts and the upstream's own routing read, so a value that is not an authority
     * is refused here rather than forwarded for the next hop to interpret differently. Empty is refused too when the
     * target is origin- or asterisk-form: Host is then the target URI's authority, and an "http" URI with an empty
     * host is invalid (RFC 9110 §4.2.1; nginx answers 400 as well). An absolute-form target carries its own
     * authority, which replaces Host (RFC 9112 §3.2.2), so there an empty Host is left to be ignored.
     */
    private boolean validHost(int field) {
        long at = fields.valueOffset(field);
        long end = at + fields.valueLength(field);
        if (at == end) {
            byte first = head.segment.get(ValueLayout.JAVA_BYTE, head.targetOffset());
            return first != '/' && first != '*';
        }
        if (scanner.hostChecked()) {
            return !scanner.hostColon() || Authority.validCommon(head.segment, at, end);
        }
        return Authority.valid(head.segment, at, end);
    }

    /** Validates Host and the framing fields, and decides the body framing (RFC 9112 §3.2, §6.1, §6.3). */
    private Rejection decide() {
        FieldFacts facts = head.facts;
        Rejection invalid = facts.analyze(fields);
        if (invalid != null) {
            return invalid;
        }
        if (fields.framingAlias()) {
            return Rejection.FRAMING_FIELD_ALIAS;
        }
        int hosts = fields.occurrences(KnownHeader.HOST);
        if (hosts > 1) {
            return Rejection.DUPLICATE_HOST;
        }
        if (hosts == 0 && head.version == HttpVersion.HTTP_1_1) {
            return Rejection.MISSING_HOST;
        }
        if (hosts == 1 && !validHost(fields.indexOf(KnownHeader.HOST))) {
            return Rejection.INVALID_HOST;
        }
        if (facts.transferEncoding()) {
            invalid = facts.transferEncodingRejection(head.version);
            if (invalid != null) {
                return invalid;
            }
            if (!facts.chunkedFinal()) {
                // RFC 9112 §6.3 item 4: a request whose final coding is not chunked cannot be framed.
                return Rejection.INVALID_TRANSFER_ENCODING;
            }
            if (facts.otherCoding()) {
                return Rejection.UNSUPPORTED_TRANSFER_CODING;
            }
            head.framing = Framing.CHUNKED;
        } else if (facts.contentLength != FieldFacts.ABSENT) {
            head.framing = Framing.CONTENT_LENGTH;
        } else {
            head.framing = Framing.NONE;
        }
        return null;
    }

    /**
     * The first position in {@code [p, limit)} that cannot be part of a request-target (outside 0x21..0x7E), or
     * {@code limit}. Eight bytes per step wherever a word fits in the segment.
     */
    private static int scanTarget(MemorySegment s, long base, int p, int limit) {
        long lastWord = s.byteSize() - base - Swar.WORD_BYTES;
        while (p < limit && p <= lastWord) {
            long marked = Swar.notTarget(Swar.load(s, base + p));
            if (marked != 0) {
                return Math.min(p + Swar.firstMarked(marked), limit);
            }
            p += Swar.WORD_BYTES;
        }
        while (p < limit && CharClass.TARGET[s.get(ValueLayout.JAVA_BYTE, base + p) & 0xFF]) {
            p++;
        }
        return Math.min(p, limit);
    }

    private ParseStatus reject(Rejection reason) {
        rejection = reason;
        state = State.REJECTED;
        return ParseStatus.REJECTED;
    }
}

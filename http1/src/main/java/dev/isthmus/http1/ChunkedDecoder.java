package dev.isthmus.http1;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static dev.isthmus.http1.CharClass.CR;
import static dev.isthmus.http1.CharClass.HTAB;
import static dev.isthmus.http1.CharClass.LF;
import static dev.isthmus.http1.CharClass.SP;

/**
 * Incremental validator of a chunked body (RFC 9112 §7.1), for a proxy that forwards the body as it is; owned by
 * the thread that owns the connection, reused through {@link #reset()}.
 *
 * <p>Bytes may arrive in any pieces, in any segments. Each {@link #decode} call consumes one run: either framing
 * (chunk-size lines, CRLFs after data, last chunk, trailers) or chunk data, and {@link #lastRun()} says which, so
 * the caller can forward or drop framing and forward data. In the middle of a chunk, {@link #payloadRemaining()}
 * says how many data bytes follow, and {@link #skipPayload(long)} accounts for bytes moved without being read
 * (spliced). Errors are values: {@link #isRejected()} and {@link #rejection()}.
 */
public final class ChunkedDecoder {
    /** What the bytes consumed by the last {@link #decode} call were. */
    public enum Run {
        /** Chunk-size lines, the CRLF after chunk data, the last chunk and the trailer section. */
        FRAMING,
        /** Chunk data. */
        DATA
    }

    /**
     * Where in {@code *( BWS ";" BWS name [ BWS "=" BWS ( token / quoted-string ) ] )} an extension is (RFC 9112
     * §7.1.1). Checked, not just copied: the extensions go on byte for byte, and a next hop that splits a malformed
     * one elsewhere than the proxy did could end the size line somewhere else.
     */
    private enum ExtensionPart {
        BEFORE_NAME, NAME, AFTER_NAME, BEFORE_VALUE, TOKEN_VALUE, QUOTED, QUOTED_PAIR, AFTER_VALUE
    }

    private enum State {
        SIZE_START,
        SIZE,
        /** Whitespace after the size, allowed only before an extension (BWS). */
        SIZE_WHITESPACE,
        EXTENSION,
        SIZE_LF,
        DATA,
        DATA_CR,
        DATA_LF,
        TRAILER_LINE_START,
        TRAILER_NAME,
        TRAILER_VALUE,
        TRAILER_LF,
        END_LF,
        COMPLETE,
        REJECTED
    }

    private static final int HEX_RADIX_BITS = 4;
    /** Sizes above this cannot take another hex digit without overflowing a signed long. */
    private static final long MAX_BEFORE_DIGIT = Long.MAX_VALUE >>> HEX_RADIX_BITS;
    /**
     * The grammar allows any number of leading zeros, but a next hop that reads a fixed number of digits would take
     * {@code 00000000000000001} for the last chunk and the rest of the body for the next request; sixteen digits
     * hold every size a long can, so a longer size-line is refused rather than passed on.
     */
    private static final int MAX_SIZE_DIGITS = 16;

    /**
     * Fields a trailer section must not carry (RFC 9110 §6.5.1 names framing and routing): a next hop that merged
     * trailers into the head would frame or route the message by them.
     */
    private static final byte[][] FORBIDDEN_TRAILERS = {
        FieldFacts.ascii("content-length"), FieldFacts.ascii("transfer-encoding"), FieldFacts.ascii("host")};
    private static final int ALL_FORBIDDEN = (1 << FORBIDDEN_TRAILERS.length) - 1;

    private final int maxExtensionLength;
    private final int maxTrailerBytes;
    private State state;
    private Run lastRun;
    private long chunkSize;
    private int sizeDigits;
    private long remaining;
    /** Chunk data the body may still declare before {@link Rejection#CONTENT_TOO_LARGE}. */
    private long payloadAllowance;
    private int extensionLength;
    private ExtensionPart extensionPart;
    private int trailerBytes;
    private int trailerNameLength;
    /** Bit k: the trailer field name read so far is a prefix of {@code FORBIDDEN_TRAILERS[k]}. */
    private int forbiddenPrefixes;
    private Rejection rejection;

    public ChunkedDecoder() {
        this(Http1Limits.DEFAULT);
    }

    public ChunkedDecoder(Http1Limits limits) {
        this.maxExtensionLength = limits.maxChunkExtensionLength();
        this.maxTrailerBytes = limits.maxTrailerBytes();
        reset();
    }

    /** Prepares for the next chunked body, of any length. */
    public void reset() {
        reset(Long.MAX_VALUE);
    }

    /**
     * Prepares for the next chunked body, which is rejected with {@link Rejection#CONTENT_TOO_LARGE} at the first
     * size digit that takes a chunk past what is left of {@code maxPayloadBytes}: a caller that forwards what was
     * consumed never sends more chunk data than the limit, nor the size line that would announce more.
     */
    public void reset(long maxPayloadBytes) {
        if (maxPayloadBytes < 0) {
            throw new IllegalArgumentException("negative payload limit " + maxPayloadBytes);
        }
        payloadAllowance = maxPayloadBytes;
        state = State.SIZE_START;
        lastRun = Run.FRAMING;
        chunkSize = 0;
        remaining = 0;
        rejection = null;
    }

    /**
     * Consumes the next run of framing or data from {@code [offset, offset + length)} and returns its length.
     * Returns 0 once the body is complete or rejected; bytes after the end of the body are never consumed.
     */
    public long decode(MemorySegment segment, long offset, long length) {
        if (state == State.DATA) {
            long n = Math.min(remaining, length);
            consumePayload(n);
            lastRun = Run.DATA;
            return n;
        }
        lastRun = Run.FRAMING;
        long p = 0;
        while (p < length && state != State.DATA && state != State.COMPLETE && state != State.REJECTED) {
            if (step(segment.get(ValueLayout.JAVA_BYTE, offset + p))) {
                p++;
            }
        }
        return p;
    }

    /** Whether the last {@link #decode} consumed framing or data. */
    public Run lastRun() {
        return lastRun;
    }

    /** Data bytes of the current chunk not yet consumed; 0 outside chunk data. */
    public long payloadRemaining() {
        return state == State.DATA ? remaining : 0;
    }

    /** Accounts for {@code n} data bytes of the current chunk that were moved without being decoded. */
    public void skipPayload(long n) {
        if (n < 0 || n > payloadRemaining()) {
            throw new IllegalArgumentException("cannot skip " + n + " payload bytes, " + payloadRemaining() + " remain");
        }
        consumePayload(n);
    }

    /** Whether the last chunk, the trailers and the final CRLF have been consumed. */
    public boolean isComplete() {
        return state == State.COMPLETE;
    }

    public boolean isRejected() {
        return state == State.REJECTED;
    }

    /** Why the body was rejected, or null. */
    public Rejection rejection() {
        return rejection;
    }

    private void consumePayload(long n) {
        remaining -= n;
        if (remaining == 0 && n > 0) {
            state = State.DATA_CR;
        }
    }

    /** Advances over one framing byte; returns false (consuming nothing) when the byte is rejected. */
    private boolean step(byte b) {
        switch (state) {
            case SIZE_START -> {
                int digit = CharClass.HEX_VALUE[b & 0xFF];
                if (digit == CharClass.NOT_HEX) {
                    return fail(b == LF ? Rejection.BARE_LF : Rejection.INVALID_CHUNK_SIZE);
                }
                if (digit > payloadAllowance) {
                    return fail(Rejection.CONTENT_TOO_LARGE);
                }
                chunkSize = digit;
                sizeDigits = 1;
                extensionLength = 0;
                state = State.SIZE;
            }
            case SIZE -> {
                int digit = CharClass.HEX_VALUE[b & 0xFF];
                if (digit != CharClass.NOT_HEX) {
                    if (chunkSize > MAX_BEFORE_DIGIT || ++sizeDigits > MAX_SIZE_DIGITS) {
                        return fail(Rejection.CHUNK_SIZE_OVERFLOW);
                    }
                    chunkSize = (chunkSize << HEX_RADIX_BITS) | digit;
                    if (chunkSize > payloadAllowance) {
                        return fail(Rejection.CONTENT_TOO_LARGE);
                    }
                } else if (b == CR) {
                    state = State.SIZE_LF;
                } else if (b == CharClass.SEMICOLON) {
                    startExtension();
                } else if (b == SP || b == HTAB) {
                    state = State.SIZE_WHITESPACE;
                } else {
                    return fail(b == LF ? Rejection.BARE_LF : Rejection.INVALID_CHUNK_SIZE);
                }
            }
            case SIZE_WHITESPACE -> {
                if (b == CharClass.SEMICOLON) {
                    startExtension();
                } else if (b != SP && b != HTAB) {
                    return fail(Rejection.INVALID_CHUNK_SIZE);
                }
            }
            case EXTENSION -> {
                if (b == LF) {
                    return fail(Rejection.BARE_LF);
                }
                if (b != CR && ++extensionLength > maxExtensionLength) {
                    return fail(Rejection.CHUNK_EXTENSION_TOO_LONG);
                }
                return extensionStep(b);
            }
            case SIZE_LF -> {
                if (b != LF) {
                    return fail(Rejection.BARE_CR);
                }
                if (chunkSize == 0) {
                    trailerBytes = 0;
                    state = State.TRAILER_LINE_START;
                } else {
                    payloadAllowance -= chunkSize;
                    remaining = chunkSize;
                    state = State.DATA;
                }
            }
            case DATA_CR -> {
                if (b != CR) {
                    return fail(Rejection.MISSING_CHUNK_DATA_CRLF);
                }
                state = State.DATA_LF;
            }
            case DATA_LF -> {
                if (b != LF) {
                    return fail(Rejection.MISSING_CHUNK_DATA_CRLF);
                }
                state = State.SIZE_START;
            }
            case TRAILER_LINE_START, TRAILER_NAME, TRAILER_VALUE, TRAILER_LF, END_LF -> {
                return trailerStep(b);
            }
            case DATA, COMPLETE, REJECTED -> throw new IllegalStateException("no framing byte expected in " + state);
        }
        return true;
    }

    private void startExtension() {
        extensionPart = ExtensionPart.BEFORE_NAME;
        state = State.EXTENSION;
    }

    /** One byte of a chunk extension; a CR where the grammar allows the line to end ends it. */
    private boolean extensionStep(byte b) {
        boolean whitespace = b == SP || b == HTAB;
        boolean token = CharClass.TOKEN[b & 0xFF];
        boolean mayEnd = extensionPart == ExtensionPart.NAME || extensionPart == ExtensionPart.AFTER_NAME
                || extensionPart == ExtensionPart.TOKEN_VALUE || extensionPart == ExtensionPart.AFTER_VALUE;
        ExtensionPart next = switch (extensionPart) {
            case BEFORE_NAME -> whitespace ? ExtensionPart.BEFORE_NAME : token ? ExtensionPart.NAME : null;
            case NAME, AFTER_NAME -> token && extensionPart == ExtensionPart.NAME ? ExtensionPart.NAME
                    : whitespace ? ExtensionPart.AFTER_NAME
                    : b == '=' ? ExtensionPart.BEFORE_VALUE
                    : b == CharClass.SEMICOLON ? ExtensionPart.BEFORE_NAME : null;
            case BEFORE_VALUE -> whitespace ? ExtensionPart.BEFORE_VALUE
                    : b == '"' ? ExtensionPart.QUOTED : token ? ExtensionPart.TOKEN_VALUE : null;
            case TOKEN_VALUE, AFTER_VALUE -> token && extensionPart == ExtensionPart.TOKEN_VALUE
                    ? ExtensionPart.TOKEN_VALUE
                    : whitespace ? ExtensionPart.AFTER_VALUE
                    : b == CharClass.SEMICOLON ? ExtensionPart.BEFORE_NAME : null;
            case QUOTED -> b == '"' ? ExtensionPart.AFTER_VALUE : b == '\\' ? ExtensionPart.QUOTED_PAIR
                    : CharClass.FIELD_CONTENT[b & 0xFF] ? ExtensionPart.QUOTED : null;
            case QUOTED_PAIR -> CharClass.FIELD_CONTENT[b & 0xFF] ? ExtensionPart.QUOTED : null;
        };
        if (next != null) {
            extensionPart = next;
            return true;
        }
        if (b == CR && mayEnd) {
            state = State.SIZE_LF;
            return true;
        }
        return fail(Rejection.INVALID_CHUNK_EXTENSION);
    }

    /** The trailer section: field lines under the same rules as a head's, then the final CRLF. */
    private boolean trailerStep(byte b) {
        if (++trailerBytes > maxTrailerBytes) {
            return fail(Rejection.TRAILERS_TOO_LARGE);
        }
        switch (state) {
            case TRAILER_LINE_START -> {
                if (b == CR) {
                    state = State.END_LF;
                } else if (b == LF) {
                    return fail(Rejection.BARE_LF);
                } else if (b == SP || b == HTAB) {
                    return fail(Rejection.OBS_FOLD);
                } else if (CharClass.TOKEN[b & 0xFF]) {
                    trailerNameLength = 0;
                    forbiddenPrefixes = ALL_FORBIDDEN;
                    matchForbidden(b);
                    state = State.TRAILER_NAME;
                } else {
                    return fail(Rejection.INVALID_HEADER_NAME);
                }
            }
            case TRAILER_NAME -> {
                if (b == CharClass.COLON) {
                    if (namesForbiddenTrailer()) {
                        return fail(Rejection.FORBIDDEN_TRAILER_FIELD);
                    }
                    state = State.TRAILER_VALUE;
                } else if (b == SP || b == HTAB) {
                    return fail(Rejection.WHITESPACE_BEFORE_COLON);
                } else if (!CharClass.TOKEN[b & 0xFF]) {
                    return fail(Rejection.INVALID_HEADER_NAME);
                } else {
                    matchForbidden(b);
                }
            }
            case TRAILER_VALUE -> {
                if (b == CR) {
                    state = State.TRAILER_LF;
                } else if (b == LF) {
                    return fail(Rejection.BARE_LF);
                } else if (!CharClass.FIELD_CONTENT[b & 0xFF]) {
                    return fail(Rejection.INVALID_HEADER_VALUE);
                }
            }
            case TRAILER_LF -> {
                if (b != LF) {
                    return fail(Rejection.BARE_CR);
                }
                state = State.TRAILER_LINE_START;
            }
            case END_LF -> {
                if (b != LF) {
                    return fail(Rejection.BARE_CR);
                }
                state = State.COMPLETE;
            }
            default -> throw new IllegalStateException("not in the trailer section: " + state);
        }
        return true;
    }

    /** Narrows the forbidden names the trailer field name can still be by its next byte {@code b}. */
    private void matchForbidden(byte b) {
        int lower = CharClass.lower(b & 0xFF);
        for (int k = 0; k < FORBIDDEN_TRAILERS.length; k++) {
            byte[] name = FORBIDDEN_TRAILERS[k];
            if (trailerNameLength >= name.length || name[trailerNameLength] != lower) {
                forbiddenPrefixes &= ~(1 << k);
            }
        }
        trailerNameLength++;
    }

    private boolean namesForbiddenTrailer() {
        for (int k = 0; k < FORBIDDEN_TRAILERS.length; k++) {
            if ((forbiddenPrefixes & (1 << k)) != 0 && FORBIDDEN_TRAILERS[k].length == trailerNameLength) {
                return true;
            }
        }
        return false;
    }

    private boolean fail(Rejection reason) {
        rejection = reason;
        state = State.REJECTED;
        return false;
    }
}

package dev.isthmus.http1;

import java.lang.foreign.MemorySegment;

/**
 * Turns a parsed response head into the head a proxy sends downstream, as a {@link GatherList}: the proxy's own
 * HTTP-version in the status-line (RFC 9110 §6.2), Via appended, hop-by-hop fields and those named in Connection
 * dropped (Upgrade kept for a 101), {@code Connection: close} added when the proxy will close the client connection,
 * and the framing fields written plainly when they came repeated, zero-padded or with empty list elements.
 * Owned by one thread (a reactor), reused for every response.
 */
public final class ResponseHeadRewriter {
    private static final int FINAL_CRLF = 2;
    private static final int SWITCHING_PROTOCOLS = 101;
    private static final int NO_CONTENT = 204;
    private static final byte[] CONNECTION = FieldFacts.ascii("Connection");
    private static final byte[] CLOSE = FieldFacts.ascii("close");
    private static final byte[] UPGRADE = FieldFacts.ascii("upgrade");
    private static final byte[] KEEP_ALIVE = FieldFacts.ascii("keep-alive");
    private static final byte[] OWN_VERSION = FieldFacts.ascii("HTTP/1.1");
    private static final int STATUS_CODE_END = "HTTP/1.1 200".length();
    private static final byte[] SP = FieldFacts.ascii(" ");
    private static final byte[] DATE = FieldFacts.ascii("Date");

    private final SliceWriter writer = new SliceWriter();
    private boolean announceKeepAlive;
    private boolean dropTransferEncoding;
    private byte[] via;
    private byte[] date;

    /**
     * Whether responses that keep the connection get {@code Connection: keep-alive}: an HTTP/1.0 client persists
     * only when told so (RFC 9112 §9.3 and appendix C.2.2); HTTP/1.1 clients need no such field.
     */
    public ResponseHeadRewriter announceKeepAlive(boolean announce) {
        this.announceKeepAlive = announce;
        return this;
    }

    /** Appends {@code Via: 1.x pseudonym} (RFC 9110 §7.6.3) to every response; null: none. */
    public ResponseHeadRewriter via(byte[] pseudonym) {
        this.via = pseudonym;
        return this;
    }

    /**
     * Adds {@code Date: value} to the next heads; for a response that came without one, which a proxy with a clock
     * must date on the way through (RFC 9110 §6.6.1). Null: none.
     */
    public ResponseHeadRewriter date(byte[] value) {
        this.date = value;
        return this;
    }

    /**
     * Whether Transfer-Encoding (and Trailer with it) is left out: an HTTP/1.0 client cannot receive a transfer
     * coding (RFC 9112 §6.1); a chunked body the proxy de-chunks for it is delimited by the close instead, and its
     * trailer fields are dropped.
     */
    public ResponseHeadRewriter dropTransferEncoding(boolean drop) {
        this.dropTransferEncoding = drop;
        return this;
    }

    /**
     * Writes the rewritten head of {@code head} into {@code out}; {@code close} adds {@code Connection: close}.
     * Returns the scratch bytes used, or -1 if they did not fit in {@code scratchCapacity}.
     */
    public long rewrite(ResponseHead head, boolean close, MemorySegment scratch, long scratchOffset, long scratchCapacity,
                        GatherList out) {
        HeaderFields f = head.headers();
        writer.begin(out, head.segment(), scratch, scratchOffset, scratchCapacity);
        boolean switching = head.statusCode() == SWITCHING_PROTOCOLS;
        long end = head.offset() + head.length();
        long fieldsStart = f.count() > 0 ? f.nameOffset(0) : end - FINAL_CRLF;
        long afterVersion = head.offset() + OWN_VERSION.length;
        long reason = head.reasonOffset();
        // A later HTTP/1.x was read as 1.1, but its own digits must not go on: the version is the proxy's (§6.2).
        if (head.version() == HttpVersion.HTTP_1_1 && VersionSyntax.isHttp11(head.segment(), head.offset())) {
            writer.original(head.offset(), reason - head.offset());
        } else {
            writer.bytes(OWN_VERSION);
            writer.original(afterVersion, reason - afterVersion);
        }
        // The parser forgives a missing SP before an empty reason; a sender must not omit it (RFC 9112 §4).
        if (reason == head.offset() + STATUS_CODE_END) {
            writer.bytes(SP);
        }
        writer.original(reason, fieldsStart - reason);
        boolean namesFields = head.connectionNamesFields();
        // RFC 9110 §8.6 and RFC 9112 §6.1: no Content-Length or Transfer-Encoding on a 1xx or 204, which never has a
        // body; an upstream that sends them anyway must not pass a false length on to the client.
        boolean bodiless = head.informational() || head.statusCode() == NO_CONTENT;
        boolean normalizeLength = !bodiless && head.framing() == Framing.CONTENT_LENGTH
                && !f.plainContentLength(head.contentLength());
        boolean normalizeCoding = !bodiless && !dropTransferEncoding && head.framing() == Framing.CHUNKED
                && !head.facts.otherCoding() && !f.plainChunked();
        for (int i = 0; i < f.count(); i++) {
            if (HopByHop.fixed(f, i, switching) || (namesFields && HopByHop.namedInConnection(f, i))
                    || ((dropTransferEncoding || bodiless) && f.is(i, KnownHeader.TRANSFER_ENCODING))
                    || (dropTransferEncoding && f.is(i, KnownHeader.TRAILER))
                    || (bodiless && f.is(i, KnownHeader.CONTENT_LENGTH))) {
                continue;
            }
            if (!writer.plainFramingField(f, i, normalizeLength, head.contentLength(), normalizeCoding)) {
                long line = f.nameOffset(i);
                writer.original(line, f.lineEndOffset(i) - line);
            }
        }
        if (date != null) {
            writer.field(DATE, date);
        }
        if (via != null) {
            writer.via(head.version(), via);
        }
        if (switching) {
            writer.field(CONNECTION, UPGRADE);
        } else if (close) {
            writer.field(CONNECTION, CLOSE);
        } else if (announceKeepAlive) {
            writer.field(CONNECTION, KEEP_ALIVE);
        }
        writer.original(end - FINAL_CRLF, FINAL_CRLF);
        return writer.finish();
    }
}

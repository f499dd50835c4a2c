package dev.isthmus.http1;

import java.lang.foreign.MemorySegment;

/**
 * A parsed response head as offsets into the caller's segment, with the framing and connection decisions made;
 * owned by the thread that owns its {@link ResponseParser}, valid after {@link ParseStatus#COMPLETE} until the next
 * reset.
 */
public final class ResponseHead {
    private final HeaderFields headers;
    final FieldFacts facts = new FieldFacts();
    MemorySegment segment = MemorySegment.NULL;
    long base;
    int statusCode;
    int reasonStart;
    int reasonLength;
    int length;
    HttpVersion version;
    Framing framing;

    ResponseHead(HeaderFields headers) {
        this.headers = headers;
    }

    public MemorySegment segment() {
        return segment;
    }

    /** Absolute offset of the status-line. */
    public long offset() {
        return base;
    }

    /** Bytes from {@link #offset()} through the CRLF that ends the head. */
    public int length() {
        return length;
    }

    public HttpVersion version() {
        return version;
    }

    public int statusCode() {
        return statusCode;
    }

    /** Whether this is an interim 1xx response, after which the final response to the same request follows. */
    public boolean informational() {
        return statusCode < 200;
    }

    /** Absolute offset of the reason phrase (possibly empty). */
    public long reasonOffset() {
        return base + reasonStart;
    }

    public int reasonLength() {
        return reasonLength;
    }

    public HeaderFields headers() {
        return headers;
    }

    /** How the response body is delimited, given the request it answers (RFC 9112 §6.3). */
    public Framing framing() {
        return framing;
    }

    /** The body length for {@link Framing#CONTENT_LENGTH}, else -1. */
    public long contentLength() {
        return framing == Framing.CONTENT_LENGTH ? facts.contentLength : FieldFacts.ABSENT;
    }

    /** Whether Transfer-Encoding names a coding other than chunked (gzip, say), which this codec does not decode. */
    public boolean hasOtherTransferCoding() {
        return facts.otherCoding();
    }

    /** Whether the Upgrade field of a 101 names {@code protocol} (lowercase ASCII), the one it switches to. */
    public boolean upgradeOffers(byte[] protocol) {
        return UpgradeProtocols.lists(headers, protocol);
    }

    /**
     * Whether the upstream connection may carry another request after this response: HTTP/1.1 or keep-alive, no
     * {@code Connection: close}, and a body that does not end at connection close.
     */
    public boolean keepAlive() {
        return framing != Framing.CLOSE_DELIMITED && framing != Framing.TUNNEL && facts.persistent(version);
    }

    /** Whether Connection names fields other than close, keep-alive and upgrade, which a proxy must drop. */
    public boolean connectionNamesFields() {
        return facts.connectionNamesFields();
    }
}

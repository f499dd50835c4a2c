package dev.isthmus.http1;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * A parsed request head as offsets into the caller's segment, with the framing and connection decisions made; owned
 * by the thread that owns its {@link RequestParser}, valid after {@link ParseStatus#COMPLETE} until the next reset.
 */
public final class RequestHead {
    private final HeaderFields headers;
    final FieldFacts facts = new FieldFacts();
    MemorySegment segment = MemorySegment.NULL;
    long base;
    int startLine;
    int methodLength;
    int targetStart;
    int targetLength;
    int length;
    HttpMethod method;
    HttpVersion version;
    Framing framing;

    RequestHead(HeaderFields headers) {
        this.headers = headers;
    }

    /** The segment the head was parsed in. */
    public MemorySegment segment() {
        return segment;
    }

    /** Absolute offset of the head: where the caller's bytes start, including any leading empty lines. */
    public long offset() {
        return base;
    }

    /** Bytes from {@link #offset()} through the CRLF that ends the head; the body (if any) starts right after. */
    public int length() {
        return length;
    }

    /** Absolute offset of the request-line (after any empty lines that preceded it). */
    public long requestLineOffset() {
        return base + startLine;
    }

    public HttpMethod method() {
        return method;
    }

    /** Absolute offset of the method bytes; meaningful for {@link HttpMethod#EXTENSION}. */
    public long methodOffset() {
        return base + startLine;
    }

    public int methodLength() {
        return methodLength;
    }

    /** Absolute offset of the request-target. */
    public long targetOffset() {
        return base + targetStart;
    }

    public int targetLength() {
        return targetLength;
    }

    public HttpVersion version() {
        return version;
    }

    public HeaderFields headers() {
        return headers;
    }

    /** How the request body is delimited: {@link Framing#NONE}, {@link Framing#CONTENT_LENGTH} or {@link Framing#CHUNKED}. */
    public Framing framing() {
        return framing;
    }

    /** The body length for {@link Framing#CONTENT_LENGTH}, else -1. */
    public long contentLength() {
        return framing == Framing.CONTENT_LENGTH ? facts.contentLength : FieldFacts.ABSENT;
    }

    /** Whether the client connection may carry another request after this one (version and Connection options). */
    public boolean keepAlive() {
        return facts.persistent(version);
    }

    /** Whether the client sent {@code Expect: 100-continue}; ignored in HTTP/1.0 (RFC 9110 §10.1.1). */
    public boolean expectContinue() {
        return version == HttpVersion.HTTP_1_1 && facts.expectContinue();
    }

    /**
     * Whether the client asks to switch protocols: an Upgrade field named in Connection (RFC 9110 §7.8), never in
     * HTTP/1.0, where a server must ignore Upgrade (and could not send the 101 anyway).
     */
    public boolean upgradeRequested() {
        return version == HttpVersion.HTTP_1_1 && facts.connectionUpgrade()
                && headers.indexOf(KnownHeader.UPGRADE) >= 0;
    }

    /**
     * Whether an Upgrade field lists {@code protocol} (lowercase ASCII; a {@code /version} suffix is ignored), as
     * {@code Upgrade: websocket} or {@code Upgrade: h2c, WebSocket/13} list websocket.
     */
    public boolean upgradeOffers(byte[] protocol) {
        return UpgradeProtocols.lists(headers, protocol);
    }

    /** Whether Connection names fields other than close, keep-alive and upgrade, which a proxy must drop. */
    public boolean connectionNamesFields() {
        return facts.connectionNamesFields();
    }

    /** Whether the target starts with {@code prefix} (exact bytes); for route matching without Strings. */
    public boolean targetStartsWith(byte[] prefix) {
        if (prefix.length > targetLength) {
            return false;
        }
        long at = base + targetStart;
        for (int k = 0; k < prefix.length; k++) {
            if (segment.get(ValueLayout.JAVA_BYTE, at + k) != prefix[k]) {
                return false;
            }
        }
        return true;
    }

    /** The request-target as a String (allocates; not for the data path). */
    public String target() {
        byte[] bytes = new byte[targetLength];
        MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, base + targetStart, bytes, 0, targetLength);
        return new String(bytes, StandardCharsets.US_ASCII);
    }
}

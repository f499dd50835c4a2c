package dev.isthmus.http1;

/**
 * Why a message head or a chunked body was refused, with the status a server answers a client with.
 *
 * <p>Every rejection is a value, never an exception: parsers report it and stop. For a response received
 * from upstream the proxy answers its own client with 502 whatever the reason; {@link #status()} is the
 * status for a rejected request.
 */
public enum Rejection {
    /** The method is empty or holds a character that is not a token character (RFC 9110 §9.1). */
    INVALID_METHOD(400, "invalid method"),
    /** The request-target holds a control, space, DEL or non-ASCII byte, or has the wrong form for the method. */
    INVALID_TARGET(400, "invalid request-target"),
    /** The request-target is longer than {@link Http1Limits#maxTargetLength()}. */
    TARGET_TOO_LONG(414, "request-target too long"),
    /** The request-line is not {@code method SP target SP version CRLF}. */
    INVALID_REQUEST_LINE(400, "invalid request-line"),
    /** The status-line is not {@code version SP 3DIGIT [SP reason] CRLF}. */
    INVALID_STATUS_LINE(400, "invalid status-line"),
    /** The version is not of the form {@code HTTP/DIGIT.DIGIT}. */
    INVALID_VERSION(400, "invalid HTTP version"),
    /** A well-formed version whose major version is not 1 (HTTP/0.9, HTTP/2.0...); a later 1.x is read as 1.1. */
    UNSUPPORTED_VERSION(505, "HTTP version not supported"),
    /** A field name that is empty or holds a character that is not a token character. */
    INVALID_HEADER_NAME(400, "invalid header name"),
    /** Whitespace between a field name and its colon (RFC 9112 §5.1: must be rejected). */
    WHITESPACE_BEFORE_COLON(400, "whitespace before colon"),
    /** A CR not followed by LF. */
    BARE_CR(400, "bare CR"),
    /** An LF not preceded by CR. */
    BARE_LF(400, "bare LF"),
    /** A field line continued on the next line by leading whitespace (obs-fold, RFC 9112 §5.2). */
    OBS_FOLD(400, "obsolete line folding"),
    /** NUL, DEL or another control character other than HTAB in a field value. */
    INVALID_HEADER_VALUE(400, "invalid header value"),
    /** A Content-Length that is not plain decimal digits. */
    INVALID_CONTENT_LENGTH(400, "invalid Content-Length"),
    /** A Content-Length larger than {@link Long#MAX_VALUE}. */
    CONTENT_LENGTH_OVERFLOW(400, "Content-Length overflow"),
    /** Several Content-Length fields with different values. */
    CONFLICTING_CONTENT_LENGTH(400, "conflicting Content-Length"),
    /** Both Content-Length and Transfer-Encoding: the framing is ambiguous (request smuggling). */
    CONTENT_LENGTH_WITH_TRANSFER_ENCODING(400, "Content-Length with Transfer-Encoding"),
    /** Transfer-Encoding whose final coding is not chunked, chunked applied twice, or a malformed coding list. */
    INVALID_TRANSFER_ENCODING(400, "invalid Transfer-Encoding"),
    /** A transfer coding other than chunked (RFC 9112 §6.1: 501). */
    UNSUPPORTED_TRANSFER_CODING(501, "unsupported transfer coding"),
    /** Transfer-Encoding in an HTTP/1.0 message, whose framing is then faulty (RFC 9112 §6.1). */
    TRANSFER_ENCODING_IN_HTTP_1_0(400, "Transfer-Encoding in HTTP/1.0"),
    /** A field named like Content-Length or Transfer-Encoding with '_' for '-', which some origins read as framing. */
    FRAMING_FIELD_ALIAS(400, "framing field name with an underscore"),
    /** Content-Length, Transfer-Encoding or Host in a trailer section (RFC 9110 §6.5.1). */
    FORBIDDEN_TRAILER_FIELD(400, "framing or routing field in the trailers"),
    /** An HTTP/1.1 request without Host (RFC 9112 §3.2). */
    MISSING_HOST(400, "missing Host"),
    /** A request with more than one Host field. */
    DUPLICATE_HOST(400, "duplicate Host"),
    /** A Host value that is not {@code uri-host [":" port]}: space, '/', '@', '?', '#' and the like (RFC 9112 §3.2). */
    INVALID_HOST(400, "invalid Host"),
    /** The head did not end within {@link Http1Limits#maxHeadBytes()}. */
    HEAD_TOO_LARGE(431, "head too large"),
    /** More fields than {@link Http1Limits#maxHeaderCount()}. */
    TOO_MANY_HEADERS(431, "too many headers"),
    /** A chunk-size that is empty or not hexadecimal. */
    INVALID_CHUNK_SIZE(400, "invalid chunk size"),
    /** A chunk-size that does not fit in a signed 64-bit value. */
    CHUNK_SIZE_OVERFLOW(400, "chunk size overflow"),
    /** A chunk extension with control characters. */
    INVALID_CHUNK_EXTENSION(400, "invalid chunk extension"),
    /** A chunk extension longer than {@link Http1Limits#maxChunkExtensionLength()}. */
    CHUNK_EXTENSION_TOO_LONG(400, "chunk extension too long"),
    /** Chunk data not followed by CRLF. */
    MISSING_CHUNK_DATA_CRLF(400, "chunk data not followed by CRLF"),
    /** A trailer section longer than {@link Http1Limits#maxTrailerBytes()}. */
    TRAILERS_TOO_LARGE(431, "trailer section too large"),
    /** Chunk data beyond the payload limit given to {@link ChunkedDecoder#reset(long)} (RFC 9110 §15.5.14). */
    CONTENT_TOO_LARGE(413, "content larger than this server accepts");

    private final int status;
    private final String description;

    Rejection(int status, String description) {
        this.status = status;
        this.description = description;
    }

    /** The HTTP status a server answers a rejected request with. */
    public int status() {
        return status;
    }

    /** A short human-readable reason, for logs and error bodies. */
    public String description() {
        return description;
    }
}

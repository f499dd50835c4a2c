package dev.isthmus.http1;

/** How the body of a message is delimited, decided per RFC 9112 §6.3. */
public enum Framing {
    /** No body follows the head. */
    NONE,
    /** Exactly {@code contentLength()} body bytes follow (possibly zero). */
    CONTENT_LENGTH,
    /** The body is chunked; decode it with {@link ChunkedDecoder}. */
    CHUNKED,
    /** Response only: the body runs until the server closes the connection. */
    CLOSE_DELIMITED,
    /** Response only: a 2xx to CONNECT or a 101; the connection becomes a byte tunnel after the head. */
    TUNNEL
}

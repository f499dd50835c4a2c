package dev.isthmus.http1;

/**
 * Bounds the codec enforces as bytes arrive, so memory and work per message stay bounded whatever the peer sends.
 *
 * @param maxHeadBytes            the longest head, request- or status-line through the final CRLF (431 beyond)
 * @param maxHeaderCount          the most field lines in one head (431 beyond)
 * @param maxTargetLength         the longest request-target (414 beyond)
 * @param maxChunkExtensionLength the longest chunk extension on one chunk-size line
 * @param maxTrailerBytes         the longest trailer section of a chunked body, final CRLF included
 */
public record Http1Limits(int maxHeadBytes, int maxHeaderCount, int maxTargetLength,
                          int maxChunkExtensionLength, int maxTrailerBytes) {

    /** 64 KiB heads, as nginx and Envoy accept by default. */
    public static final int DEFAULT_MAX_HEAD_BYTES = 64 * 1024;
    /** Envoy's default cap on the number of headers. */
    public static final int DEFAULT_MAX_HEADER_COUNT = 100;
    /** nginx's default large_client_header_buffers size, the longest request-line it accepts. */
    public static final int DEFAULT_MAX_TARGET_LENGTH = 8 * 1024;
    /** Chunk extensions are practically unused; a small cap stops them being used to stall a parser. */
    public static final int DEFAULT_MAX_CHUNK_EXTENSION_LENGTH = 256;
    /** Trailers are rare and small. */
    public static final int DEFAULT_MAX_TRAILER_BYTES = 8 * 1024;

    /** The defaults above. */
    public static final Http1Limits DEFAULT = new Http1Limits(DEFAULT_MAX_HEAD_BYTES, DEFAULT_MAX_HEADER_COUNT,
            DEFAULT_MAX_TARGET_LENGTH, DEFAULT_MAX_CHUNK_EXTENSION_LENGTH, DEFAULT_MAX_TRAILER_BYTES);

    public Http1Limits {
        if (maxHeadBytes < 16 || maxHeaderCount < 1 || maxTargetLength < 1
                || maxChunkExtensionLength < 0 || maxTrailerBytes < 2) {
            throw new IllegalArgumentException("limits out of range: maxHeadBytes=" + maxHeadBytes
                    + " maxHeaderCount=" + maxHeaderCount + " maxTargetLength=" + maxTargetLength
                    + " maxChunkExtensionLength=" + maxChunkExtensionLength + " maxTrailerBytes=" + maxTrailerBytes);
        }
    }
}

package dev.isthmus.proxy.route;

import java.lang.foreign.MemorySegment;

/**
 * What the route table reads of a parsed request head: byte ranges in the segment the head was parsed in,
 * as {@link Span}s. Implemented over the http1 codec's view by the proxy; called on the reactor thread that
 * owns the request, and must not allocate.
 */
public interface RequestView {

    /** The segment that every span of this view points into. */
    MemorySegment segment();

    /**
     * The path of the request-target: from its first byte up to, not including, the first {@code ?} (or the
     * whole target when it has no query), as received or as the listener's {@link PathNormalizer} left it.
     * For an absolute-form target ({@code http://host/path}) it is the path part only.
     */
    long path();

    /** The segment {@link #path()} points into: {@link #segment()} unless the path was normalized elsewhere. */
    default MemorySegment pathSegment() {
        return segment();
    }

    /**
     * The Host header's value as received (it may carry a port: matching strips it), or {@link Span#ABSENT}.
     * For an absolute-form target, the authority of the target (RFC 9112 section 3.2.2).
     */
    long host();

    /**
     * The value of the first header field named {@code lowercaseName} (ASCII, already lowercase; the field name
     * in the request compares case-insensitively), without surrounding whitespace, or {@link Span#ABSENT}.
     */
    long header(byte[] lowercaseName);
}

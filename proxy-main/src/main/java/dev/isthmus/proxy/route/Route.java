package dev.isthmus.proxy.route;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

/**
 * What to do with a request, decided by {@link RouteTable#match} and pre-encoded at compile time so that acting
 * on it builds nothing per request. Immutable; shared by every reactor.
 * <ul>
 *   <li>{@link Kind#FORWARD}: proxy to {@link #clusterIndex()}, applying the optional rewrites and timeout.</li>
 *   <li>{@link Kind#RESPOND}: write {@link #response()} (a direct response or a redirect).</li>
 *   <li>{@link Kind#NO_ROUTE}: the {@link #NO_ROUTE} sentinel; its {@link #response()} is a ready 404.</li>
 * </ul>
 * Byte fields are read-only native segments (GC-managed, readable from any thread), fit for writev as is.
 */
public final class Route {

    public enum Kind { FORWARD, RESPOND, NO_ROUTE }

    /** Declared before {@link #NO_ROUTE}, whose construction reads it. */
    private static final MemorySegment NONE = MemorySegment.NULL;

    /** Returned when no virtual host or no route matches; the proxy answers 404. */
    public static final Route NO_ROUTE = new Route(Kind.NO_ROUTE, "no_route", -1, null, 0, null, 0,
            ResponseEncoder.notFound());

    private final Kind kind;
    private final String name;
    private final int clusterIndex;
    private final MemorySegment prefixRewrite;
    private final int rewrittenPrefixLength;
    private final MemorySegment hostRewrite;
    private final long timeoutNanos;
    private final EncodedResponse response;
    private final byte[] prefixRewriteBytes;
    private final byte[] hostRewriteBytes;

    private Route(Kind kind, String name, int clusterIndex, MemorySegment prefixRewrite, int rewrittenPrefixLength,
                  MemorySegment hostRewrite, long timeoutNanos, EncodedResponse response) {
        this.kind = kind;
        this.name = Objects.requireNonNull(name, "name");
        this.clusterIndex = clusterIndex;
        this.prefixRewrite = prefixRewrite == null ? NONE : prefixRewrite;
        this.rewrittenPrefixLength = rewrittenPrefixLength;
        this.hostRewrite = hostRewrite == null ? NONE : hostRewrite;
        this.timeoutNanos = timeoutNanos;
        this.response = response;
        this.prefixRewriteBytes = this.prefixRewrite.toArray(ValueLayout.JAVA_BYTE);
        this.hostRewriteBytes = this.hostRewrite.toArray(ValueLayout.JAVA_BYTE);
    }

    static Route forward(String name, int clusterIndex, MemorySegment prefixRewrite, int rewrittenPrefixLength,
                         MemorySegment hostRewrite, long timeoutNanos) {
        return new Route(Kind.FORWARD, name, clusterIndex, prefixRewrite, rewrittenPrefixLength, hostRewrite,
                timeoutNanos, null);
    }

    static Route respond(String name, EncodedResponse response) {
        return new Route(Kind.RESPOND, name, -1, null, 0, null, 0, response);
    }

    public Kind kind() {
        return kind;
    }

    /** Where this route was configured, as {@code web.routes[2]} or {@code web.example.routes[0]}; for logs/stats. */
    public String name() {
        return name;
    }

    /** FORWARD: index into the config's cluster list; -1 otherwise. */
    public int clusterIndex() {
        return clusterIndex;
    }

    /** FORWARD: whether the path's first {@link #rewrittenPrefixLength()} bytes are replaced upstream. */
    public boolean hasPrefixRewrite() {
        return prefixRewrite != NONE;
    }

    /** FORWARD with prefix rewrite: the bytes that replace the matched prefix (or the whole matched path). */
    public MemorySegment prefixRewrite() {
        return prefixRewrite;
    }

    /** FORWARD with prefix rewrite: {@link #prefixRewrite()} as an array, for the head rewriter. */
    public byte[] prefixRewriteBytes() {
        return prefixRewriteBytes;
    }

    /** FORWARD with prefix rewrite: how many leading path bytes the rewrite replaces (the matched literal). */
    public int rewrittenPrefixLength() {
        return rewrittenPrefixLength;
    }

    /** FORWARD: whether the Host header sent upstream is replaced. */
    public boolean hasHostRewrite() {
        return hostRewrite != NONE;
    }

    /** FORWARD with host rewrite: the Host value to send upstream. */
    public MemorySegment hostRewrite() {
        return hostRewrite;
    }

    /** FORWARD with host rewrite: {@link #hostRewrite()} as an array, for the head rewriter. */
    public byte[] hostRewriteBytes() {
        return hostRewriteBytes;
    }

    /** FORWARD: time allowed from the request sent upstream to the end of the response head, else 504. */
    public long timeoutNanos() {
        return timeoutNanos;
    }

    /**
     * RESPOND and NO_ROUTE: the whole response, status line to body:
     * {@code HTTP/1.1 SSS Reason\r\n} + header lines + {@code \r\n} + body.
     */
    public MemorySegment response() {
        requireResponse();
        return response.bytes();
    }

    /**
     * RESPOND and NO_ROUTE: offset of the empty line ({@code \r\n}) that ends the head. Header lines the proxy
     * must add per request (Date, Connection: close) go here: write {@code [0, headersEnd)}, the extra lines,
     * then {@code [headersEnd, end)}.
     */
    public long responseHeadersEnd() {
        requireResponse();
        return response.headersEnd();
    }

    /** RESPOND and NO_ROUTE: offset of the body; a response to HEAD ends here. */
    public long responseBodyOffset() {
        requireResponse();
        return response.headersEnd() + ResponseEncoder.CRLF.length;
    }

    /** RESPOND and NO_ROUTE: the status code, for access logs and stats. */
    public int responseStatus() {
        requireResponse();
        return response.status();
    }

    private void requireResponse() {
        if (response == null) {
            throw new IllegalStateException("route " + name + " forwards; it has no response");
        }
    }

    @Override
    public String toString() {
        return name + " (" + kind + ")";
    }
}

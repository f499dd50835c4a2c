package dev.isthmus.proxy.route;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Picks a virtual host's routes by the request's Host, as Envoy does: an exact domain first, then the longest
 * {@code *.suffix} wildcard, then {@code *}. The port and a trailing dot are stripped and case is ignored.
 * Immutable; linear scans over the (few) domains of one listener, which allocate nothing.
 */
final class HostSelector {

    private static final byte PORT_SEPARATOR = ':';
    private static final byte IPV6_OPEN = '[';
    private static final byte DOT = '.';

    private final byte[][] exactDomains;
    private final CompiledRoute[][] exactRoutes;
    /** Each suffix includes its leading dot; sorted longest first so the most specific wildcard wins. */
    private final byte[][] wildcardSuffixes;
    private final CompiledRoute[][] wildcardRoutes;
    private final CompiledRoute[] catchAll;

    HostSelector(byte[][] exactDomains, CompiledRoute[][] exactRoutes, byte[][] wildcardSuffixes,
                 CompiledRoute[][] wildcardRoutes, CompiledRoute[] catchAll) {
        this.exactDomains = exactDomains;
        this.exactRoutes = exactRoutes;
        this.wildcardSuffixes = wildcardSuffixes;
        this.wildcardRoutes = wildcardRoutes;
        this.catchAll = catchAll;
    }

    /** A selector that gives every request the same routes (a listener without virtual hosts). */
    static HostSelector single(CompiledRoute[] routes) {
        return new HostSelector(new byte[0][], new CompiledRoute[0][], new byte[0][], new CompiledRoute[0][], routes);
    }

    /** The routes for this request's host, or {@code null} when no virtual host takes it. */
    CompiledRoute[] select(RequestView request) {
        if (exactDomains.length == 0 && wildcardSuffixes.length == 0) {
            return catchAll;
        }
        long host = request.host();
        if (Span.isAbsent(host)) {
            return catchAll;
        }
        MemorySegment segment = request.segment();
        long offset = Span.offset(host);
        int length = nameLength(segment, offset, Span.length(host));
        for (int i = 0; i < exactDomains.length; i++) {
            if (Bytes.equalsIgnoreCase(segment, offset, length, exactDomains[i])) {
                return exactRoutes[i];
            }
        }
        for (int i = 0; i < wildcardSuffixes.length; i++) {
            if (Bytes.endsWithIgnoreCaseAfterOne(segment, offset, length, wildcardSuffixes[i])) {
                return wildcardRoutes[i];
            }
        }
        return catchAll;
    }

    /**
     * The length of the host name without its port and without the trailing dot of a fully qualified name
     * ({@code admin.example.} is {@code admin.example}, to DNS and to origins such as nginx, so it must meet the same
     * virtual host). A bracketed IPv6 literal keeps its brackets, so it can only ever meet the {@code *} domain
     * (domains are names, never IPv6 literals).
     */
    private static int nameLength(MemorySegment segment, long offset, int length) {
        if (length > 0 && segment.get(ValueLayout.JAVA_BYTE, offset) == IPV6_OPEN) {
            return length;
        }
        int name = length;
        for (int i = length - 1; i >= 0; i--) {
            if (segment.get(ValueLayout.JAVA_BYTE, offset + i) == PORT_SEPARATOR) {
                name = i;
                break;
            }
        }
        return name > 1 && segment.get(ValueLayout.JAVA_BYTE, offset + name - 1) == DOT ? name - 1 : name;
    }
}

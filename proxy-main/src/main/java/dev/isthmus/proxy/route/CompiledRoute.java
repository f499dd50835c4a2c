package dev.isthmus.proxy.route;

import dev.isthmus.proxy.config.PathMatch;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/** One route's conditions, compiled to byte literals, and the {@link Route} it yields; immutable. */
final class CompiledRoute {

    private enum PathKind { EXACT, PREFIX, REGEX }

    private static final byte ASTERISK = '*';

    private final PathKind pathKind;
    private final byte[] literal;
    private final Pattern pattern;
    private final HeaderCondition[] headers;
    private final Route route;

    private CompiledRoute(PathKind pathKind, byte[] literal, Pattern pattern, HeaderCondition[] headers, Route route) {
        this.pathKind = pathKind;
        this.literal = literal;
        this.pattern = pattern;
        this.headers = headers;
        this.route = route;
    }

    static CompiledRoute compile(PathMatch path, HeaderCondition[] headers, Route route) {
        return switch (path) {
            case PathMatch.Exact e -> new CompiledRoute(PathKind.EXACT, ascii(e.path()), null, headers, route);
            case PathMatch.Prefix p -> new CompiledRoute(PathKind.PREFIX, ascii(p.prefix()), null, headers, route);
            case PathMatch.Regex r -> new CompiledRoute(PathKind.REGEX, null, r.pattern(), headers, route);
        };
    }

    /** The length of the literal a prefix rewrite replaces: the exact path or the prefix. */
    static int literalLength(PathMatch path) {
        return switch (path) {
            case PathMatch.Exact e -> ascii(e.path()).length;
            case PathMatch.Prefix p -> ascii(p.prefix()).length;
            case PathMatch.Regex r -> 0;
        };
    }

    Route route() {
        return route;
    }

    /**
     * Whether the request satisfies every condition. Header conditions run before a regex so that a regex
     * route whose headers do not match costs no allocation.
     */
    boolean matches(RequestView request, MemorySegment segment, long pathOffset, int pathLength) {
        switch (pathKind) {
            case EXACT -> {
                if (!Bytes.equals(segment, pathOffset, pathLength, literal)) {
                    return false;
                }
            }
            case PREFIX -> {
                if (!Bytes.startsWith(segment, pathOffset, pathLength, literal)
                        && !(literal.length == 1 && isAsterisk(segment, pathOffset, pathLength))) {
                    return false;
                }
            }
            case REGEX -> {
                // Checked last, below: it is the one condition that allocates.
            }
        }
        for (HeaderCondition header : headers) {
            if (!header.holds(request)) {
                return false;
            }
        }
        return pathKind != PathKind.REGEX
                || pattern.matcher(new SegmentChars(segment, pathOffset, pathLength)).matches();
    }

    /**
     * The asterisk-form target of {@code OPTIONS *} (RFC 9112 §3.2.4) names the server, not a path, so only the
     * catch-all {@code prefix: /} matches it: a proxy that forwards everything forwards it too.
     */
    private static boolean isAsterisk(MemorySegment segment, long pathOffset, int pathLength) {
        return pathLength == 1 && segment.get(ValueLayout.JAVA_BYTE, pathOffset) == ASTERISK;
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}

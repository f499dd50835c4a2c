package dev.isthmus.proxy.route;

import dev.isthmus.proxy.config.HeaderMatch;
import java.nio.charset.StandardCharsets;

/** One compiled header condition of a route; immutable. */
final class HeaderCondition {

    private enum Kind { VALUE, PRESENT, ABSENT }

    private final Kind kind;
    private final byte[] lowercaseName;
    private final byte[] value;

    private HeaderCondition(Kind kind, byte[] lowercaseName, byte[] value) {
        this.kind = kind;
        this.lowercaseName = lowercaseName;
        this.value = value;
    }

    static HeaderCondition compile(HeaderMatch match) {
        byte[] name = match.name().getBytes(StandardCharsets.US_ASCII);
        return switch (match) {
            case HeaderMatch.Value v -> new HeaderCondition(Kind.VALUE, name, v.value().getBytes(StandardCharsets.US_ASCII));
            case HeaderMatch.Presence p -> new HeaderCondition(p.present() ? Kind.PRESENT : Kind.ABSENT, name, null);
        };
    }

    boolean holds(RequestView request) {
        long span = request.header(lowercaseName);
        return switch (kind) {
            case VALUE -> !Span.isAbsent(span)
                    && Bytes.equals(request.segment(), Span.offset(span), Span.length(span), value);
            case PRESENT -> !Span.isAbsent(span);
            case ABSENT -> Span.isAbsent(span);
        };
    }
}

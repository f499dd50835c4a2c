package dev.isthmus.proxy.config;

import java.util.Locale;
import java.util.Objects;

/**
 * One header condition of a route. Header names compare case-insensitively (they are stored lowercase);
 * values compare case-sensitively. When a header appears more than once, the first occurrence is used.
 */
public sealed interface HeaderMatch {

    /** The header name, lowercase. */
    String name();

    /** {@code name: "value"}: the header is present and its value equals this exactly. */
    record Value(String name, String value) implements HeaderMatch {
        public Value {
            name = name.toLowerCase(Locale.ROOT);
            Objects.requireNonNull(value, "value");
        }
    }

    /** {@code name: { present: true }} (or {@code false}): the header is present (or absent), any value. */
    record Presence(String name, boolean present) implements HeaderMatch {
        public Presence {
            name = name.toLowerCase(Locale.ROOT);
        }
    }
}

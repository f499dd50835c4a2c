package dev.isthmus.proxy.config;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How a route matches the request path: the raw request-target up to {@code ?}, compared byte for byte
 * (no percent-decoding, no dot-segment removal), exactly one kind per route.
 */
public sealed interface PathMatch {

    /** {@code path: /x}: the path equals this. */
    record Exact(String path) implements PathMatch {
        public Exact {
            Objects.requireNonNull(path, "path");
        }
    }

    /** {@code prefix: /x}: the path starts with this. */
    record Prefix(String prefix) implements PathMatch {
        public Prefix {
            Objects.requireNonNull(prefix, "prefix");
        }
    }

    /**
     * {@code regex: ...}: the whole path matches this {@link java.util.regex} pattern, compiled once at load.
     * Equality compares the pattern text ({@link Pattern} itself has identity equality).
     */
    record Regex(Pattern pattern) implements PathMatch {
        public Regex {
            Objects.requireNonNull(pattern, "pattern");
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Regex that
                    && pattern.pattern().equals(that.pattern.pattern())
                    && pattern.flags() == that.pattern.flags();
        }

        @Override
        public int hashCode() {
            return pattern.pattern().hashCode();
        }
    }
}

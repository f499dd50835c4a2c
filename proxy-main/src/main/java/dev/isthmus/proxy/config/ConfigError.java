package dev.isthmus.proxy.config;

import java.util.Objects;

/**
 * One problem found in a config, located for a human.
 *
 * @param source the file name as the user gave it (or {@code command line})
 * @param line   1-based line, or 0 when there is no line (command-line flags)
 * @param field  dotted path of the offending field, as {@code listeners[0].routes[2].match.prefix}
 * @param reason what is wrong, in words
 */
public record ConfigError(String source, int line, String field, String reason) {

    public ConfigError {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(reason, "reason");
    }

    /** {@code FILE:LINE: FIELD: reason}, or {@code SOURCE: FIELD: reason} without a line. */
    @Override
    public String toString() {
        return (line > 0 ? source + ":" + line : source) + ": " + field + ": " + reason;
    }
}

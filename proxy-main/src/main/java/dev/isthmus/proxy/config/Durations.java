package dev.isthmus.proxy.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses config durations: a whole number and a unit, as {@code 250ms}, {@code 5s}, {@code 1m}, {@code 2h}. */
final class Durations {

    static final String FORMAT = "a duration is a whole number and a unit (ms, s, m, h), as 250ms, 5s, 1m";

    private static final Pattern SYNTAX = Pattern.compile("([0-9]{1,12})(ms|s|m|h)");

    private Durations() {
    }

    /**
     * @return the positive duration {@code text} spells
     * @throws IllegalArgumentException with a reason when it does not
     */
    static Duration parse(String text) {
        Duration duration = parseAllowingZero(text);
        if (duration.isZero()) {
            throw new IllegalArgumentException("bad duration '" + text + "': must be more than zero");
        }
        return duration;
    }

    /**
     * @return the duration {@code text} spells, zero included (for settings where zero means "off")
     * @throws IllegalArgumentException with a reason when it does not
     */
    static Duration parseAllowingZero(String text) {
        Matcher m = SYNTAX.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("bad duration '" + text + "': " + FORMAT);
        }
        long amount = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> throw new AssertionError("the pattern admits only these units");
        };
    }
}

package dev.isthmus.proxy.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses config byte sizes: a plain number of bytes or a number with a binary unit, as {@code 64KiB}. */
final class Sizes {

    static final String FORMAT = "a size is a number of bytes, optionally with a unit (B, KiB, MiB, GiB), as 65536 or 64KiB";

    private static final Pattern SYNTAX = Pattern.compile("([0-9]{1,10})(B|KiB|MiB|GiB)?");
    private static final int KIB_SHIFT = 10;
    private static final int MIB_SHIFT = 20;
    private static final int GIB_SHIFT = 30;

    private Sizes() {
    }

    /**
     * @return the number of bytes {@code text} spells, at most {@link Integer#MAX_VALUE}
     * @throws IllegalArgumentException with a reason when it does not spell one
     */
    static int parse(String text) {
        Matcher m = SYNTAX.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("bad size '" + text + "': " + FORMAT);
        }
        long amount = Long.parseLong(m.group(1));
        int shift = m.group(2) == null ? 0 : switch (m.group(2)) {
            case "B" -> 0;
            case "KiB" -> KIB_SHIFT;
            case "MiB" -> MIB_SHIFT;
            case "GiB" -> GIB_SHIFT;
            default -> throw new AssertionError("the pattern admits only these units");
        };
        long bytes = amount << shift;
        if (bytes > Integer.MAX_VALUE || (bytes >> shift) != amount) {
            throw new IllegalArgumentException("bad size '" + text + "': at most 2GiB - 1");
        }
        return (int) bytes;
    }
}

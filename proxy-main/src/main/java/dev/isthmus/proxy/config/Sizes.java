package dev.isthmus.proxy.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses config byte sizes: a plain number of bytes or a number with a binary unit, as {@code 64KiB}. */
final class Sizes {

    static final String FORMAT =
            "a size is a number of bytes, optionally with a unit (B, KiB, MiB, GiB, TiB), as 65536 or 64KiB";

    // 18 digits always fit in a long, so only the unit's shift can overflow.
    private static final Pattern SYNTAX = Pattern.compile("([0-9]{1,18})(B|KiB|MiB|GiB|TiB)?");
    private static final int KIB_SHIFT = 10;
    private static final int MIB_SHIFT = 20;
    private static final int GIB_SHIFT = 30;
    private static final int TIB_SHIFT = 40;

    private Sizes() {
    }

    /**
     * @return the number of bytes {@code text} spells; the caller bounds it to what its field allows
     * @throws IllegalArgumentException with a reason when it does not spell one that fits in a signed 64-bit count
     */
    static long parse(String text) {
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
            case "TiB" -> TIB_SHIFT;
            default -> throw new AssertionError("the pattern admits only these units");
        };
        if (amount > Long.MAX_VALUE >> shift) {
            throw new IllegalArgumentException("bad size '" + text + "': more bytes than a 64-bit count holds");
        }
        return amount << shift;
    }
}

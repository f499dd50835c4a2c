package dev.isthmus.http1;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Non-negative numbers as ASCII decimal digits, written straight into a segment: no String, no allocation. */
final class Decimal {
    private static final int BASE = 10;

    private Decimal() {
    }

    /** How many digits {@code value} (non-negative) takes. */
    static int digits(long value) {
        int digits = 1;
        for (long v = value / BASE; v > 0; v /= BASE) {
            digits++;
        }
        return digits;
    }

    /** Writes the last {@code digits} digits of {@code value} at {@code offset}, left-padded with zeros. */
    static void write(MemorySegment dst, long offset, long value, int digits) {
        long v = value;
        for (int k = digits - 1; k >= 0; k--) {
            dst.set(ValueLayout.JAVA_BYTE, offset + k, (byte) ('0' + v % BASE));
            v /= BASE;
        }
    }
}

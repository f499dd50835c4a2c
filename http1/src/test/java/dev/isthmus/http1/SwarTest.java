package dev.isthmus.http1;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.function.IntPredicate;
import java.util.function.LongUnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Every pair of byte values at every adjacent pair of positions, against the byte-at-a-time definition. */
@Timeout(30)
class SwarTest {
    private static final int FILLER = 'a';

    @Test
    void controlOrDelFindsTheFirstControlOrDel() {
        checkFirst(Swar::controlOrDel, b -> b < 0x20 || b == 0x7F);
    }

    @Test
    void notTargetFindsTheFirstByteOutsideVisibleAsciiOrAHash() {
        checkFirst(Swar::notTarget, b -> b <= 0x20 || b >= 0x7F || b == '#');
    }

    @Test
    void colonsFindsTheFirstColon() {
        checkFirst(Swar::colons, b -> b == ':');
    }

    @Test
    void notAlphaNumDashMarksExactlyTheOtherBytes() {
        checkExact(Swar::notAlphaNumDash,
                b -> !((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b == '-'));
    }

    @Test
    void notCommonHostMarksExactlyTheOtherBytes() {
        checkExact(Swar::notCommonHost, b -> !((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')
                || b == '-' || b == '.' || b == ':'));
    }

    private static void checkExact(LongUnaryOperator scan, IntPredicate other) {
        for (int position = 0; position < Long.BYTES - 1; position++) {
            for (int first = 0; first < 256; first++) {
                for (int second = 0; second < 256; second++) {
                    long word = word(position, first, second);
                    long mask = scan.applyAsLong(word);
                    for (int k = 0; k < Long.BYTES; k++) {
                        int b = (int) (word >>> (k * 8)) & 0xFF;
                        assertEquals(other.test(b), (mask >>> (k * 8 + 7) & 1) == 1, "byte " + b + " at " + k);
                    }
                }
            }
        }
    }

    private static void checkFirst(LongUnaryOperator scan, IntPredicate marked) {
        for (int position = 0; position < Long.BYTES - 1; position++) {
            for (int first = 0; first < 256; first++) {
                for (int second = 0; second < 256; second++) {
                    long word = word(position, first, second);
                    int expected = Long.BYTES;
                    for (int k = 0; k < Long.BYTES && expected == Long.BYTES; k++) {
                        expected = marked.test((int) (word >>> (k * 8)) & 0xFF) ? k : expected;
                    }
                    long mask = scan.applyAsLong(word);
                    assertEquals(expected, mask == 0 ? Long.BYTES : Swar.firstMarked(mask),
                            () -> Long.toHexString(word));
                }
            }
        }
    }

    private static long word(int position, int first, int second) {
        long word = 0;
        for (int k = 0; k < Long.BYTES; k++) {
            int b = k == position ? first : k == position + 1 ? second : FILLER;
            word |= (long) b << (k * 8);
        }
        return word;
    }
}

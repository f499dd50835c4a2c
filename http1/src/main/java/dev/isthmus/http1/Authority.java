package dev.isthmus.http1;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The shape of {@code uri-host [":" port]} (RFC 3986 §3.2.2-3.2.3, as RFC 9110 §4.2.1 and §7.2 use it): the Host
 * value and the authority of an absolute-form target. Routing, virtual hosts and the upstream's own routing read
 * these, so anything a URL parser could read differently (userinfo, a second colon, a letter in the port, an open
 * bracket, a percent-encoded ASCII byte) is refused rather than forwarded. The host must not be empty: an "http" URI with an
 * empty host is invalid (RFC 9110 §4.2.1).
 */
final class Authority {
    private static final byte COLON = ':';
    private static final byte OPEN_BRACKET = '[';
    private static final byte CLOSE_BRACKET = ']';
    private static final byte PERCENT = '%';
    private static final int PERCENT_ENCODED_LENGTH = 3;
    /** The first hex digit of an encoded byte of 0x80 or more. */
    private static final int NON_ASCII_HIGH_DIGIT = 8;

    private Authority() {
    }

    /** Whether {@code [at, end)} is a non-empty {@code uri-host} with an optional {@code ":" *DIGIT} port. */
    static boolean valid(MemorySegment s, long at, long end) {
        if (at >= end) {
            return false;
        }
        long hostEnd = s.get(ValueLayout.JAVA_BYTE, at) == OPEN_BRACKET
                ? ipLiteralEnd(s, at, end)
                : regNameEnd(s, at, end);
        return hostEnd > at && validPort(s, hostEnd, end);
    }

    /**
     * {@link #valid} for a value already known to hold only {@code [A-Za-z0-9.:-]}: only the colons are left to
     * check, as one separator with a non-empty host before it and digits after it. Finds the first colon eight bytes
     * at a time, as this runs for the Host of nearly every request.
     */
    static boolean validCommon(MemorySegment s, long at, long end) {
        long lastWord = s.byteSize() - Swar.WORD_BYTES;
        for (long p = at; p < end; p += Swar.WORD_BYTES) {
            if (p > lastWord) {
                return validCommonBytes(s, p, at, end);
            }
            long marked = Swar.colons(Swar.load(s, p));
            long n = end - p;
            if (n < Swar.WORD_BYTES) {
                marked &= (1L << (n * Byte.SIZE)) - 1;
            }
            if (marked != 0) {
                long colon = p + Swar.firstMarked(marked);
                return colon > at && validPort(s, colon, end);
            }
        }
        return at < end;
    }

    private static boolean validCommonBytes(MemorySegment s, long from, long at, long end) {
        for (long p = from; p < end; p++) {
            if (s.get(ValueLayout.JAVA_BYTE, p) == COLON) {
                return p > at && validPort(s, p, end);
            }
        }
        return at < end;
    }

    /** Past the {@code ]} of an IPv6 literal (hex digits, colons and dots inside), or {@code at} when malformed. */
    private static long ipLiteralEnd(MemorySegment s, long at, long end) {
        for (long p = at + 1; p < end; p++) {
            byte b = s.get(ValueLayout.JAVA_BYTE, p);
            if (b == CLOSE_BRACKET) {
                return p > at + 1 ? p + 1 : at;
            }
            if (b != COLON && b != '.' && CharClass.HEX_VALUE[b & 0xFF] == CharClass.NOT_HEX) {
                return at;
            }
        }
        return at;
    }

    /** The end of a reg-name or IPv4 address (host characters, percent-encodings complete), or {@code at}. */
    private static long regNameEnd(MemorySegment s, long at, long end) {
        long p = at;
        while (p < end) {
            byte b = s.get(ValueLayout.JAVA_BYTE, p);
            if (b == COLON) {
                return p;
            }
            if (b == OPEN_BRACKET || b == CLOSE_BRACKET || !CharClass.HOST[b & 0xFF]) {
                return at;
            }
            if (b == PERCENT) {
                if (end - p < PERCENT_ENCODED_LENGTH || !encodesNonAscii(s, p)) {
                    return at;
                }
                p += PERCENT_ENCODED_LENGTH;
            } else {
                p++;
            }
        }
        return p;
    }

    /**
     * A percent-encoding in a host is for the UTF-8 bytes of an internationalized name (RFC 3986 §3.2.2); an encoded
     * ASCII byte (NUL, a dot, a slash, '@') is only ever a way to make two parsers see different hosts.
     */
    private static boolean encodesNonAscii(MemorySegment s, long percent) {
        int high = CharClass.HEX_VALUE[s.get(ValueLayout.JAVA_BYTE, percent + 1) & 0xFF];
        int low = CharClass.HEX_VALUE[s.get(ValueLayout.JAVA_BYTE, percent + 2) & 0xFF];
        return high >= NON_ASCII_HIGH_DIGIT && low != CharClass.NOT_HEX;
    }

    /** Nothing after the host, or a colon and decimal digits only. */
    private static boolean validPort(MemorySegment s, long hostEnd, long end) {
        if (hostEnd == end) {
            return true;
        }
        if (s.get(ValueLayout.JAVA_BYTE, hostEnd) != COLON) {
            return false;
        }
        for (long p = hostEnd + 1; p < end; p++) {
            byte b = s.get(ValueLayout.JAVA_BYTE, p);
            if (b < '0' || b > '9') {
                return false;
            }
        }
        return true;
    }
}

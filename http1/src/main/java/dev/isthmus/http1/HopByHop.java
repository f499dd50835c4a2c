package dev.isthmus.http1;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Which fields of a message a proxy must not forward (RFC 9110 §7.6.1). */
final class HopByHop {
    private HopByHop() {
    }

    /**
     * The fixed hop-by-hop fields; Upgrade is kept only while switching protocols. Trailer is not one (RFC 2616 listed
     * the TE token "trailers"): it announces end-to-end trailer fields, forwarded with the chunked body they end.
     */
    static boolean fixed(HeaderFields f, int i, boolean keepUpgrade) {
        return f.is(i, KnownHeader.CONNECTION) || f.is(i, KnownHeader.KEEP_ALIVE)
                || f.is(i, KnownHeader.PROXY_CONNECTION) || f.is(i, KnownHeader.TE)
                || (!keepUpgrade && f.is(i, KnownHeader.UPGRADE));
    }

    /**
     * Whether field {@code i} is named by a Connection option. Framing fields and Host are never dropped this way:
     * {@code Connection: Content-Length} must not make a proxy forward a body without its length (smuggling).
     */
    static boolean namedInConnection(HeaderFields f, int i) {
        if (f.is(i, KnownHeader.CONTENT_LENGTH) || f.is(i, KnownHeader.TRANSFER_ENCODING) || f.is(i, KnownHeader.HOST)) {
            return false;
        }
        MemorySegment s = f.segment();
        long name = f.nameOffset(i);
        int nameLength = f.nameLength(i);
        for (int c = f.indexOf(KnownHeader.CONNECTION); c >= 0 && c < f.count(); c++) {
            if (!f.is(c, KnownHeader.CONNECTION)) {
                continue;
            }
            long p = f.valueOffset(c);
            long end = p + f.valueLength(c);
            while (p < end) {
                byte b = s.get(ValueLayout.JAVA_BYTE, p);
                if (b == CharClass.COMMA || b == CharClass.SP || b == CharClass.HTAB) {
                    p++;
                    continue;
                }
                long tokenStart = p;
                while (p < end && CharClass.TOKEN[s.get(ValueLayout.JAVA_BYTE, p) & 0xFF]) {
                    p++;
                }
                if (p - tokenStart == nameLength && sameIgnoringCase(s, tokenStart, name, nameLength)) {
                    return true;
                }
                while (p < end && s.get(ValueLayout.JAVA_BYTE, p) != CharClass.COMMA) {
                    p++;
                }
            }
        }
        return false;
    }

    private static boolean sameIgnoringCase(MemorySegment s, long a, long b, int length) {
        for (int k = 0; k < length; k++) {
            if (CharClass.lower(s.get(ValueLayout.JAVA_BYTE, a + k) & 0xFF) != CharClass.lower(s.get(ValueLayout.JAVA_BYTE, b + k) & 0xFF)) {
                return false;
            }
        }
        return true;
    }
}

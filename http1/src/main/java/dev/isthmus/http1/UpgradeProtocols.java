package dev.isthmus.http1;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Reads the protocol list of Upgrade fields (RFC 9110 §7.8): {@code protocol-name ["/" protocol-version]}, commas. */
final class UpgradeProtocols {
    private UpgradeProtocols() {
    }

    /** Whether any Upgrade field lists {@code protocol} (lowercase ASCII) by name, whatever its version. */
    static boolean lists(HeaderFields headers, byte[] protocol) {
        for (int i = headers.indexOf(KnownHeader.UPGRADE); i >= 0 && i < headers.count(); i++) {
            if (headers.is(i, KnownHeader.UPGRADE)
                    && lists(headers.segment(), headers.valueOffset(i), headers.valueLength(i), protocol)) {
                return true;
            }
        }
        return false;
    }

    private static boolean lists(MemorySegment s, long offset, int length, byte[] protocol) {
        long end = offset + length;
        long p = offset;
        while (p < end) {
            while (p < end && !CharClass.TOKEN[s.get(ValueLayout.JAVA_BYTE, p) & 0xFF]) {
                p++;
            }
            long name = p;
            while (p < end && CharClass.TOKEN[s.get(ValueLayout.JAVA_BYTE, p) & 0xFF]) {
                p++;
            }
            if (p - name == protocol.length && HeaderFields.equalsIgnoreCase(s, name, protocol, 0, protocol.length)) {
                return true;
            }
            while (p < end && s.get(ValueLayout.JAVA_BYTE, p) != CharClass.COMMA) {
                p++;
            }
        }
        return false;
    }
}

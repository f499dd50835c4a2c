package dev.isthmus.http1;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Which request-target form each method may use (RFC 9112 §3.2): origin, absolute, authority or asterisk. */
final class TargetForm {
    private TargetForm() {
    }

    static boolean fits(HttpMethod method, MemorySegment s, long at, int length) {
        byte first = s.get(ValueLayout.JAVA_BYTE, at);
        if (method == HttpMethod.CONNECT) {
            return isAuthority(s, at, length);
        }
        if (first == '*') {
            return length == 1 && method == HttpMethod.OPTIONS;
        }
        return first == '/' || isAbsolute(s, at, length);
    }

    /** authority-form: host ":" port, no path. */
    private static boolean isAuthority(MemorySegment s, long at, int length) {
        boolean colon = false;
        for (int k = 0; k < length; k++) {
            byte b = s.get(ValueLayout.JAVA_BYTE, at + k);
            if (b == '/' || b == '?' || b == '#' || b == '@') {
                return false;
            }
            colon |= b == ':';
        }
        return colon;
    }

    /** absolute-form: scheme ":" ..., scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ). */
    private static boolean isAbsolute(MemorySegment s, long at, int length) {
        if (!isAlpha(s.get(ValueLayout.JAVA_BYTE, at))) {
            return false;
        }
        for (int k = 1; k < length; k++) {
            byte b = s.get(ValueLayout.JAVA_BYTE, at + k);
            if (b == ':') {
                return true;
            }
            if (!isAlpha(b) && !(b >= '0' && b <= '9') && b != '+' && b != '-' && b != '.') {
                return false;
            }
        }
        return false;
    }

    private static boolean isAlpha(byte b) {
        return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z');
    }
}

package dev.isthmus.http1;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Which request-target form each method may use (RFC 9112 §3.2): origin, absolute, authority or asterisk. */
final class TargetForm {
    private static final byte[] HTTP = FieldFacts.ascii("http");
    private static final byte[] SCHEME_SEPARATOR = FieldFacts.ascii("://");
    private static final int CASE_BIT = 0x20;

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

    /**
     * absolute-form (RFC 9112 §3.2.2) as a reverse proxy can serve it: {@code http://} or {@code https://} (any case),
     * an authority that is a valid {@code uri-host [":" port]} without userinfo ({@link Authority}), then nothing, a
     * path or a query. The authority stands in for Host, so it is held to the same rules.
     */
    private static boolean isAbsolute(MemorySegment s, long at, int length) {
        int schemeLength = schemeLength(s, at, length);
        if (schemeLength == 0 || length < schemeLength + SCHEME_SEPARATOR.length) {
            return false;
        }
        for (int k = 0; k < SCHEME_SEPARATOR.length; k++) {
            if (s.get(ValueLayout.JAVA_BYTE, at + schemeLength + k) != SCHEME_SEPARATOR[k]) {
                return false;
            }
        }
        long authority = at + schemeLength + SCHEME_SEPARATOR.length;
        long end = at + length;
        long authorityEnd = authority;
        while (authorityEnd < end) {
            byte b = s.get(ValueLayout.JAVA_BYTE, authorityEnd);
            if (b == '/' || b == '?') {
                break;
            }
            authorityEnd++;
        }
        return Authority.valid(s, authority, authorityEnd);
    }

    /** 4 for a target starting {@code http}, 5 for {@code https}, in any case; else 0. */
    private static int schemeLength(MemorySegment s, long at, int length) {
        if (length < HTTP.length) {
            return 0;
        }
        for (int k = 0; k < HTTP.length; k++) {
            if ((s.get(ValueLayout.JAVA_BYTE, at + k) | CASE_BIT) != HTTP[k]) {
                return 0;
            }
        }
        boolean secure = length > HTTP.length && (s.get(ValueLayout.JAVA_BYTE, at + HTTP.length) | CASE_BIT) == 's';
        return secure ? HTTP.length + 1 : HTTP.length;
    }
}

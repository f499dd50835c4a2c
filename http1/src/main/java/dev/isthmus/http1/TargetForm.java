package dev.isthmus.http1;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Which request-target form each method may use (RFC 9112 §3.2): origin, absolute, authority or asterisk; and what
 * the path of an origin- or absolute-form target may hold.
 */
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
        if (first == '/') {
            return pathValid(s, at, at + length);
        }
        long path = absolutePathStart(s, at, length);
        return path >= 0 && pathValid(s, path, at + length);
    }

    /**
     * Every {@code %} of the path (up to the query) starts a {@code %XX} of two hex digits, none encodes NUL, and no
     * backslash appears. The proxy decodes the path to route it; an escape it cannot decode, a NUL that a C origin
     * would end the path at, or a backslash that a Windows origin takes for a slash would let the origin see another
     * path than the routes did (RFC 3986 §2.1; {@code /admin%00.png}, {@code /public\..\admin}). Nor may the path hold
     * {@code " < > ` { }}, which RFC 3986 excludes and browsers always encode in a path (WHATWG URL); {@code | ^}
     * stay, as browsers send them raw, and the query is left alone, where browsers send most of these raw.
     */
    private static boolean pathValid(MemorySegment s, long from, long end) {
        for (long p = from; p < end; p++) {
            byte b = s.get(ValueLayout.JAVA_BYTE, p);
            if (b == '?') {
                return true;
            }
            if (CharClass.NOT_IN_PATH[b & 0xFF]) {
                return false;
            }
            if (b == '%') {
                if (p + 2 >= end || CharClass.HEX_VALUE[s.get(ValueLayout.JAVA_BYTE, p + 1) & 0xFF] == CharClass.NOT_HEX
                        || CharClass.HEX_VALUE[s.get(ValueLayout.JAVA_BYTE, p + 2) & 0xFF] == CharClass.NOT_HEX) {
                    return false;
                }
                if (s.get(ValueLayout.JAVA_BYTE, p + 1) == '0' && s.get(ValueLayout.JAVA_BYTE, p + 2) == '0') {
                    return false;
                }
                p += 2;
            }
        }
        return true;
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
     * path or a query. The authority stands in for Host, so it is held to the same rules. Returns where the path (or
     * query) starts, or -1 when the target is not such a URI.
     */
    private static long absolutePathStart(MemorySegment s, long at, int length) {
        int schemeLength = schemeLength(s, at, length);
        if (schemeLength == 0 || length < schemeLength + SCHEME_SEPARATOR.length) {
            return -1;
        }
        for (int k = 0; k < SCHEME_SEPARATOR.length; k++) {
            if (s.get(ValueLayout.JAVA_BYTE, at + schemeLength + k) != SCHEME_SEPARATOR[k]) {
                return -1;
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
        return Authority.valid(s, authority, authorityEnd) ? authorityEnd : -1;
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

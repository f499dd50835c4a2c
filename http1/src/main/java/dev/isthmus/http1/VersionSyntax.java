package dev.isthmus.http1;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** HTTP-version = "HTTP/" DIGIT "." DIGIT (RFC 9112 §2.3), case-sensitive, always eight bytes. */
final class VersionSyntax {
    static final int LENGTH = 8;
    private static final byte[] NAME = FieldFacts.ascii("HTTP/");
    private static final int MAJOR = 5;
    private static final int DOT = 6;
    private static final int MINOR = 7;

    /** INVALID_VERSION if the eight bytes at {@code at} are not a version, UNSUPPORTED_VERSION unless 1.x, or null. */
    static Rejection check(MemorySegment s, long at) {
        for (int k = 0; k < NAME.length; k++) {
            if (s.get(ValueLayout.JAVA_BYTE, at + k) != NAME[k]) {
                return Rejection.INVALID_VERSION;
            }
        }
        byte major = s.get(ValueLayout.JAVA_BYTE, at + MAJOR);
        byte minor = s.get(ValueLayout.JAVA_BYTE, at + MINOR);
        if (!isDigit(major) || s.get(ValueLayout.JAVA_BYTE, at + DOT) != '.' || !isDigit(minor)) {
            return Rejection.INVALID_VERSION;
        }
        if (major != '1') {
            return Rejection.UNSUPPORTED_VERSION;
        }
        return null;
    }

    /**
     * The version of eight bytes that passed {@link #check}: a later 1.x is read as HTTP/1.1, the highest minor
     * version this implementation conforms to (RFC 9110 §2.5).
     */
    static HttpVersion version(MemorySegment s, long at) {
        return s.get(ValueLayout.JAVA_BYTE, at + MINOR) == '0' ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1;
    }

    /** Whether the eight bytes at {@code at} are exactly {@code HTTP/1.1}. */
    static boolean isHttp11(MemorySegment s, long at) {
        return s.get(ValueLayout.JAVA_BYTE, at + MINOR) == '1' && s.get(ValueLayout.JAVA_BYTE, at + MAJOR) == '1';
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    private VersionSyntax() {
    }
}

package dev.isthmus.http1;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * What the framing and connection fields of a parsed head say, validated once when the head completes; owned by
 * the thread that owns the enclosing parser.
 */
final class FieldFacts {
    /** No Content-Length field. */
    static final long ABSENT = -1;

    private static final byte[] CHUNKED = ascii("chunked");
    private static final byte[] CLOSE = ascii("close");
    private static final byte[] KEEP_ALIVE = ascii("keep-alive");
    private static final byte[] UPGRADE = ascii("upgrade");
    private static final byte[] CONTINUE = ascii("100-continue");
    private static final long CLOSE_WORD = Swar.pack(CLOSE, 0, CLOSE.length);
    private static final long UPGRADE_WORD = Swar.pack(UPGRADE, 0, UPGRADE.length);
    private static final long KEEP_ALIVE_HEAD = Swar.pack(KEEP_ALIVE, 0, Swar.WORD_BYTES);
    private static final long KEEP_ALIVE_TAIL = Swar.pack(KEEP_ALIVE, Swar.WORD_BYTES, KEEP_ALIVE.length - Swar.WORD_BYTES);
    private static final int DECIMAL = 10;
    private static final byte QUOTE = '"';
    private static final byte BACKSLASH = '\\';
    private static final int CONTENT_LENGTH = KnownHeader.CONTENT_LENGTH.ordinal();
    private static final int TRANSFER_ENCODING = KnownHeader.TRANSFER_ENCODING.ordinal();
    private static final int CONNECTION = KnownHeader.CONNECTION.ordinal();
    private static final int EXPECT = KnownHeader.EXPECT.ordinal();
    private static final long ANALYZED = 1L << CONTENT_LENGTH | 1L << TRANSFER_ENCODING | 1L << CONNECTION | 1L << EXPECT;

    private static final int TRANSFER_ENCODING_PRESENT = 1;
    private static final int CHUNKED_FINAL = 1 << 1;
    private static final int OTHER_CODING = 1 << 2;
    private static final int MALFORMED_CODING = 1 << 3;
    private static final int CLOSE_OPTION = 1 << 4;
    private static final int KEEP_ALIVE_OPTION = 1 << 5;
    private static final int UPGRADE_OPTION = 1 << 6;
    /** Connection lists something besides close, keep-alive and upgrade: header names to drop when forwarding. */
    private static final int NAMES_FIELDS_OPTION = 1 << 7;
    private static final int EXPECT_CONTINUE = 1 << 8;

    long contentLength;
    /** The facts above as bits, so that forgetting them for the next message is one store. */
    private int flags;
    private int chunkedCount;

    boolean transferEncoding() {
        return (flags & TRANSFER_ENCODING_PRESENT) != 0;
    }

    boolean chunkedFinal() {
        return (flags & CHUNKED_FINAL) != 0;
    }

    boolean otherCoding() {
        return (flags & OTHER_CODING) != 0;
    }

    boolean connectionUpgrade() {
        return (flags & UPGRADE_OPTION) != 0;
    }

    boolean connectionNamesFields() {
        return (flags & NAMES_FIELDS_OPTION) != 0;
    }

    boolean expectContinue() {
        return (flags & EXPECT_CONTINUE) != 0;
    }

    /** Reads the framing and connection fields; returns the rejection of a malformed Content-Length, or null. */
    Rejection analyze(HeaderFields fields) {
        contentLength = ABSENT;
        flags = 0;
        chunkedCount = 0;
        if (!fields.anyPresent(ANALYZED)) {
            return null;
        }
        MemorySegment s = fields.segment();
        for (int i = 0; i < fields.count(); i++) {
            int kind = fields.kind(i);
            if (kind == CONTENT_LENGTH) {
                Rejection r = contentLength(s, fields.valueOffset(i), fields.valueLength(i));
                if (r != null) {
                    return r;
                }
            } else if (kind == TRANSFER_ENCODING) {
                flags |= TRANSFER_ENCODING_PRESENT;
                transferCodings(s, fields.valueOffset(i), fields.valueLength(i));
            } else if (kind == CONNECTION) {
                connectionOptions(s, fields.valueOffset(i), fields.valueLength(i));
            } else if (kind == EXPECT) {
                if (fields.valueEqualsIgnoreCase(i, CONTINUE)) {
                    flags |= EXPECT_CONTINUE;
                }
            }
        }
        return null;
    }

    /** The Transfer-Encoding rejection shared by requests and responses, or null when the coding list is usable. */
    Rejection transferEncodingRejection(HttpVersion version) {
        if (version == HttpVersion.HTTP_1_0) {
            return Rejection.TRANSFER_ENCODING_IN_HTTP_1_0;
        }
        if (contentLength != ABSENT) {
            return Rejection.CONTENT_LENGTH_WITH_TRANSFER_ENCODING;
        }
        if ((flags & MALFORMED_CODING) != 0 || chunkedCount > 1) {
            return Rejection.INVALID_TRANSFER_ENCODING;
        }
        return null;
    }

    /** Whether the connection persists after this message, from the version and the Connection options. */
    boolean persistent(HttpVersion version) {
        return (flags & CLOSE_OPTION) == 0 && (version == HttpVersion.HTTP_1_1 || (flags & KEEP_ALIVE_OPTION) != 0);
    }

    private Rejection contentLength(MemorySegment s, long at, int length) {
        if (length == 0) {
            return Rejection.INVALID_CONTENT_LENGTH;
        }
        long value = 0;
        for (int k = 0; k < length; k++) {
            int digit = s.get(ValueLayout.JAVA_BYTE, at + k) - '0';
            if (digit < 0 || digit > 9) {
                return Rejection.INVALID_CONTENT_LENGTH;
            }
            if (value > (Long.MAX_VALUE - digit) / DECIMAL) {
                return Rejection.CONTENT_LENGTH_OVERFLOW;
            }
            value = value * DECIMAL + digit;
        }
        if (contentLength != ABSENT && contentLength != value) {
            return Rejection.CONFLICTING_CONTENT_LENGTH;
        }
        contentLength = value;
        return null;
    }

    /** Reads one Transfer-Encoding list (RFC 9112 §6.1); several fields concatenate in order. */
    private void transferCodings(MemorySegment s, long at, int length) {
        long end = at + length;
        long p = at;
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
            if (p == tokenStart) {
                flags |= MALFORMED_CODING;
                return;
            }
            boolean chunked = p - tokenStart == CHUNKED.length
                    && HeaderFields.equalsIgnoreCase(s, tokenStart, CHUNKED, 0, CHUNKED.length);
            p = skipWhitespace(s, p, end);
            if (p < end && s.get(ValueLayout.JAVA_BYTE, p) == CharClass.SEMICOLON) {
                if (chunked) {
                    // chunked takes no parameters (RFC 9112 §7).
                    flags |= MALFORMED_CODING;
                    return;
                }
                p = skipParameters(s, p, end);
            } else if (p < end && s.get(ValueLayout.JAVA_BYTE, p) != CharClass.COMMA) {
                flags |= MALFORMED_CODING;
                return;
            }
            if (chunked) {
                chunkedCount++;
                flags |= CHUNKED_FINAL;
            } else {
                flags = (flags | OTHER_CODING) & ~CHUNKED_FINAL;
            }
        }
    }

    /** Skips {@code *( OWS ";" OWS parameter )} up to the next list comma outside a quoted string. */
    private static long skipParameters(MemorySegment s, long p, long end) {
        boolean quoted = false;
        while (p < end) {
            byte b = s.get(ValueLayout.JAVA_BYTE, p);
            if (quoted && b == BACKSLASH) {
                p += 2;
                continue;
            }
            if (b == QUOTE) {
                quoted = !quoted;
            } else if (b == CharClass.COMMA && !quoted) {
                return p;
            }
            p++;
        }
        return end;
    }

    private void connectionOptions(MemorySegment s, long at, int length) {
        int single = singleOption(s, at, length);
        if (single != 0) {
            flags |= single;
            return;
        }
        long end = at + length;
        long p = at;
        while (p < end) {
            byte b = s.get(ValueLayout.JAVA_BYTE, p);
            if (b == CharClass.COMMA || b == CharClass.SP || b == CharClass.HTAB) {
                p++;
                continue;
            }
            long tokenStart = p;
            while (p < end && s.get(ValueLayout.JAVA_BYTE, p) != CharClass.COMMA) {
                p++;
            }
            long tokenEnd = p;
            while (tokenEnd > tokenStart && isWhitespace(s.get(ValueLayout.JAVA_BYTE, tokenEnd - 1))) {
                tokenEnd--;
            }
            int n = (int) (tokenEnd - tokenStart);
            if (matches(s, tokenStart, n, CLOSE)) {
                flags |= CLOSE_OPTION;
            } else if (matches(s, tokenStart, n, KEEP_ALIVE)) {
                flags |= KEEP_ALIVE_OPTION;
            } else if (matches(s, tokenStart, n, UPGRADE)) {
                flags |= UPGRADE_OPTION;
            } else {
                flags |= NAMES_FIELDS_OPTION;
            }
        }
    }

    /**
     * The flag of a Connection value that is exactly one of close, keep-alive or upgrade (almost every value is),
     * compared a word at a time; 0 for anything else, which the general list parse then reads. Values are already
     * free of controls, so OR-ing the case bit lowercases letters and matches '-' only with itself.
     */
    private static int singleOption(MemorySegment s, long at, int length) {
        if (length == CLOSE.length) {
            return lowered(s, at, CLOSE.length) == CLOSE_WORD ? CLOSE_OPTION : 0;
        }
        if (length == UPGRADE.length) {
            return lowered(s, at, UPGRADE.length) == UPGRADE_WORD ? UPGRADE_OPTION : 0;
        }
        if (length == KEEP_ALIVE.length) {
            return lowered(s, at, Swar.WORD_BYTES) == KEEP_ALIVE_HEAD
                    && lowered(s, at + Swar.WORD_BYTES, KEEP_ALIVE.length - Swar.WORD_BYTES) == KEEP_ALIVE_TAIL
                    ? KEEP_ALIVE_OPTION : 0;
        }
        return 0;
    }

    /** {@code n} bytes at {@code at} as a word with the case bit set in each of them (and zeros beyond). */
    private static long lowered(MemorySegment s, long at, int n) {
        long caseBits = n == Swar.WORD_BYTES ? Swar.CASE_BITS : Swar.CASE_BITS & ((1L << (n * Byte.SIZE)) - 1);
        return Swar.loadPrefix(s, at, n) | caseBits;
    }

    private static boolean matches(MemorySegment s, long at, int length, byte[] lowercase) {
        return length == lowercase.length && HeaderFields.equalsIgnoreCase(s, at, lowercase, 0, length);
    }

    private static long skipWhitespace(MemorySegment s, long p, long end) {
        while (p < end && isWhitespace(s.get(ValueLayout.JAVA_BYTE, p))) {
            p++;
        }
        return p;
    }

    private static boolean isWhitespace(byte b) {
        return b == CharClass.SP || b == CharClass.HTAB;
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}

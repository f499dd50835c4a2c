package dev.isthmus.http1;

/** Byte classes of RFC 9110/9112 as lookup tables, so the scanners make one load per byte and no branches on ranges. */
final class CharClass {
    static final byte CR = '\r';
    static final byte LF = '\n';
    static final byte SP = ' ';
    static final byte HTAB = '\t';
    static final byte COLON = ':';
    static final byte COMMA = ',';
    static final byte SEMICOLON = ';';
    static final byte DEL = 0x7F;
    /** Marks a byte that is not a hex digit in {@link #HEX_VALUE}. */
    static final byte NOT_HEX = -1;

    private static final int BYTE_VALUES = 256;
    private static final String TOKEN_SYMBOLS = "!#$%&'*+-.^_`|~";
    /**
     * unreserved symbols, '%' of pct-encoded, ':' before a port, brackets of an IP-literal. RFC 3986 also allows the
     * sub-delims ("!$&'()*+,;="), which no DNS name holds and URL parsers split on differently: refused.
     */
    private static final String HOST_SYMBOLS = "-._~%:[]";
    /** Visible ASCII a path may not hold raw: RFC 3986 excludes it and browsers always encode it in a path. */
    private static final String NOT_IN_PATH_SYMBOLS = "\\\"<>`{}";

    /** tchar (RFC 9110 §5.6.2): the characters of methods, field names and transfer codings. */
    static final boolean[] TOKEN = new boolean[BYTE_VALUES];
    /**
     * The characters a request-target may hold: visible ASCII but '#' (a fragment is never sent, RFC 9112 §3.2);
     * everything else needs percent-encoding.
     */
    static final boolean[] TARGET = new boolean[BYTE_VALUES];
    /** field-vchar, SP and HTAB (RFC 9110 §5.5): what a field value, a reason phrase or a chunk extension may hold. */
    static final boolean[] FIELD_CONTENT = new boolean[BYTE_VALUES];
    /** The characters of {@code uri-host [":" port]} (RFC 3986 §3.2.2), what a Host field value may hold. */
    static final boolean[] HOST = new boolean[BYTE_VALUES];
    /** Characters {@link #TARGET} allows that the path of a target may not hold (see {@code TargetForm}). */
    static final boolean[] NOT_IN_PATH = new boolean[BYTE_VALUES];
    /** The value of a hex digit, or {@link #NOT_HEX}. */
    static final byte[] HEX_VALUE = new byte[BYTE_VALUES];

    static {
        for (int c = 0; c < BYTE_VALUES; c++) {
            boolean alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
            boolean digit = c >= '0' && c <= '9';
            boolean visible = c > SP && c < DEL;
            TOKEN[c] = alpha || digit || TOKEN_SYMBOLS.indexOf(c) >= 0;
            TARGET[c] = visible && c != '#';
            HOST[c] = alpha || digit || HOST_SYMBOLS.indexOf(c) >= 0;
            NOT_IN_PATH[c] = NOT_IN_PATH_SYMBOLS.indexOf(c) >= 0;
            FIELD_CONTENT[c] = visible || c == SP || c == HTAB || c >= 0x80;
            HEX_VALUE[c] = digit ? (byte) (c - '0')
                    : (c >= 'a' && c <= 'f') ? (byte) (c - 'a' + 10)
                    : (c >= 'A' && c <= 'F') ? (byte) (c - 'A' + 10)
                    : NOT_HEX;
        }
    }

    /** ASCII lowercase; field names compare case-insensitively (RFC 9110 §5.1). */
    static int lower(int b) {
        return (b >= 'A' && b <= 'Z') ? b | 0x20 : b;
    }

    private CharClass() {
    }
}

package dev.isthmus.http1;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The field lines of one parsed head (or nothing but offsets into the caller's segment); owned by the thread that
 * owns its parser, and valid until that parser is reset or parses further.
 *
 * <p>Names and values are {@code (offset, length)} ranges of the segment the head was parsed in; values exclude
 * leading and trailing whitespace. Lookups allocate nothing; only {@link #name(int)} and {@link #value(int)} make
 * Strings, for callers that ask.
 */
public final class HeaderFields {
    private static final byte[] CONTENT_LENGTH_ALIAS = FieldFacts.ascii("content_length");
    private static final byte[] TRANSFER_ENCODING_ALIAS = FieldFacts.ascii("transfer_encoding");

    private final int[] nameStart;
    private final int[] nameLength;
    private final int[] valueStart;
    private final int[] valueLength;
    private final int[] lineEnd;
    private final byte[] kind;
    private final int[] firstIndex = new int[KnownHeader.count()];
    private final int[] occurrences = new int[KnownHeader.count()];
    /** Bit {@code k} set when known field {@code k} occurs; clearing it is what invalidates its two slots above. */
    private long present;
    /** A field named like a framing field with '_' for '-' ({@code Transfer_Encoding}, {@code Content_Length}). */
    private boolean framingAlias;
    private MemorySegment segment = MemorySegment.NULL;
    private long base;
    private int count;

    HeaderFields(int capacity) {
        nameStart = new int[capacity];
        nameLength = new int[capacity];
        valueStart = new int[capacity];
        valueLength = new int[capacity];
        lineEnd = new int[capacity];
        kind = new byte[capacity];
        clear();
    }

    void clear() {
        count = 0;
        present = 0;
        framingAlias = false;
    }

    void bind(MemorySegment segment, long base) {
        this.segment = segment;
        this.base = base;
    }

    int capacity() {
        return nameStart.length;
    }

    /**
     * Records one field line; positions are relative to the head start, {@code end} is just past its LF, and
     * {@code nameWord} holds the name's first bytes (see {@link KnownHeader#classify}).
     */
    void add(int nameAt, int nameLen, int valueAt, int valueLen, int end, long nameWord) {
        int i = count++;
        nameStart[i] = nameAt;
        nameLength[i] = nameLen;
        valueStart[i] = valueAt;
        valueLength[i] = valueLen;
        lineEnd[i] = end;
        int known = KnownHeader.classify(segment, base + nameAt, nameLen, nameWord);
        kind[i] = (byte) known;
        if (known == KnownHeader.UNKNOWN) {
            framingAlias |= isFramingAlias(base + nameAt, nameLen);
        } else {
            long bit = 1L << known;
            if ((present & bit) == 0) {
                present |= bit;
                firstIndex[known] = i;
                occurrences[known] = 1;
            } else {
                occurrences[known]++;
            }
        }
    }

    /**
     * Some servers (CGI, WSGI and FastCGI gateways) map {@code _} and {@code -} in field names to the same variable,
     * so such an origin would take {@code Transfer_Encoding} for the framing field the proxy ignored (smuggling).
     */
    private boolean isFramingAlias(long name, int length) {
        return (length == CONTENT_LENGTH_ALIAS.length
                && equalsIgnoreCase(segment, name, CONTENT_LENGTH_ALIAS, 0, length))
                || (length == TRANSFER_ENCODING_ALIAS.length
                && equalsIgnoreCase(segment, name, TRANSFER_ENCODING_ALIAS, 0, length));
    }

    /** Whether a field is named like Content-Length or Transfer-Encoding with an underscore for the hyphen. */
    boolean framingAlias() {
        return framingAlias;
    }

    /** The segment the head was parsed in. */
    public MemorySegment segment() {
        return segment;
    }

    /** Number of field lines. */
    public int count() {
        return count;
    }

    /** Absolute offset of field {@code i}'s name in {@link #segment()}; also where its line starts. */
    public long nameOffset(int i) {
        return base + nameStart[checkIndex(i)];
    }

    public int nameLength(int i) {
        return nameLength[checkIndex(i)];
    }

    /** Absolute offset of field {@code i}'s value, after leading whitespace. */
    public long valueOffset(int i) {
        return base + valueStart[checkIndex(i)];
    }

    /** Length of field {@code i}'s value without leading or trailing whitespace. */
    public int valueLength(int i) {
        return valueLength[checkIndex(i)];
    }

    /** Absolute offset just past field {@code i}'s terminating CRLF. */
    public long lineEndOffset(int i) {
        return base + lineEnd[checkIndex(i)];
    }

    /** The {@link KnownHeader} ordinal of field {@code i} (unchecked index, for loops bounded by count), or UNKNOWN. */
    int kind(int i) {
        return kind[i];
    }

    /** Whether any of the known fields in {@code mask} (bit per ordinal) occurs. */
    boolean anyPresent(long mask) {
        return (present & mask) != 0;
    }

    /** Whether field {@code i} is the given well-known field. */
    public boolean is(int i, KnownHeader header) {
        return kind[checkIndex(i)] == header.ordinal();
    }

    /** Index of the first field named {@code header}, or -1; O(1). */
    public int indexOf(KnownHeader header) {
        int k = header.ordinal();
        return (present & (1L << k)) != 0 ? firstIndex[k] : -1;
    }

    /** How many fields are named {@code header}; O(1). */
    public int occurrences(KnownHeader header) {
        int k = header.ordinal();
        return (present & (1L << k)) != 0 ? occurrences[k] : 0;
    }

    /** Index of the first field named {@code lowercaseName} (ASCII, pre-encoded lowercase), or -1. */
    public int indexOf(byte[] lowercaseName) {
        return nextIndexOf(lowercaseName, 0);
    }

    /** Index of the first field at or after {@code from} named {@code lowercaseName}, or -1. */
    public int nextIndexOf(byte[] lowercaseName, int from) {
        for (int i = Math.max(from, 0); i < count; i++) {
            if (nameEquals(i, lowercaseName)) {
                return i;
            }
        }
        return -1;
    }

    /** Whether field {@code i}'s name equals {@code lowercaseName} ignoring ASCII case. */
    public boolean nameEquals(int i, byte[] lowercaseName) {
        return nameLength[checkIndex(i)] == lowercaseName.length
                && equalsIgnoreCase(segment, base + nameStart[i], lowercaseName, 0, lowercaseName.length);
    }

    /**
     * Whether field {@code i}'s name is {@code lowercaseName} with an underscore for one or more of its hyphens: the
     * same field to origins that map both to one variable (CGI, WSGI and FastCGI gateways).
     */
    public boolean isUnderscoreAlias(int i, byte[] lowercaseName) {
        if (nameLength[checkIndex(i)] != lowercaseName.length) {
            return false;
        }
        long name = base + nameStart[i];
        boolean underscore = false;
        for (int k = 0; k < lowercaseName.length; k++) {
            int b = CharClass.lower(segment.get(ValueLayout.JAVA_BYTE, name + k) & 0xFF);
            if (b == '_' && lowercaseName[k] == '-') {
                underscore = true;
            } else if (b != lowercaseName[k]) {
                return false;
            }
        }
        return underscore;
    }

    /** Whether field {@code i}'s value equals {@code bytes} exactly. */
    public boolean valueEquals(int i, byte[] bytes) {
        if (valueLength[checkIndex(i)] != bytes.length) {
            return false;
        }
        long at = base + valueStart[i];
        for (int k = 0; k < bytes.length; k++) {
            if (segment.get(ValueLayout.JAVA_BYTE, at + k) != bytes[k]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether the message's length is one {@code Content-Length} of plain digits: repeated fields of the same value or
     * leading zeros were accepted as {@code length} (RFC 9110 §8.6) but go on as one plain field, so that a next hop
     * that reads them differently never gets the chance.
     */
    boolean plainContentLength(long length) {
        return occurrences(KnownHeader.CONTENT_LENGTH) == 1
                && valueLength(indexOf(KnownHeader.CONTENT_LENGTH)) == Decimal.digits(length);
    }

    /**
     * Whether the coding is one {@code Transfer-Encoding: chunked} as written: empty list elements, other letter case
     * or repeated fields were read as chunked (RFC 9110 §5.6.1) but go on as that one plain field, so that a next hop
     * that reads an empty last element as "not chunked" never takes the body for the next message.
     */
    boolean plainChunked() {
        return occurrences(KnownHeader.TRANSFER_ENCODING) == 1
                && valueEquals(indexOf(KnownHeader.TRANSFER_ENCODING), SliceWriter.CHUNKED);
    }

    /** Whether field {@code i}'s value equals {@code lowercase} ignoring ASCII case. */
    public boolean valueEqualsIgnoreCase(int i, byte[] lowercase) {
        return valueLength[checkIndex(i)] == lowercase.length
                && equalsIgnoreCase(segment, base + valueStart[i], lowercase, 0, lowercase.length);
    }

    /** Field {@code i}'s name as a String (allocates; not for the data path). */
    public String name(int i) {
        return string(base + nameStart[checkIndex(i)], nameLength[i]);
    }

    /** Field {@code i}'s value as a String, obs-text read as ISO-8859-1 (allocates; not for the data path). */
    public String value(int i) {
        return string(base + valueStart[checkIndex(i)], valueLength[i]);
    }

    private String string(long offset, int length) {
        byte[] bytes = new byte[length];
        MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, offset, bytes, 0, length);
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    private int checkIndex(int i) {
        return Objects.checkIndex(i, count);
    }

    /** Compares {@code length} bytes of the segment, lowercased, with a lowercase pattern. */
    static boolean equalsIgnoreCase(MemorySegment segment, long offset, byte[] lowercase, int from, int length) {
        for (int k = 0; k < length; k++) {
            if (CharClass.lower(segment.get(ValueLayout.JAVA_BYTE, offset + k) & 0xFF) != lowercase[from + k]) {
                return false;
            }
        }
        return true;
    }
}

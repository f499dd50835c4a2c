package dev.isthmus.http1;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static dev.isthmus.http1.CharClass.CR;
import static dev.isthmus.http1.CharClass.HTAB;
import static dev.isthmus.http1.CharClass.LF;
import static dev.isthmus.http1.CharClass.SP;

/**
 * Scans the field lines of a head up to and including the empty line that ends it (RFC 9112 §5), recording each
 * field in a {@link HeaderFields}; owned by the thread that owns the enclosing parser.
 *
 * <p>Resumable at any byte: it remembers its state and position. Complete lines go through a word-at-a-time fast
 * path; a line that is incomplete or irregular is then scanned once more by the byte states, which resume where
 * they stopped, so each byte is looked at no more than twice (plus the trailing whitespace of a value, trimmed
 * backwards once its line ends). Positions are relative to the head start, so the caller may hand in a different
 * segment holding the same bytes.
 */
final class HeaderBlockScanner {
    private enum State {
        /** At the first byte of a field line or of the empty line. */
        LINE_START,
        NAME,
        /** After the colon, skipping optional whitespace. */
        VALUE_START,
        VALUE,
        /** Seen the CR that ends a field line. */
        VALUE_LF,
        /** Seen the CR of the empty line. */
        END_LF,
        DONE,
        FAILED
    }

    private static final int HOST_LENGTH = 4;
    private static final long HOST_MASK = 0xFFFFFFFFL;
    private static final long HOST_WORD = Swar.pack(FieldFacts.ascii("host"), 0, HOST_LENGTH);

    private final HeaderFields fields;
    private final int maxHeaderCount;
    private State state = State.LINE_START;
    private int pos;
    private int nameStart;
    private int nameEnd;
    private int valueStart;
    private int valueEnd;
    private Rejection rejection;
    /** Whether the fast path already found a Host value made of host characters only. */
    private boolean hostChecked;
    /** Whether that checked Host value holds a colon, whose port the parser must still look at. */
    private boolean hostColon;

    HeaderBlockScanner(HeaderFields fields, int maxHeaderCount) {
        this.fields = fields;
        this.maxHeaderCount = maxHeaderCount;
    }

    /** Starts a new field section at relative position {@code at}; the owner has cleared the fields. */
    void start(int at) {
        state = State.LINE_START;
        pos = at;
        rejection = null;
        hostChecked = false;
        hostColon = false;
    }

    /** Whether a Host field was found to hold only {@code [A-Za-z0-9.:-]} while it was scanned. */
    boolean hostChecked() {
        return hostChecked;
    }

    /** Whether the Host value {@link #hostChecked()} found holds a colon. */
    boolean hostColon() {
        return hostColon;
    }

    /** Position just past the final CRLF, once {@link ParseStatus#COMPLETE}; else the next byte to scan. */
    int position() {
        return pos;
    }

    Rejection rejection() {
        return rejection;
    }

    /** Scans relative positions {@code [position(), limit)} of the head starting at absolute {@code base}. */
    ParseStatus scan(MemorySegment s, long base, int limit) {
        if (state == State.LINE_START && completeLines(s, base, limit)) {
            return ParseStatus.COMPLETE;
        }
        while (true) {
            switch (state) {
                case LINE_START -> {
                    if (pos >= limit) {
                        return ParseStatus.NEED_MORE;
                    }
                    byte b = s.get(ValueLayout.JAVA_BYTE, base + pos);
                    if (b == CR) {
                        pos++;
                        state = State.END_LF;
                    } else if (b == LF) {
                        return fail(Rejection.BARE_LF);
                    } else if (b == SP || b == HTAB) {
                        // A line starting with whitespace continues the previous one (obs-fold), or before any field
                        // is whitespace after the start-line; RFC 9112 §2.2 and §5.2 let a server reject both.
                        return fail(Rejection.OBS_FOLD);
                    } else if (fields.count() == maxHeaderCount) {
                        return fail(Rejection.TOO_MANY_HEADERS);
                    } else {
                        nameStart = pos;
                        state = State.NAME;
                    }
                }
                case NAME -> {
                    int p = scanToken(s, base, pos, limit);
                    pos = p;
                    if (p == limit) {
                        return ParseStatus.NEED_MORE;
                    }
                    byte b = s.get(ValueLayout.JAVA_BYTE, base + p);
                    if (b != CharClass.COLON) {
                        return fail(b == SP || b == HTAB ? Rejection.WHITESPACE_BEFORE_COLON : Rejection.INVALID_HEADER_NAME);
                    }
                    if (p == nameStart) {
                        return fail(Rejection.INVALID_HEADER_NAME);
                    }
                    nameEnd = p;
                    pos = p + 1;
                    state = State.VALUE_START;
                }
                case VALUE_START -> {
                    int p = pos;
                    byte b = 0;
                    while (p < limit && ((b = s.get(ValueLayout.JAVA_BYTE, base + p)) == SP || b == HTAB)) {
                        p++;
                    }
                    pos = p;
                    if (p == limit) {
                        return ParseStatus.NEED_MORE;
                    }
                    valueStart = p;
                    state = State.VALUE;
                }
                case VALUE -> {
                    int p = scanFieldContent(s, base, pos, limit);
                    pos = p;
                    if (p == limit) {
                        return ParseStatus.NEED_MORE;
                    }
                    byte b = s.get(ValueLayout.JAVA_BYTE, base + p);
                    if (b != CR) {
                        return fail(b == LF ? Rejection.BARE_LF : Rejection.INVALID_HEADER_VALUE);
                    }
                    valueEnd = p;
                    pos = p + 1;
                    state = State.VALUE_LF;
                }
                case VALUE_LF -> {
                    if (pos >= limit) {
                        return ParseStatus.NEED_MORE;
                    }
                    if (s.get(ValueLayout.JAVA_BYTE, base + pos) != LF) {
                        return fail(Rejection.BARE_CR);
                    }
                    pos++;
                    int end = valueEnd;
                    byte b;
                    while (end > valueStart && ((b = s.get(ValueLayout.JAVA_BYTE, base + end - 1)) == SP || b == HTAB)) {
                        end--;
                    }
                    long nameWord = Swar.loadPrefix(s, base + nameStart, Math.min(nameEnd - nameStart, Swar.WORD_BYTES));
                    fields.add(nameStart, nameEnd - nameStart, valueStart, end - valueStart, pos, nameWord);
                    state = State.LINE_START;
                }
                case END_LF -> {
                    if (pos >= limit) {
                        return ParseStatus.NEED_MORE;
                    }
                    if (s.get(ValueLayout.JAVA_BYTE, base + pos) != LF) {
                        return fail(Rejection.BARE_CR);
                    }
                    pos++;
                    state = State.DONE;
                    return ParseStatus.COMPLETE;
                }
                case DONE -> {
                    return ParseStatus.COMPLETE;
                }
                case FAILED -> {
                    return ParseStatus.REJECTED;
                }
            }
        }
    }

    /**
     * Fast path over whole, ordinary field lines ({@code name: value CRLF} with a name of letters, digits and '-',
     * and a value without HTAB), working from words already loaded wherever it can. It stops at the first line that
     * is incomplete, irregular or near the end of the segment, leaving it to the byte-at-a-time states (which then
     * scan it once more at most, so resumption stays linear). Returns true when it consumed the final empty line.
     * The word loops are written out here rather than shared: the JIT then keeps this whole loop in one compiled
     * body, with the words and marks in registers.
     */
    private boolean completeLines(MemorySegment s, long base, int limit) {
        long lastWord = s.byteSize() - base - Swar.WORD_BYTES;
        int p = pos;
        lines:
        while (p + 1 < limit && p <= lastWord) {
            long first = Swar.load(s, base + p);
            if ((short) first == Swar.CRLF) {
                pos = p + 2;
                state = State.DONE;
                return true;
            }
            if (fields.count() == maxHeaderCount) {
                break;
            }
            int at = p;
            long word = first;
            long marked;
            while ((marked = Swar.notAlphaNumDash(word)) == 0) {
                at += Swar.WORD_BYTES;
                // Bytes past the limit are not the peer's yet (a reused buffer may hold anything there): stop.
                if (at >= limit || at > lastWord) {
                    break lines;
                }
                word = Swar.load(s, base + at);
            }
            int nameEnd = at + Swar.firstMarked(marked);
            if (nameEnd == p || nameEnd >= limit || nameEnd > lastWord - 1
                    || Swar.firstMarkedByte(word, marked) != CharClass.COLON) {
                break;
            }
            long afterColon = Swar.load(s, base + nameEnd + 1);
            int leading = Swar.byteAt(afterColon, 0) == SP ? 1 : 0;
            int second = Swar.byteAt(afterColon, leading);
            if (second == SP || second == HTAB) {
                break;
            }
            int value = nameEnd + 1 + leading;
            // A Host value is checked against the host characters in the same pass (CR is not one, so it still
            // ends the scan); any other value starts on the word in hand, its one SP being plain field content.
            boolean host = nameEnd - p == HOST_LENGTH && ((first | Swar.CASE_BITS) & HOST_MASK) == HOST_WORD;
            if (host && value > lastWord) {
                break;
            }
            at = host ? value : nameEnd + 1;
            word = host && leading == 1 ? Swar.load(s, base + value) : afterColon;
            long hostColons = 0;
            if (host) {
                while ((marked = Swar.notCommonHost(word)) == 0) {
                    hostColons |= Swar.colons(word);
                    at += Swar.WORD_BYTES;
                    if (at >= limit || at > lastWord) {
                        break lines;
                    }
                    word = Swar.load(s, base + at);
                }
            } else {
                while ((marked = Swar.controlOrDel(word)) == 0) {
                    at += Swar.WORD_BYTES;
                    if (at >= limit || at > lastWord) {
                        break lines;
                    }
                    word = Swar.load(s, base + at);
                }
            }
            int index = Swar.firstMarked(marked);
            int end = at + index;
            if (end + 1 >= limit || Swar.byteAt(word, index) != CR) {
                break;
            }
            if ((index < Swar.WORD_BYTES - 1 ? Swar.byteAt(word, index + 1) : s.get(ValueLayout.JAVA_BYTE, base + end + 1)) != LF) {
                break;
            }
            int trimmed = end;
            int last = index > 0 ? Swar.byteAt(word, index - 1) : SP;
            if (last == SP || last == HTAB) {
                byte b;
                while (trimmed > value && ((b = s.get(ValueLayout.JAVA_BYTE, base + trimmed - 1)) == SP || b == HTAB)) {
                    trimmed--;
                }
            }
            fields.add(p, nameEnd - p, value, trimmed - value, end + 2, first);
            hostChecked |= host;
            if (host) {
                hostColon = (hostColons | Swar.colons(word) & ((1L << (index * Byte.SIZE)) - 1)) != 0;
            }
            p = end + 2;
        }
        pos = p;
        return false;
    }

    /**
     * The first position in {@code [p, limit)} holding a non-token byte, or {@code limit}. Eight bytes per step
     * wherever a word fits in the segment; a mark found at or past {@code limit} is not looked at.
     */
    static int scanToken(MemorySegment s, long base, int p, int limit) {
        long lastWord = s.byteSize() - base - Swar.WORD_BYTES;
        while (true) {
            while (p < limit && p <= lastWord) {
                long marked = Swar.notAlphaNumDash(Swar.load(s, base + p));
                if (marked != 0) {
                    p += Swar.firstMarked(marked);
                    break;
                }
                p += Swar.WORD_BYTES;
            }
            if (p >= limit) {
                return limit;
            }
            if (!CharClass.TOKEN[s.get(ValueLayout.JAVA_BYTE, base + p) & 0xFF]) {
                return p;
            }
            p++;
        }
    }

    /**
     * The first position in {@code [p, limit)} holding a byte that is not field content (a control other than
     * HTAB, or DEL), or {@code limit}. Eight bytes per step wherever a word fits in the segment.
     */
    static int scanFieldContent(MemorySegment s, long base, int p, int limit) {
        long lastWord = s.byteSize() - base - Swar.WORD_BYTES;
        while (true) {
            while (p < limit && p <= lastWord) {
                long marked = Swar.controlOrDel(Swar.load(s, base + p));
                if (marked != 0) {
                    p += Swar.firstMarked(marked);
                    break;
                }
                p += Swar.WORD_BYTES;
            }
            if (p >= limit) {
                return limit;
            }
            if (!CharClass.FIELD_CONTENT[s.get(ValueLayout.JAVA_BYTE, base + p) & 0xFF]) {
                return p;
            }
            p++;
        }
    }

    private ParseStatus fail(Rejection reason) {
        rejection = reason;
        state = State.FAILED;
        return ParseStatus.REJECTED;
    }
}

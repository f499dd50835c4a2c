package dev.isthmus.http1;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** The fields a proxy must understand, found once while parsing so the head view answers for them in O(1). */
public enum KnownHeader {
    HOST("host"),
    CONTENT_LENGTH("content-length"),
    TRANSFER_ENCODING("transfer-encoding"),
    CONNECTION("connection"),
    UPGRADE("upgrade"),
    EXPECT("expect"),
    KEEP_ALIVE("keep-alive"),
    TE("te"),
    TRAILER("trailer"),
    PROXY_CONNECTION("proxy-connection"),
    X_FORWARDED_FOR("x-forwarded-for"),
    X_FORWARDED_PROTO("x-forwarded-proto"),
    DATE("date"),
    MAX_FORWARDS("max-forwards");

    /** Marks a field that is none of these. */
    static final int UNKNOWN = -1;
    private static final KnownHeader[] VALUES = values();
    /** The longest name above; longer names are unknown without looking at them. */
    private static final int MAX_NAME_LENGTH = 17;
    /** At most this many known names share a length (connection/keep-alive, upgrade/trailer...). */
    private static final int SLOTS = 2;
    /**
     * The known names by length, {@code SLOTS} per length, as primitive tables: the ordinal ({@link #UNKNOWN} in
     * an empty slot), the first word and its mask, so classifying a name costs no object loads.
     */
    private static final int[] ORDINAL_BY_SLOT = new int[(MAX_NAME_LENGTH + 1) * SLOTS];
    private static final long[] FIRST_WORD_BY_SLOT = new long[(MAX_NAME_LENGTH + 1) * SLOTS];
    private static final long[] FIRST_MASK_BY_SLOT = new long[(MAX_NAME_LENGTH + 1) * SLOTS];

    static {
        Arrays.fill(ORDINAL_BY_SLOT, UNKNOWN);
        for (KnownHeader h : VALUES) {
            int slot = h.lowerName.length * SLOTS;
            while (ORDINAL_BY_SLOT[slot] != UNKNOWN) {
                slot++;
            }
            if (slot >= (h.lowerName.length + 1) * SLOTS) {
                throw new IllegalStateException("more than " + SLOTS + " known names of length " + h.lowerName.length);
            }
            ORDINAL_BY_SLOT[slot] = h.ordinal();
            FIRST_WORD_BY_SLOT[slot] = h.words[0];
            FIRST_MASK_BY_SLOT[slot] = h.masks[0];
        }
    }

    private final byte[] lowerName;
    private final String headerName;
    /** The lowercase name in words of eight bytes as {@link Swar#loadPrefix} reads them, for one compare per word. */
    private final long[] words;
    /** Which bits of each word the name covers: the case bit, OR-ed into every byte read, is masked off beyond it. */
    private final long[] masks;

    KnownHeader(String lowerName) {
        this.lowerName = lowerName.getBytes(StandardCharsets.US_ASCII);
        this.headerName = lowerName;
        int n = (this.lowerName.length + Swar.WORD_BYTES - 1) / Swar.WORD_BYTES;
        this.words = new long[n];
        this.masks = new long[n];
        for (int w = 0; w < n; w++) {
            int from = w * Swar.WORD_BYTES;
            int bytes = Math.min(this.lowerName.length - from, Swar.WORD_BYTES);
            words[w] = Swar.pack(this.lowerName, from, bytes);
            masks[w] = bytes == Swar.WORD_BYTES ? -1L : (1L << (bytes * Byte.SIZE)) - 1;
        }
    }

    /** The lowercase field name. */
    public String headerName() {
        return headerName;
    }

    byte[] lowerName() {
        return lowerName;
    }

    static KnownHeader of(int ordinal) {
        return VALUES[ordinal];
    }

    static int count() {
        return VALUES.length;
    }

    /**
     * The ordinal of the known field named by {@code [offset, offset + length)}, or {@link #UNKNOWN};
     * {@code firstWord} holds at least the name's first {@code min(length, 8)} bytes as {@link Swar#load} reads
     * them (the bytes beyond the name are ignored). The name must
     * already be validated as a token: for token bytes, {@code b | 0x20} equals a lowercase letter or '-' only when
     * {@code b} is that letter in either case or '-' itself, which makes the comparison one OR and one compare per
     * eight bytes.
     */
    static int classify(MemorySegment segment, long offset, int length, long firstWord) {
        if (length > MAX_NAME_LENGTH) {
            return UNKNOWN;
        }
        long first = firstWord | Swar.CASE_BITS;
        for (int slot = length * SLOTS; slot < (length + 1) * SLOTS; slot++) {
            int ordinal = ORDINAL_BY_SLOT[slot];
            if (ordinal == UNKNOWN) {
                return UNKNOWN;
            }
            if (FIRST_WORD_BY_SLOT[slot] == (first & FIRST_MASK_BY_SLOT[slot])
                    && (length <= Swar.WORD_BYTES || restMatches(VALUES[ordinal], segment, offset, length))) {
                return ordinal;
            }
        }
        return UNKNOWN;
    }

    private static boolean restMatches(KnownHeader candidate, MemorySegment segment, long offset, int length) {
        for (int w = 1; w < candidate.words.length; w++) {
            int at = w * Swar.WORD_BYTES;
            long word = Swar.loadPrefix(segment, offset + at, Math.min(length - at, Swar.WORD_BYTES)) | Swar.CASE_BITS;
            if (candidate.words[w] != (word & candidate.masks[w])) {
                return false;
            }
        }
        return true;
    }
}

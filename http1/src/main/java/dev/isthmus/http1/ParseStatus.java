package dev.isthmus.http1;

/** What a call to a head parser concluded. */
public enum ParseStatus {
    /** The head is not complete in the bytes given so far; call again with more. */
    NEED_MORE,
    /** The head is complete; the parser's head view and head length are valid. */
    COMPLETE,
    /** The head is malformed; the parser's rejection says why. The parser stays rejected until reset. */
    REJECTED
}

package dev.isthmus.http1;

import java.lang.foreign.MemorySegment;

/**
 * The content of the final recipient's 200 response to TRACE (RFC 9110 §9.3.8): the request head as received, to be
 * sent as {@code message/http}, minus the fields likely to carry credentials (Authorization, Proxy-Authorization,
 * Cookie), which the final recipient should leave out. References the request's bytes; copies nothing. Owned by one
 * thread (a reactor), reused.
 */
public final class TraceReflection {
    private static final byte[] AUTHORIZATION = FieldFacts.ascii("authorization");
    private static final byte[] PROXY_AUTHORIZATION = FieldFacts.ascii("proxy-authorization");
    private static final byte[] COOKIE = FieldFacts.ascii("cookie");

    private final SliceWriter writer = new SliceWriter();

    /**
     * Writes the reflected head of {@code head} into {@code out} and returns its length in bytes. {@code scratch}
     * only stands in for the list's scratch segment: nothing is written to it.
     */
    public long reflect(RequestHead head, MemorySegment scratch, GatherList out) {
        writer.begin(out, head.segment(), scratch, 0, 0);
        HeaderFields f = head.headers();
        long kept = head.requestLineOffset();
        for (int i = 0; i < f.count(); i++) {
            if (f.nameEquals(i, AUTHORIZATION) || f.nameEquals(i, PROXY_AUTHORIZATION) || f.nameEquals(i, COOKIE)) {
                writer.original(kept, f.nameOffset(i) - kept);
                kept = f.lineEndOffset(i);
            }
        }
        writer.original(kept, head.offset() + head.length() - kept);
        writer.finish();
        return out.totalBytes();
    }
}

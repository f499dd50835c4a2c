package dev.isthmus.http1;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Request heads from the fuzzer: whatever the bytes, the parser answers with a status (never an exception, never a
 * read outside the segment), the same whole, in three reads, or one byte at a time (so the word-at-a-time fast path
 * and the byte-at-a-time states agree), and a completed head rewrites into one that frames the body the same way.
 * Bounded here for {@code make test}; {@code make fuzz} runs it in rounds that keep the corpus.
 */
class RequestHeadFuzzTest {
    private static final Http1Limits SMALL = new Http1Limits(256, 8, 64, 8, 32);

    private final RequestParser[] parsers = {new RequestParser(), new RequestParser(SMALL)};
    private final RequestParser[] pieces = {new RequestParser(), new RequestParser(SMALL)};
    private final RequestParser reparser = new RequestParser(FuzzInput.REWRITTEN);
    private final RequestHeadRewriter rewriter = new RequestHeadRewriter();
    private final GatherList gather = new GatherList();

    @FuzzTest(maxDuration = "8s")
    // libFuzzer dictionary syntax: control bytes as \\xNN escapes.
    @DictionaryEntries({"GET ", "POST ", "CONNECT ", "OPTIONS * ", " HTTP/1.1\\x0D\\x0A", " HTTP/1.0\\x0D\\x0A", "Host: ",
        "Content-Length: ", "Transfer-Encoding: ", "chunked", "gzip, ", "Connection: ", "close", "keep-alive",
        "upgrade", "Upgrade: ", "Expect: 100-continue", "X-Forwarded-For: ", "\\x0D\\x0A", "\\x0D\\x0A\\x0D\\x0A", "\\x0D\\x0A "})
    void requestHeads(byte[] data) {
        int[] splits = FuzzInput.splits(data);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = FuzzInput.exact(arena, data);
            for (int k = 0; k < parsers.length; k++) {
                RequestParser parser = parsers[k];
                parser.reset();
                ParseStatus status = parser.parse(s, 0, data.length);
                String whole = SplitCorpusTest.describe(parser, status);

                RequestParser split = pieces[k];
                split.reset();
                ParseStatus late = split.parse(s, 0, splits[0]);
                late = late == ParseStatus.NEED_MORE ? split.parse(s, 0, splits[1]) : late;
                late = late == ParseStatus.NEED_MORE ? split.parse(s, 0, data.length) : late;
                assertEquals(whole, SplitCorpusTest.describe(split, late), "three reads");

                split.reset();
                late = ParseStatus.NEED_MORE;
                for (int n = 0; n <= data.length && late == ParseStatus.NEED_MORE; n++) {
                    late = split.parse(s, 0, n);
                }
                assertEquals(whole, SplitCorpusTest.describe(split, late), "byte at a time");

                if (status == ParseStatus.COMPLETE) {
                    assertTrue(parser.head().length() <= data.length);
                    rewritesToTheSameFraming(arena, parser.head());
                }
            }
        }
    }

    private void rewritesToTheSameFraming(Arena arena, RequestHead head) {
        MemorySegment scratch = arena.allocate(FuzzInput.SCRATCH_BYTES);
        rewriter.clearOptions().forwardedFor(Bytes.latin1("192.0.2.1")).forwardedProto(Bytes.latin1("http"))
                .hostRewrite(Bytes.latin1("backend"));
        long used = rewriter.rewrite(head, scratch, 0, scratch.byteSize(), gather);
        assertTrue(used >= 0, "scratch fits");
        MemorySegment out = arena.allocate(gather.totalBytes());
        long at = 0;
        for (int i = 0; i < gather.count(); i++) {
            MemorySegment.copy(gather.segment(i), gather.offset(i), out, at, gather.length(i));
            at += gather.length(i);
        }
        reparser.reset();
        assertEquals(ParseStatus.COMPLETE, reparser.parse(out, 0, out.byteSize()), () -> "rewritten: " + reparser.rejection());
        RequestHead again = reparser.head();
        assertEquals(head.framing(), again.framing());
        assertEquals(head.contentLength(), again.contentLength());
        assertEquals(head.method(), again.method());
        assertEquals(head.target(), again.target());
        assertEquals(HttpVersion.HTTP_1_1, again.version(), "forwarded with the proxy's own version");
        assertEquals(out.byteSize(), again.length());
    }
}

package dev.isthmus.http1;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Response heads from the fuzzer, answering a request whose method the first byte picks: a status and never an
 * exception, the same whole or in pieces, and a completed head rewrites into one with the same framing.
 */
class ResponseHeadFuzzTest {
    private static final HttpMethod[] METHODS = HttpMethod.values();

    private final ResponseParser parser = new ResponseParser();
    private final ResponseParser split = new ResponseParser();
    private final ResponseParser reparser = new ResponseParser(FuzzInput.REWRITTEN);
    private final ResponseHeadRewriter rewriter = new ResponseHeadRewriter();
    private final GatherList gather = new GatherList();

    @FuzzTest(maxDuration = "8s")
    // libFuzzer dictionary syntax: control bytes as \\xNN escapes.
    @DictionaryEntries({"HTTP/1.1 ", "HTTP/1.0 ", "200 OK\\x0D\\x0A", "101 ", "204 ", "304 ", "100 Continue\\x0D\\x0A",
        "Content-Length: ", "Transfer-Encoding: ", "chunked", "gzip, ", "Connection: ", "close", "keep-alive",
        "Upgrade: ", "\\x0D\\x0A", "\\x0D\\x0A\\x0D\\x0A", "\\x0D\\x0A "})
    void responseHeads(byte[] data) {
        if (data.length == 0) {
            return;
        }
        HttpMethod method = METHODS[(data[0] & 0xFF) % METHODS.length];
        int[] splits = FuzzInput.splits(data);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = FuzzInput.exact(arena, data).asSlice(1);
            int length = data.length - 1;
            parser.reset(method);
            ParseStatus status = parser.parse(s, 0, length);
            String whole = SplitCorpusTest.describe(parser, status);

            split.reset(method);
            ParseStatus late = split.parse(s, 0, Math.min(splits[0], length));
            late = late == ParseStatus.NEED_MORE ? split.parse(s, 0, Math.min(splits[1], length)) : late;
            late = late == ParseStatus.NEED_MORE ? split.parse(s, 0, length) : late;
            assertEquals(whole, SplitCorpusTest.describe(split, late), "three reads");

            split.reset(method);
            late = ParseStatus.NEED_MORE;
            for (int n = 0; n <= length && late == ParseStatus.NEED_MORE; n++) {
                late = split.parse(s, 0, n);
            }
            assertEquals(whole, SplitCorpusTest.describe(split, late), "byte at a time");

            if (status == ParseStatus.COMPLETE) {
                ResponseHead head = parser.head();
                MemorySegment scratch = arena.allocate(FuzzInput.SCRATCH_BYTES);
                assertTrue(rewriter.rewrite(head, (data[0] & 1) == 1, scratch, 0, scratch.byteSize(), gather) >= 0);
                MemorySegment out = arena.allocate(gather.totalBytes());
                long at = 0;
                for (int i = 0; i < gather.count(); i++) {
                    MemorySegment.copy(gather.segment(i), gather.offset(i), out, at, gather.length(i));
                    at += gather.length(i);
                }
                reparser.reset(method);
                assertEquals(ParseStatus.COMPLETE, reparser.parse(out, 0, out.byteSize()), () -> "" + reparser.rejection());
                assertEquals(head.framing(), reparser.head().framing());
                assertEquals(head.contentLength(), reparser.head().contentLength());
                assertEquals(head.statusCode(), reparser.head().statusCode());
            }
        }
    }
}

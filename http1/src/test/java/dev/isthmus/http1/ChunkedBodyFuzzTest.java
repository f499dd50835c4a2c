package dev.isthmus.http1;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Chunked bodies from the fuzzer: decoding never throws or reads outside the segment, never consumes past the end
 * of the body, and gives the same outcome, the same data and the same end whether fed whole, in pieces of a size
 * the input picks, or with payload skipped (as a splicing proxy does) instead of decoded.
 */
class ChunkedBodyFuzzTest {
    private static final Http1Limits SMALL = new Http1Limits(1024, 8, 64, 8, 32);

    private final ChunkedDecoder whole = new ChunkedDecoder(SMALL);
    private final ChunkedDecoder pieces = new ChunkedDecoder(SMALL);

    @FuzzTest(maxDuration = "8s")
    // libFuzzer dictionary syntax: control bytes as \\xNN escapes.
    @DictionaryEntries({"0\\x0D\\x0A\\x0D\\x0A", "\\x0D\\x0A", ";ext=1", "ffffffffffffffff", "X-Trailer: v\\x0D\\x0A", "5\\x0D\\x0Ahello\\x0D\\x0A"})
    void chunkedBodies(byte[] data) {
        if (data.length == 0) {
            return;
        }
        int piece = 1 + (data[0] & 0x1F);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = FuzzInput.exact(arena, data).asSlice(1);
            Outcome first = decode(whole, s, Integer.MAX_VALUE, false);
            Outcome second = decode(pieces, s, piece, (data[0] & 0x20) != 0);
            assertEquals(first, second);
            assertTrue(first.consumed() <= s.byteSize());
        }
    }

    private record Outcome(long consumed, long dataBytes, long dataHash, boolean complete, Rejection rejection) {
    }

    private static Outcome decode(ChunkedDecoder d, MemorySegment s, int piece, boolean skipPayload) {
        d.reset();
        long at = 0;
        long dataBytes = 0;
        long hash = 0;
        while (at < s.byteSize() && !d.isComplete() && !d.isRejected()) {
            long remaining = d.payloadRemaining();
            if (skipPayload && remaining > 0) {
                long n = Math.min(remaining, s.byteSize() - at);
                d.skipPayload(n);
                for (long k = 0; k < n; k++) {
                    hash = hash * 31 + s.get(ValueLayout.JAVA_BYTE, at + k);
                }
                dataBytes += n;
                at += n;
                continue;
            }
            long n = d.decode(s, at, Math.min(piece, s.byteSize() - at));
            if (n == 0) {
                break;
            }
            if (d.lastRun() == ChunkedDecoder.Run.DATA) {
                for (long k = 0; k < n; k++) {
                    hash = hash * 31 + s.get(ValueLayout.JAVA_BYTE, at + k);
                }
                dataBytes += n;
            }
            at += n;
        }
        return new Outcome(at, dataBytes, hash, d.isComplete(), d.rejection());
    }
}

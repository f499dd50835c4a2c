package dev.isthmus.http1;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class ChunkedDecoderTest {
    private final ChunkedDecoder decoder = new ChunkedDecoder();

    /** Feeds {@code body} in pieces of at most {@code piece} bytes; returns "DATA:x" / "FRAMING:x" runs, merged. */
    private List<String> runs(ChunkedDecoder d, String body, int piece) {
        MemorySegment s = Bytes.offHeap(body);
        List<String> out = new ArrayList<>();
        long at = Bytes.PAD;
        long end = s.byteSize();
        while (at < end && !d.isComplete() && !d.isRejected()) {
            long available = Math.min(piece, end - at);
            long used = 0;
            while (used < available) {
                long n = d.decode(s, at + used, available - used);
                if (n == 0) {
                    break;
                }
                String text = d.lastRun() + ":" + Bytes.string(s, at + used, n);
                int last = out.size() - 1;
                if (last >= 0 && out.get(last).startsWith(d.lastRun() + ":")) {
                    out.set(last, out.get(last) + Bytes.string(s, at + used, n));
                } else {
                    out.add(text);
                }
                used += n;
            }
            at += used;
            if (used < available) {
                break;
            }
        }
        return out;
    }

    private void rejects(Rejection expected, String body) {
        decoder.reset();
        runs(decoder, body, Integer.MAX_VALUE);
        assertTrue(decoder.isRejected(), body);
        assertEquals(expected, decoder.rejection());
        assertEquals(expected.status(), decoder.rejection().status());
        assertEquals(0, decoder.decode(Bytes.offHeap("1\r\n"), Bytes.PAD, 3));
    }

    @Test
    void separatesFramingFromData() {
        List<String> runs = runs(decoder, "5\r\nhello\r\n1a\r\n" + "x".repeat(26) + "\r\n0\r\n\r\n", Integer.MAX_VALUE);
        assertEquals(List.of("FRAMING:5\r\n", "DATA:hello", "FRAMING:\r\n1a\r\n", "DATA:" + "x".repeat(26),
                "FRAMING:\r\n0\r\n\r\n"), runs);
        assertTrue(decoder.isComplete());
        assertNull(decoder.rejection());
    }

    @Test
    void givesTheSameRunsWhateverThePieces() {
        String body = "5;ext=\"q\"\r\nhello\r\nA\r\n0123456789\r\n0\r\nX-Sum: 9\r\n\r\n";
        List<String> whole = runs(new ChunkedDecoder(), body, Integer.MAX_VALUE);
        for (int piece = 1; piece <= body.length(); piece++) {
            ChunkedDecoder d = new ChunkedDecoder();
            assertEquals(whole, runs(d, body, piece), "pieces of " + piece);
            assertTrue(d.isComplete());
        }
    }

    @Test
    void neverConsumesBytesAfterTheBody() {
        String body = "3\r\nabc\r\n0\r\n\r\n";
        MemorySegment s = Bytes.offHeap(body + "GET / HTTP/1.1\r\n");
        long at = Bytes.PAD;
        long n;
        while ((n = decoder.decode(s, at, s.byteSize() - at)) > 0) {
            at += n;
        }
        assertTrue(decoder.isComplete());
        assertEquals(Bytes.PAD + body.length(), at);
    }

    @Test
    void skipsSplicedPayloadWithoutReadingIt() {
        MemorySegment s = Bytes.offHeap("a\r\n0123456789\r\n0\r\n\r\n");
        long at = Bytes.PAD;
        at += decoder.decode(s, at, 3);
        assertEquals(10, decoder.payloadRemaining());
        decoder.skipPayload(4);
        at += 4;
        assertEquals(6, decoder.payloadRemaining());
        assertThrows(IllegalArgumentException.class, () -> decoder.skipPayload(7));
        decoder.skipPayload(6);
        at += 6;
        assertEquals(0, decoder.payloadRemaining());
        assertEquals(7, decoder.decode(s, at, s.byteSize() - at));
        assertEquals(ChunkedDecoder.Run.FRAMING, decoder.lastRun());
        assertTrue(decoder.isComplete());
    }

    @Test
    void reportsDataRunsOnlyAsFarAsTheChunkGoes() {
        MemorySegment s = Bytes.offHeap("3\r\nabcdef");
        assertEquals(3, decoder.decode(s, Bytes.PAD, 9));
        assertEquals(3, decoder.decode(s, Bytes.PAD + 3, 6));
        assertEquals(ChunkedDecoder.Run.DATA, decoder.lastRun());
        assertEquals(0, decoder.payloadRemaining());
    }

    @Test
    void resetStartsTheNextBody() {
        runs(decoder, "0\r\n\r\n", Integer.MAX_VALUE);
        assertTrue(decoder.isComplete());
        decoder.reset();
        assertFalse(decoder.isComplete());
        assertEquals(List.of("FRAMING:1\r\n", "DATA:z", "FRAMING:\r\n0\r\n\r\n"), runs(decoder, "1\r\nz\r\n0\r\n\r\n", 100));
    }

    @ParameterizedTest
    @ValueSource(strings = {"000000000000005\r\nhello\r\n0\r\n\r\n", "5;a=b;c\r\nhello\r\n0\r\n\r\n",
        "5 ; a = \"b c\"\r\nhello\r\n0\r\n\r\n", "5\r\nhello\r\n0;last\r\nA: 1\r\nb-c:\r\n\r\n", "F\r\n0123456789abcde\r\n0\r\n\r\n"})
    void acceptsValidBodies(String body) {
        runs(decoder, body, Integer.MAX_VALUE);
        assertTrue(decoder.isComplete(), () -> body + " " + decoder.rejection());
    }

    @ParameterizedTest
    @ValueSource(strings = {"g\r\n", "\r\n", "-1\r\n", "5 \r\n", "0x5\r\n", " 5\r\n", "5\t\r\n"})
    void rejectsInvalidChunkSizes(String body) {
        rejects(Rejection.INVALID_CHUNK_SIZE, body);
    }

    @Test
    void aChunkSizeLongerThanSixteenDigitsIsRefusedWhateverItsValue() {
        rejects(Rejection.CHUNK_SIZE_OVERFLOW, "00000000000000001\r\nx\r\n0\r\n\r\n");
        rejects(Rejection.CHUNK_SIZE_OVERFLOW, "0".repeat(1000) + "\r\n\r\n");
        decoder.reset();
        assertEquals(List.of("FRAMING:0000000000000001\r\n", "DATA:x", "FRAMING:\r\n0\r\n\r\n"),
                runs(decoder, "0000000000000001\r\nx\r\n0\r\n\r\n", Integer.MAX_VALUE));
        assertTrue(decoder.isComplete());
    }

    @Test
    void aPayloadLimitRefusesTheSizeLineOfTheChunkThatWouldPassIt() {
        decoder.reset(8);
        assertEquals(List.of("FRAMING:5\r\n", "DATA:hello", "FRAMING:\r\n3\r\n", "DATA:abc", "FRAMING:\r\n"),
                runs(decoder, "5\r\nhello\r\n3\r\nabc\r\n1\r\nx\r\n0\r\n\r\n", Integer.MAX_VALUE));
        assertEquals(Rejection.CONTENT_TOO_LARGE, decoder.rejection());
        assertEquals(413, decoder.rejection().status());
        decoder.reset(8);
        runs(decoder, "5\r\nhello\r\n3\r\nabc\r\n0\r\n\r\n", 1);
        assertTrue(decoder.isComplete(), "exactly the limit passes");
        decoder.reset(0);
        runs(decoder, "0\r\n\r\n", Integer.MAX_VALUE);
        assertTrue(decoder.isComplete(), "an empty body passes a zero limit");
        decoder.reset();
        runs(decoder, "5\r\nhello\r\n3\r\nabc\r\n1\r\nx\r\n0\r\n\r\n", Integer.MAX_VALUE);
        assertTrue(decoder.isComplete(), "reset() lifts the limit");
    }

    @Test
    void detectsChunkSizeOverflow() {
        rejects(Rejection.CHUNK_SIZE_OVERFLOW, "8000000000000000\r\n");
        rejects(Rejection.CHUNK_SIZE_OVERFLOW, "fffffffffffffffffff\r\n");
        ChunkedDecoder big = new ChunkedDecoder();
        MemorySegment s = Bytes.offHeap("7fffffffffffffff\r\n");
        assertEquals(18, big.decode(s, Bytes.PAD, 18));
        assertEquals(Long.MAX_VALUE, big.payloadRemaining());
    }

    @Test
    void limitsAndValidatesExtensions() {
        rejects(Rejection.CHUNK_EXTENSION_TOO_LONG, "5;" + "a".repeat(Http1Limits.DEFAULT_MAX_CHUNK_EXTENSION_LENGTH + 1) + "\r\n");
        rejects(Rejection.INVALID_CHUNK_EXTENSION, "5;a\u0000b\r\n");
        rejects(Rejection.INVALID_CHUNK_EXTENSION, "5;a\u007f\r\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"3;a=b c\r\n", "3;=x\r\n", "3;@@@\r\n", "3;\r\n", "3;a=\r\n", "3;a=\"open\r\n",
        "3;a=b\"c\"\r\n", "3;a b\r\n", "3;a=\"x\"y\r\n", "3;a=\"\\\r\n"})
    void rejectsExtensionsOutsideTheGrammar(String sizeLine) {
        rejects(Rejection.INVALID_CHUNK_EXTENSION, sizeLine);
    }

    @ParameterizedTest
    @ValueSource(strings = {"3;a\r\nabc\r\n0\r\n\r\n", "3;a=\"x\\\"y;z\"\r\nabc\r\n0\r\n\r\n",
        "3\t; a\t=\t\"\" ;b=c \r\nabc\r\n0\r\n\r\n", "3;a=b;c=d;e\r\nabc\r\n0;x=y\r\n\r\n"})
    void acceptsExtensionsOfTheGrammar(String body) {
        runs(decoder, body, Integer.MAX_VALUE);
        assertTrue(decoder.isComplete(), () -> body + " " + decoder.rejection());
    }

    @Test
    void insistsOnCrlf() {
        rejects(Rejection.BARE_LF, "5\nhello\r\n0\r\n\r\n");
        rejects(Rejection.BARE_LF, "5;x\nhello\r\n0\r\n\r\n");
        rejects(Rejection.BARE_CR, "5\rhello\r\n0\r\n\r\n");
        rejects(Rejection.MISSING_CHUNK_DATA_CRLF, "5\r\nhelloX\r\n0\r\n\r\n");
        rejects(Rejection.MISSING_CHUNK_DATA_CRLF, "5\r\nhello\rX0\r\n\r\n");
        rejects(Rejection.MISSING_CHUNK_DATA_CRLF, "5\r\nhello\n0\r\n\r\n");
        rejects(Rejection.BARE_CR, "0\r\n\rX");
        rejects(Rejection.BARE_LF, "0\r\n\n");
    }

    @Test
    void validatesTrailersLikeHeaderFields() {
        rejects(Rejection.OBS_FOLD, "0\r\nA: 1\r\n 2\r\n\r\n");
        rejects(Rejection.WHITESPACE_BEFORE_COLON, "0\r\nA : 1\r\n\r\n");
        rejects(Rejection.INVALID_HEADER_NAME, "0\r\n(A): 1\r\n\r\n");
        rejects(Rejection.INVALID_HEADER_NAME, "0\r\nA\r\n\r\n");
        rejects(Rejection.INVALID_HEADER_VALUE, "0\r\nA: 1\u00002\r\n\r\n");
        rejects(Rejection.BARE_LF, "0\r\nA: 1\n\r\n");
        rejects(Rejection.BARE_CR, "0\r\nA: 1\r2\r\n\r\n");
    }

    @Test
    void refusesFramingAndRoutingFieldsAsTrailers() {
        rejects(Rejection.FORBIDDEN_TRAILER_FIELD, "0\r\nContent-Length: 5\r\n\r\n");
        rejects(Rejection.FORBIDDEN_TRAILER_FIELD, "0\r\nX: 1\r\ntransfer-encoding: chunked\r\n\r\n");
        rejects(Rejection.FORBIDDEN_TRAILER_FIELD, "0\r\nHOST: evil\r\n\r\n");
        decoder.reset();
        runs(decoder, "0\r\nHosts: 1\r\nContent-Lengthy: 2\r\nX-Checksum: 3\r\nHos: 4\r\n\r\n", 100);
        assertTrue(decoder.isComplete(), "names that only begin or end like one are fine");
    }

    @Test
    void limitsTheTrailerSection() {
        ChunkedDecoder small = new ChunkedDecoder(new Http1Limits(1024, 10, 64, 16, 16));
        runs(small, "0\r\nA: 123456789\r\n\r\n", 100);
        assertTrue(small.isComplete());
        small.reset();
        runs(small, "0\r\nA: 1234567890\r\n\r\n", 100);
        assertEquals(Rejection.TRAILERS_TOO_LARGE, small.rejection());
        assertEquals(431, small.rejection().status());
    }

    @Test
    void decodesWhatTheEncoderWrites() {
        MemorySegment out = Arena.ofAuto().allocate(256);
        long at = 0;
        at += ChunkedEncoder.writeChunkHeader(out, at, 3);
        out.asSlice(at, 3).copyFrom(MemorySegment.ofArray(Bytes.latin1("abc")));
        at += 3;
        at += ChunkedEncoder.writeChunkEnd(out, at);
        at += ChunkedEncoder.writeChunkHeader(out, at, 300);
        assertEquals("3\r\nabc\r\n12c\r\n", Bytes.string(out, 0, at));
        at = ChunkedEncoder.writeLastChunk(out, 0);
        assertEquals("0\r\n\r\n", Bytes.string(out, 0, at));
        assertEquals(ChunkedEncoder.MAX_CHUNK_HEADER_BYTES, ChunkedEncoder.writeChunkHeader(out, 0, Long.MAX_VALUE));
        assertEquals("7fffffffffffffff\r\n", Bytes.string(out, 0, ChunkedEncoder.MAX_CHUNK_HEADER_BYTES));
        assertEquals(3, ChunkedEncoder.writeChunkHeader(out, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> ChunkedEncoder.writeChunkHeader(out, 0, 0));
    }
}

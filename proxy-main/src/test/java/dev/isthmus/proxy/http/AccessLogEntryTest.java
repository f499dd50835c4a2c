package dev.isthmus.proxy.http;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Escaping and cutting of the text an access log line takes from a request. */
final class AccessLogEntryTest {

    private static String copy(String text, int limit) {
        byte[] into = new byte[limit];
        MemorySegment from = MemorySegment.ofArray(text.getBytes(StandardCharsets.ISO_8859_1));
        int n = AccessLogEntry.copyEscaped(from, 0, from.byteSize(), into, 0, limit);
        return new String(into, 0, n, StandardCharsets.ISO_8859_1);
    }

    @Test
    void quotesBackslashesControlAndHighBytesAreHexEscaped() {
        assertEquals("a\\x22b\\x5cc\\x0d\\x0a\\x7f\\xff d", copy("a\"b\\c\r\n\u007f\u00ff d", 64));
    }

    @Test
    void textThatFitsExactlyIsNotCut() {
        assertEquals("0123456789", copy("0123456789", 10));
        assertEquals("01234\\x22", copy("01234\"", 9));
    }

    @Test
    void textThatDoesNotFitEndsInAnEllipsisWithinTheLimit() {
        assertEquals("0123456...", copy("0123456789a", 10));
        assertEquals("012345...", copy("012345\"789", 10));
        assertEquals("...", copy("\"\"", 4));
    }
}

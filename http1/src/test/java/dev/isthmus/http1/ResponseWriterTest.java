package dev.isthmus.http1;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static dev.isthmus.http1.Bytes.latin1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

@Timeout(30)
class ResponseWriterTest {
    private final MemorySegment dst = Arena.ofAuto().allocate(1024);
    private final ResponseWriter writer = new ResponseWriter();

    @Test
    void writesADirectResponse() {
        long n = writer.start(dst, 10, 500, 200).header(latin1("Content-Type"), latin1("text/plain"))
                .finish(latin1("isthmus is running\n"), false);
        assertEquals("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 19\r\n\r\nisthmus is running\n",
                Bytes.string(dst, 10, n));
    }

    @Test
    void writesUnknownStatusesWithAnEmptyReason() {
        long n = writer.start(dst, 0, 500, 299).finish(new byte[0], true);
        assertEquals("HTTP/1.1 299 \r\nContent-Length: 0\r\nConnection: close\r\n\r\n", Bytes.string(dst, 0, n));
        assertThrows(IllegalArgumentException.class, () -> writer.start(dst, 0, 100, 99));
    }

    @ParameterizedTest
    @EnumSource(Rejection.class)
    void answersEveryRejectionWithItsStatusAndCloses(Rejection rejection) {
        long n = writer.writeRejection(dst, 0, dst.byteSize(), rejection);
        ResponseParser parser = new ResponseParser();
        assertEquals(ParseStatus.COMPLETE, parser.parse(dst, 0, n));
        ResponseHead head = parser.head();
        assertEquals(rejection.status(), head.statusCode());
        assertFalse(head.keepAlive());
        assertEquals(rejection.description() + "\n", Bytes.string(dst, head.length(), head.contentLength()));
        assertEquals(n, head.length() + head.contentLength());
    }

    @Test
    void aRejectionCanCarryTheDate() {
        byte[] date = "Thu, 26 Nov 2026 17:53:07 GMT".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        long n = writer.writeRejection(dst, 0, dst.byteSize(), Rejection.INVALID_HOST, date);
        assertEquals("HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\n"
                + "Date: Thu, 26 Nov 2026 17:53:07 GMT\r\nContent-Length: 13\r\nConnection: close\r\n\r\ninvalid Host\n",
                Bytes.string(dst, 0, n));
    }

    @Test
    void reportsACapacityTooSmallAsAValue() {
        assertEquals(-1, writer.start(dst, 0, 40, 404).finish(latin1("not here"), false));
        assertEquals(-1, writer.start(dst, 0, 5, 404).finish(new byte[0], false));
    }
}

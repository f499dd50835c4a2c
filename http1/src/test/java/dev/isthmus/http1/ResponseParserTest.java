package dev.isthmus.http1;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;

import static dev.isthmus.http1.Bytes.PAD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class ResponseParserTest {
    private final ResponseParser parser = new ResponseParser();

    private ParseStatus parse(HttpMethod method, String message) {
        MemorySegment s = Bytes.offHeap(message);
        parser.reset(method);
        return parser.parse(s, PAD, s.byteSize() - PAD);
    }

    private ResponseHead complete(HttpMethod method, String message) {
        assertEquals(ParseStatus.COMPLETE, parse(method, message), () -> "rejected: " + parser.rejection());
        return parser.head();
    }

    private ResponseHead complete(String message) {
        return complete(HttpMethod.GET, message);
    }

    private void rejects(Rejection expected, String message) {
        assertEquals(ParseStatus.REJECTED, parse(HttpMethod.GET, message));
        assertEquals(expected, parser.rejection());
    }

    @Test
    void parsesStatusLineAndFields() {
        String message = "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nServer: x\r\n\r\n";
        ResponseHead head = complete(message);
        assertEquals(404, head.statusCode());
        assertEquals(HttpVersion.HTTP_1_1, head.version());
        assertEquals("Not Found", Bytes.string(head.segment(), head.reasonOffset(), head.reasonLength()));
        assertEquals(2, head.headers().count());
        assertEquals(message.length(), head.length());
        assertEquals(Framing.CONTENT_LENGTH, head.framing());
        assertEquals(9, head.contentLength());
        assertTrue(head.keepAlive());
        assertFalse(head.informational());
    }

    @ParameterizedTest
    @ValueSource(ints = {100, 599})
    void acceptsTheEndsOfTheValidStatusRange(int status) {
        assertEquals(status, complete("HTTP/1.1 " + status + " X\r\nContent-Length: 0\r\n\r\n").statusCode());
    }

    @Test
    void acceptsAnEmptyReasonWithOrWithoutItsSpace() {
        assertEquals(0, complete("HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n").reasonLength());
        assertEquals(0, complete("HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n").reasonLength());
    }

    @ParameterizedTest
    @ValueSource(strings = {"HTTP/1.1 20 OK\r\n", "HTTP/1.1 2000 OK\r\n", "HTTP/1.1 abc OK\r\n", "HTTP/1.1  200 OK\r\n",
        "HTTP/1.1 099 Low\r\n", "HTTP/1.1 600 High\r\n", "HTTP/1.1 999 High\r\n", "HTTP/1.1\t200 OK\r\n",
        "HTTP/1.1 200 O\u0001K\r\n"})
    void rejectsMalformedStatusLines(String statusLine) {
        rejects(Rejection.INVALID_STATUS_LINE, statusLine + "\r\n");
    }

    @Test
    void rejectsUnsupportedAndMalformedVersions() {
        rejects(Rejection.UNSUPPORTED_VERSION, "HTTP/2.0 200 OK\r\n\r\n");
        rejects(Rejection.INVALID_VERSION, "HTTQ/1.1 200 OK\r\n\r\n");
    }

    @ParameterizedTest
    @CsvSource({
        "GET,HTTP/1.1 204 No Content,NONE",
        "GET,HTTP/1.1 304 Not Modified,NONE",
        "GET,HTTP/1.1 100 Continue,NONE",
        "GET,HTTP/1.1 103 Early Hints,NONE",
        "GET,HTTP/1.1 101 Switching Protocols,TUNNEL",
        "HEAD,HTTP/1.1 200 OK,NONE",
        "CONNECT,HTTP/1.1 200 Connection Established,TUNNEL",
        "CONNECT,HTTP/1.1 407 Proxy Authentication Required,CONTENT_LENGTH",
        "GET,HTTP/1.1 200 OK,CONTENT_LENGTH"})
    void decidesFramingFromTheRequestMethodAndStatus(HttpMethod method, String statusLine, Framing framing) {
        assertEquals(framing, complete(method, statusLine + "\r\nContent-Length: 10\r\n\r\n").framing());
    }

    @Test
    void bodiesWithoutLengthRunToClose() {
        ResponseHead head = complete("HTTP/1.1 200 OK\r\n\r\n");
        assertEquals(Framing.CLOSE_DELIMITED, head.framing());
        assertFalse(head.keepAlive());
        head = complete("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n");
        assertEquals(Framing.CLOSE_DELIMITED, head.framing());
    }

    @Test
    void chunkedResponsesMayCarryOtherCodingsBeforeChunked() {
        assertEquals(Framing.CHUNKED, complete("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n").framing());
        assertEquals(Framing.CHUNKED, complete("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n").framing());
    }

    @Test
    void rejectsAmbiguousResponseFraming() {
        rejects(Rejection.CONTENT_LENGTH_WITH_TRANSFER_ENCODING,
                "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n");
        rejects(Rejection.CONFLICTING_CONTENT_LENGTH, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n");
        rejects(Rejection.TRANSFER_ENCODING_IN_HTTP_1_0, "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
        rejects(Rejection.INVALID_TRANSFER_ENCODING, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n");
        rejects(Rejection.OBS_FOLD, "HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\n");
        rejects(Rejection.BARE_LF, "HTTP/1.1 200 OK\nX: a\r\n\r\n");
    }

    @Test
    void decidesKeepAlive() {
        assertFalse(complete("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").keepAlive());
        assertFalse(complete("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n").keepAlive());
        assertTrue(complete("HTTP/1.0 200 OK\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n").keepAlive());
        assertFalse(complete(HttpMethod.CONNECT, "HTTP/1.1 200 OK\r\n\r\n").keepAlive());
    }

    @Test
    void informationalResponsesAreFollowedByTheFinalOne() {
        String interim = "HTTP/1.1 100 Continue\r\n\r\n";
        String last = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
        MemorySegment s = Bytes.offHeap(interim + last);
        parser.reset(HttpMethod.POST);
        assertEquals(ParseStatus.COMPLETE, parser.parse(s, PAD, s.byteSize() - PAD));
        assertTrue(parser.head().informational());
        int used = parser.head().length();
        assertEquals(interim.length(), used);
        parser.reset(HttpMethod.POST);
        assertEquals(ParseStatus.COMPLETE, parser.parse(s, PAD + used, s.byteSize() - PAD - used));
        assertEquals(200, parser.head().statusCode());
        assertEquals(Framing.CONTENT_LENGTH, parser.head().framing());
    }

    @Test
    void rejectsOversizedResponseHeads() {
        ResponseParser small = new ResponseParser(new Http1Limits(32, 100, 16, 16, 64));
        MemorySegment s = Bytes.offHeap("HTTP/1.1 200 OK\r\nServer: a-long-server-name\r\n\r\n");
        assertEquals(ParseStatus.REJECTED, small.parse(s, PAD, s.byteSize() - PAD));
        assertEquals(Rejection.HEAD_TOO_LARGE, small.rejection());
    }
}

package dev.isthmus.http1;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static dev.isthmus.http1.Bytes.PAD;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Every message of a realistic corpus parses identically whole and delivered in two or three reads split anywhere. */
@Timeout(30)
class SplitCorpusTest {
    static final List<String> REQUESTS = List.of(
            "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n",
            Corpus.BROWSER_GET,
            Corpus.POST_HEAD,
            "POST /upload HTTP/1.1\r\nHost: up.example.com\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n",
            "\r\nGET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
            "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\nProxy-Connection: keep-alive\r\n\r\n",
            "GET / HTTP/1.0\r\nConnection: keep-alive\r\nX-Tabs:\ta\tb\t\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\nX-Bad: a\u0000b\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\nFolded: a\r\n b\r\n\r\n",
            "GET /\u0001 HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n");

    static final List<String> RESPONSES = List.of(
            "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 1234\r\nCache-Control: max-age=60\r\n"
                    + "Date: Thu, 26 Nov 2026 17:00:00 GMT\r\nServer: upstream/1.0\r\nVary: Accept-Encoding\r\n\r\n",
            "HTTP/1.1 204 No Content\r\n\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Checksum\r\n\r\n",
            "HTTP/1.0 302 Found\r\nLocation: /elsewhere\r\n\r\n",
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n");

    @Test
    void requestsParseIdenticallyAtEverySplit() {
        for (String message : REQUESTS) {
            MemorySegment s = Bytes.offHeap(message);
            long length = s.byteSize() - PAD;
            RequestParser parser = new RequestParser();
            String whole = describe(parser, parser.parse(s, PAD, length));
            for (int first = 0; first <= length; first++) {
                for (int second = first; second <= length; second += Math.max(1, (int) length / 7)) {
                    parser.reset();
                    ParseStatus status = parser.parse(s, PAD, first);
                    status = status == ParseStatus.NEED_MORE ? parser.parse(s, PAD, second) : status;
                    status = status == ParseStatus.NEED_MORE ? parser.parse(s, PAD, length) : status;
                    assertEquals(whole, describe(parser, status), message + " split at " + first + "," + second);
                }
            }
        }
    }

    @Test
    void requestsParseIdenticallyOneByteAtATime() {
        for (String message : REQUESTS) {
            MemorySegment s = Bytes.offHeap(message);
            long length = s.byteSize() - PAD;
            RequestParser parser = new RequestParser();
            String whole = describe(parser, parser.parse(s, PAD, length));
            parser.reset();
            ParseStatus status = ParseStatus.NEED_MORE;
            for (int n = 0; n <= length && status == ParseStatus.NEED_MORE; n++) {
                status = parser.parse(s, PAD, n);
            }
            assertEquals(whole, describe(parser, status), message);
        }
    }

    @Test
    void responsesParseIdenticallyAtEverySplit() {
        for (String message : RESPONSES) {
            MemorySegment s = Bytes.offHeap(message);
            long length = s.byteSize() - PAD;
            ResponseParser parser = new ResponseParser();
            String whole = describe(parser, parser.parse(s, PAD, length));
            for (int first = 0; first <= length; first++) {
                parser.reset(HttpMethod.GET);
                ParseStatus status = parser.parse(s, PAD, first);
                for (long n = first + 1; n <= length && status == ParseStatus.NEED_MORE; n++) {
                    status = parser.parse(s, PAD, n);
                }
                assertEquals(whole, describe(parser, status), message + " split at " + first);
            }
        }
    }

    static String describe(RequestParser parser, ParseStatus status) {
        if (status != ParseStatus.COMPLETE) {
            return status + " " + parser.rejection();
        }
        RequestHead h = parser.head();
        List<String> parts = new ArrayList<>(List.of(status.name(), h.method().name(), h.target(), h.version().name(),
                String.valueOf(h.length()), h.framing().name(), String.valueOf(h.contentLength()),
                String.valueOf(h.keepAlive()), String.valueOf(h.expectContinue()), String.valueOf(h.upgradeRequested())));
        fields(h.headers(), parts);
        return String.join("|", parts);
    }

    static String describe(ResponseParser parser, ParseStatus status) {
        if (status != ParseStatus.COMPLETE) {
            return status + " " + parser.rejection();
        }
        ResponseHead h = parser.head();
        List<String> parts = new ArrayList<>(List.of(status.name(), String.valueOf(h.statusCode()), h.version().name(),
                String.valueOf(h.length()), h.framing().name(), String.valueOf(h.contentLength()),
                String.valueOf(h.keepAlive()), String.valueOf(h.reasonLength())));
        fields(h.headers(), parts);
        return String.join("|", parts);
    }

    private static void fields(HeaderFields fields, List<String> parts) {
        for (int i = 0; i < fields.count(); i++) {
            parts.add(fields.name(i) + "=" + fields.value(i) + "@" + fields.nameOffset(i) + "-" + fields.lineEndOffset(i));
        }
    }
}

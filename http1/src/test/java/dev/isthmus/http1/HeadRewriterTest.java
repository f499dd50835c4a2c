package dev.isthmus.http1;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static dev.isthmus.http1.Bytes.PAD;
import static dev.isthmus.http1.Bytes.latin1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class HeadRewriterTest {
    private static final int SCRATCH = 512;

    private final RequestParser requests = new RequestParser();
    private final ResponseParser responses = new ResponseParser();
    private final RequestHeadRewriter requestRewriter = new RequestHeadRewriter();
    private final ResponseHeadRewriter responseRewriter = new ResponseHeadRewriter();
    private final GatherList out = new GatherList();
    private final MemorySegment scratch = Arena.ofAuto().allocate(SCRATCH + 16);

    private RequestHead request(String message) {
        MemorySegment s = Bytes.offHeap(message);
        requests.reset();
        assertEquals(ParseStatus.COMPLETE, requests.parse(s, PAD, s.byteSize() - PAD), () -> "" + requests.rejection());
        return requests.head();
    }

    private ResponseHead response(HttpMethod method, String message) {
        MemorySegment s = Bytes.offHeap(message);
        responses.reset(method);
        assertEquals(ParseStatus.COMPLETE, responses.parse(s, PAD, s.byteSize() - PAD), () -> "" + responses.rejection());
        return responses.head();
    }

    /** Concatenates the slices as writev would send them. */
    private String wire() {
        StringBuilder sb = new StringBuilder();
        long total = 0;
        for (int i = 0; i < out.count(); i++) {
            sb.append(Bytes.string(out.segment(i), out.offset(i), out.length(i)));
            total += out.length(i);
        }
        assertEquals(total, out.totalBytes());
        return sb.toString();
    }

    private String rewriteRequest(String message) {
        RequestHead head = request(message);
        assertTrue(requestRewriter.rewrite(head, scratch, 16, SCRATCH, out) >= 0);
        assertSame(head.segment(), out.original());
        assertSame(scratch, out.scratch());
        return wire();
    }

    @Test
    void forwardsAnOrdinaryRequestAsOneSliceOfTheOriginal() {
        String message = "GET /a HTTP/1.1\r\nHost: h\r\nAccept: */*\r\n\r\n";
        requestRewriter.clearOptions();
        assertEquals(message, rewriteRequest(message));
        assertEquals(1, out.count());
        assertFalse(out.inScratch(0));
        assertEquals(PAD, out.offset(0));
    }

    @Test
    void dropsHopByHopFieldsAndThoseNamedInConnection() {
        String message = "GET / HTTP/1.1\r\nHost: h\r\nConnection: keep-alive, X-Secret\r\nKeep-Alive: 5\r\n"
                + "Proxy-Connection: keep-alive\r\nTE: trailers\r\nTrailer: X-Sum\r\nUpgrade: h2c\r\nx-secret: s\r\n"
                + "Accept: */*\r\n\r\n";
        requestRewriter.clearOptions();
        assertEquals("GET / HTTP/1.1\r\nHost: h\r\nTrailer: X-Sum\r\nAccept: */*\r\n\r\n", rewriteRequest(message),
                "Trailer is end-to-end (RFC 9110 §6.6.2)");
        for (int i = 0; i < out.count(); i++) {
            assertFalse(out.inScratch(i), "nothing new to write");
        }
    }

    @Test
    void neverDropsFramingOrHostBecauseConnectionNamesThem() {
        String message = "POST / HTTP/1.1\r\nHost: h\r\nConnection: Content-Length, Host, Transfer-Encoding\r\n"
                + "Content-Length: 3\r\n\r\n";
        requestRewriter.clearOptions();
        assertEquals("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\n", rewriteRequest(message));
    }

    @Test
    void keepsChunkedTransferEncodingAsItIs() {
        String message = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";
        requestRewriter.clearOptions();
        assertEquals(message, rewriteRequest(message));
    }

    @Test
    void rewritesPrefixHostAndForwardingFields() {
        String message = "GET /api/users?id=1 HTTP/1.1\r\nHost: public.example\r\nX-Forwarded-For: 10.0.0.1\r\n"
                + "X-Forwarded-Proto: https\r\nAccept: */*\r\n\r\n";
        requestRewriter.clearOptions()
                .prefixRewrite(5, latin1("/v2/"))
                .hostRewrite(latin1("backend:9000"))
                .forwardedFor(latin1("192.0.2.7"))
                .forwardedProto(latin1("http"));
        assertEquals("GET /v2/users?id=1 HTTP/1.1\r\nHost: backend:9000\r\nX-Forwarded-For: 10.0.0.1, 192.0.2.7\r\n"
                + "Accept: */*\r\nX-Forwarded-Proto: http\r\n\r\n", rewriteRequest(message));
    }

    @Test
    void addsForwardingFieldsAndHostWhenAbsent() {
        requestRewriter.clearOptions().hostRewrite(latin1("b")).forwardedFor(latin1("::1")).forwardedProto(latin1("http"));
        assertEquals("GET / HTTP/1.1\r\nHost: b\r\nX-Forwarded-For: ::1\r\nX-Forwarded-Proto: http\r\n\r\n",
                rewriteRequest("GET / HTTP/1.0\r\n\r\n"));
    }

    @Test
    void appendsToTheLastForwardedForLine() {
        requestRewriter.clearOptions().forwardedFor(latin1("3.3.3.3"));
        assertEquals("GET / HTTP/1.1\r\nHost: h\r\nX-Forwarded-For: 1.1.1.1\r\nx-forwarded-for: 2.2.2.2, 3.3.3.3\r\n\r\n",
                rewriteRequest("GET / HTTP/1.1\r\nHost: h\r\nX-Forwarded-For: 1.1.1.1\r\nx-forwarded-for: 2.2.2.2  \r\n\r\n"));
        assertEquals("GET / HTTP/1.1\r\nHost: h\r\nX-Forwarded-For:3.3.3.3\r\n\r\n",
                rewriteRequest("GET / HTTP/1.1\r\nHost: h\r\nX-Forwarded-For:\r\n\r\n"));
    }

    @Test
    void readsTheHopLimitOfTraceAndOptionsOnly() {
        assertEquals(0, MaxForwards.of(request("TRACE / HTTP/1.1\r\nHost: h\r\nMax-Forwards: 0\r\n\r\n")));
        assertEquals(12, MaxForwards.of(request("OPTIONS * HTTP/1.1\r\nHost: h\r\nmax-forwards: 0012\r\n\r\n")));
        assertEquals(999_999_999L, MaxForwards.of(
                request("OPTIONS / HTTP/1.1\r\nHost: h\r\nMax-Forwards: 123456789012345678901234\r\n\r\n")));
        assertEquals(MaxForwards.NONE, MaxForwards.of(request("GET / HTTP/1.1\r\nHost: h\r\nMax-Forwards: 0\r\n\r\n")));
        assertEquals(MaxForwards.NONE, MaxForwards.of(request("TRACE / HTTP/1.1\r\nHost: h\r\n\r\n")));
        assertEquals(MaxForwards.NONE,
                MaxForwards.of(request("TRACE / HTTP/1.1\r\nHost: h\r\nMax-Forwards: -1\r\n\r\n")));
        assertEquals(MaxForwards.NONE, MaxForwards.of(request("TRACE / HTTP/1.1\r\nHost: h\r\nMax-Forwards:\r\n\r\n")));
        assertEquals(MaxForwards.NONE, MaxForwards.of(
                request("TRACE / HTTP/1.1\r\nHost: h\r\nMax-Forwards: 1\r\nMax-Forwards: 0\r\n\r\n")));
    }

    @Test
    void decrementsMaxForwardsInPlace() {
        requestRewriter.clearOptions().maxForwards(9);
        assertEquals("OPTIONS / HTTP/1.1\r\nHost: h\r\nMax-Forwards: 9\r\nAccept: */*\r\n\r\n",
                rewriteRequest("OPTIONS / HTTP/1.1\r\nHost: h\r\nmax-forwards:10\r\nAccept: */*\r\n\r\n"));
        requestRewriter.clearOptions();
        assertEquals("OPTIONS / HTTP/1.1\r\nHost: h\r\nMax-Forwards: 10\r\n\r\n",
                rewriteRequest("OPTIONS / HTTP/1.1\r\nHost: h\r\nMax-Forwards: 10\r\n\r\n"));
    }

    @Test
    void connectionNamingXForwardedForDropsTheClientsValueButNotTheProxys() {
        requestRewriter.clearOptions().forwardedFor(latin1("3.3.3.3"));
        assertEquals("GET / HTTP/1.1\r\nHost: h\r\nX-Forwarded-For: 3.3.3.3\r\n\r\n",
                rewriteRequest("GET / HTTP/1.1\r\nHost: h\r\nConnection: X-Forwarded-For\r\n"
                        + "X-Forwarded-For: 1.2.3.4\r\n\r\n"));
    }

    @Test
    void forwardsAnAcceptedButUnusualContentLengthAsOnePlainField() {
        requestRewriter.clearOptions();
        assertEquals("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nX: 1\r\n\r\n",
                rewriteRequest("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nX: 1\r\n"
                        + "Content-Length: 5\r\n\r\n"));
        assertEquals("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\n",
                rewriteRequest("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0005\r\n\r\n"));
        String plain = "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n";
        assertEquals(plain, rewriteRequest(plain));
        assertEquals(1, out.count(), "a plain length is forwarded as it came");
    }

    @Test
    void aChunkedRequestGoesOnWithOnePlainTransferEncoding() {
        requestRewriter.clearOptions();
        String canonical = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nX: 1\r\n\r\n";
        for (String coding : new String[] {"Transfer-Encoding: chunked,\r\n", "Transfer-Encoding: ,chunked\r\n",
            "Transfer-Encoding: Chunked\r\n", "Transfer-Encoding: chunked\r\nTransfer-Encoding: \r\n",
            "Transfer-Encoding: \r\nTransfer-Encoding: chunked\r\n"}) {
            assertEquals(canonical, rewriteRequest("POST / HTTP/1.1\r\nHost: h\r\n" + coding + "X: 1\r\n\r\n"),
                    coding);
        }
        assertEquals(canonical, rewriteRequest(canonical));
        assertEquals(1, out.count(), "a plain coding is forwarded as it came");
    }

    private String rewriteResponse(String message) {
        ResponseHead head = response(HttpMethod.GET, message);
        assertTrue(responseRewriter.announceKeepAlive(false).dropTransferEncoding(false).date(null).via(null)
                .rewrite(head, false, scratch, 0, SCRATCH, out) >= 0);
        return wire();
    }

    @Test
    void aResponseGoesOnWithTheProxysVersionAndPlainFramingFields() {
        assertEquals("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n",
                rewriteResponse("HTTP/1.2 200 OK\r\nContent-Length: 2\r\n\r\n"));
        assertEquals("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX: 1\r\n\r\n",
                rewriteResponse("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX: 1\r\nContent-Length: 002\r\n\r\n"));
        assertEquals("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
                rewriteResponse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked,\r\nTransfer-Encoding: \r\n\r\n"));
        String otherCoding = "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n";
        assertEquals(otherCoding, rewriteResponse(otherCoding), "a coding the proxy does not undo stays as it came");
        String plain = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n";
        assertEquals(plain, rewriteResponse(plain));
        assertEquals(1, out.count(), "plain framing is forwarded as it came");
    }

    @Test
    void anHttp10RequestLosesItsExpectation() {
        requestRewriter.clearOptions();
        assertEquals("POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\n",
                rewriteRequest("POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n"));
        String http11 = "POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n";
        assertEquals(http11, rewriteRequest(http11));
    }

    @Test
    void strippingAWholePathLeavesTheRoot() {
        requestRewriter.clearOptions().prefixRewrite(4, new byte[0]);
        assertEquals("GET / HTTP/1.1\r\nHost: h\r\n\r\n", rewriteRequest("GET /api HTTP/1.1\r\nHost: h\r\n\r\n"));
        requestRewriter.clearOptions().prefixRewrite(5, new byte[0]);
        RequestHead head = request("GET /api HTTP/1.1\r\nHost: h\r\n\r\n");
        assertThrows(IllegalArgumentException.class, () -> requestRewriter.rewrite(head, scratch, 0, SCRATCH, out));
    }

    @Test
    void keepsUpgradeForAnUpgradeRequestUnlessDisallowed() {
        String message = "GET /ws HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n";
        requestRewriter.clearOptions();
        assertEquals("GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n", rewriteRequest(message));
        requestRewriter.allowUpgrade(false);
        assertEquals("GET /ws HTTP/1.1\r\nHost: h\r\n\r\n", rewriteRequest(message));
    }

    @Test
    void theRewrittenHeadParsesBackToTheSameRequest() {
        requestRewriter.clearOptions().prefixRewrite(1, latin1("/x/")).forwardedFor(latin1("1.2.3.4"));
        String wire = rewriteRequest(Corpus.BROWSER_GET);
        RequestParser again = new RequestParser();
        MemorySegment s = Bytes.offHeap(wire);
        assertEquals(ParseStatus.COMPLETE, again.parse(s, PAD, s.byteSize() - PAD));
        assertEquals("/x/assets/js/app.3f9a1c.js?v=20261126", again.head().target());
        assertEquals(-1, again.head().headers().indexOf(KnownHeader.CONNECTION));
        assertEquals(request(Corpus.BROWSER_GET).headers().count(), again.head().headers().count());
    }

    @Test
    void reportsAScratchTooSmallAsAValue() {
        RequestHead head = request("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
        requestRewriter.clearOptions().hostRewrite(latin1("a-rather-long-host-name.example"));
        assertEquals(-1, requestRewriter.rewrite(head, scratch, 0, 10, out));
        assertEquals(-1, requestRewriter.rewrite(head, scratch, 0, 38, out));
        assertEquals(39, requestRewriter.rewrite(head, scratch, 0, 39, out));
    }

    @Test
    void dropsHopByHopFieldsFromResponsesAndCanClose() {
        ResponseHead head = response(HttpMethod.GET, "HTTP/1.1 200 OK\r\nConnection: keep-alive, X-Internal\r\n"
                + "Keep-Alive: timeout=5\r\nX-Internal: 1\r\nContent-Length: 2\r\nTransfer-Encoding-Not: x\r\n\r\n");
        assertTrue(responseRewriter.rewrite(head, false, scratch, 0, SCRATCH, out) >= 0);
        assertEquals("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding-Not: x\r\n\r\n", wire());
        assertTrue(responseRewriter.rewrite(head, true, scratch, 0, SCRATCH, out) >= 0);
        assertEquals("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding-Not: x\r\nConnection: close\r\n\r\n", wire());
    }

    @Test
    void forwardsEveryRequestWithTheProxysOwnHttp11() {
        requestRewriter.clearOptions();
        assertEquals("GET /a HTTP/1.1\r\nX: 1\r\n\r\n",
                rewriteRequest("GET /a HTTP/1.0\r\nConnection: keep-alive\r\nX: 1\r\n\r\n"));
        assertEquals("GET /a HTTP/1.1\r\nHost: h\r\n\r\n", rewriteRequest("GET /a HTTP/1.2\r\nHost: h\r\n\r\n"));
        requestRewriter.clearOptions().prefixRewrite(3, latin1("/b/"));
        assertEquals("GET /b/c HTTP/1.1\r\n\r\n", rewriteRequest("GET /a/c HTTP/1.0\r\n\r\n"));
        requestRewriter.clearOptions();
        assertEquals("GET /a HTTP/1.1\r\nHost: h\r\n\r\n", rewriteRequest("GET /a HTTP/1.1\r\nHost: h\r\n\r\n"));
        assertEquals(1, out.count(), "an HTTP/1.1 request-line is forwarded as it came");
    }

    @Test
    void upgradeIsDroppedFromAnHttp10Request() {
        requestRewriter.clearOptions();
        assertEquals("GET / HTTP/1.1\r\n\r\n",
                rewriteRequest("GET / HTTP/1.0\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n"));
    }

    @Test
    void announcesKeepAliveForHttp10ClientsUnlessClosing() {
        ResponseHead head = response(HttpMethod.GET, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n");
        responseRewriter.announceKeepAlive(true);
        assertTrue(responseRewriter.rewrite(head, false, scratch, 0, SCRATCH, out) >= 0);
        assertEquals("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\n", wire());
        assertTrue(responseRewriter.rewrite(head, true, scratch, 0, SCRATCH, out) >= 0);
        assertEquals("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n", wire());
        responseRewriter.announceKeepAlive(false);
        assertTrue(responseRewriter.rewrite(head, false, scratch, 0, SCRATCH, out) >= 0);
        assertEquals("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n", wire());
    }

    @Test
    void sendsItsOwnVersionForAnHttp10Response() {
        ResponseHead head = response(HttpMethod.GET, "HTTP/1.0 404 Not Found\r\nContent-Length: 2\r\n\r\n");
        assertTrue(responseRewriter.rewrite(head, false, scratch, 0, SCRATCH, out) >= 0);
        assertEquals("HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\n", wire());
        ResponseHead bare = response(HttpMethod.GET, "HTTP/1.0 200 OK\r\n\r\n");
        assertTrue(responseRewriter.rewrite(bare, true, scratch, 0, SCRATCH, out) >= 0);
        assertEquals("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n", wire());
    }

    @Test
    void restoresTheSpaceAStatusLineWithoutAReasonCameWithout() {
        ResponseHead head = response(HttpMethod.GET, "HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n");
        assertTrue(responseRewriter.rewrite(head, false, scratch, 0, SCRATCH, out) >= 0);
        assertEquals("HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n", wire());
        ResponseHead old = response(HttpMethod.GET, "HTTP/1.0 404\r\n\r\n");
        assertTrue(responseRewriter.rewrite(old, true, scratch, 0, SCRATCH, out) >= 0);
        assertEquals("HTTP/1.1 404 \r\nConnection: close\r\n\r\n", wire());
        ResponseHead empty = response(HttpMethod.GET, "HTTP/1.1 204 \r\n\r\n");
        assertTrue(responseRewriter.rewrite(empty, false, scratch, 0, SCRATCH, out) >= 0);
        assertEquals("HTTP/1.1 204 \r\n\r\n", wire());
        assertEquals(1, out.count());
    }

    @Test
    void dropsTransferEncodingOnlyWhenTold() {
        ResponseHead head = response(HttpMethod.GET, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX: 1\r\n\r\n");
        responseRewriter.dropTransferEncoding(true);
        assertTrue(responseRewriter.rewrite(head, true, scratch, 0, SCRATCH, out) >= 0);
        assertEquals("HTTP/1.1 200 OK\r\nX: 1\r\nConnection: close\r\n\r\n", wire());
        responseRewriter.dropTransferEncoding(false);
        assertTrue(responseRewriter.rewrite(head, false, scratch, 0, SCRATCH, out) >= 0);
        assertEquals("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX: 1\r\n\r\n", wire());
    }

    @Test
    void appendsViaWithTheVersionAsReceived() {
        requestRewriter.clearOptions().via(latin1("isthmus"));
        assertTrue(requestRewriter.rewrite(request("GET / HTTP/1.1\r\nVia: 1.1 cdn\r\nHost: h\r\n\r\n"), scratch, 0,
                SCRATCH, out) >= 0);
        assertEquals("GET / HTTP/1.1\r\nVia: 1.1 cdn\r\nHost: h\r\nVia: 1.1 isthmus\r\n\r\n", wire());
        assertTrue(requestRewriter.rewrite(request("GET / HTTP/1.0\r\n\r\n"), scratch, 0, SCRATCH, out) >= 0);
        assertEquals("GET / HTTP/1.1\r\nVia: 1.0 isthmus\r\n\r\n", wire());
        responseRewriter.via(latin1("isthmus"));
        ResponseHead head = response(HttpMethod.GET, "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n");
        assertTrue(responseRewriter.rewrite(head, false, scratch, 0, SCRATCH, out) >= 0);
        assertEquals("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nVia: 1.0 isthmus\r\n\r\n", wire());
    }

    @Test
    void dropsFramingFieldsFromResponsesThatHaveNoBody() {
        ResponseHead noContent = response(HttpMethod.GET,
                "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\nX: 1\r\n\r\n");
        assertTrue(responseRewriter.rewrite(noContent, false, scratch, 0, SCRATCH, out) >= 0);
        assertEquals("HTTP/1.1 204 No Content\r\nX: 1\r\n\r\n", wire());
        ResponseHead notModified = response(HttpMethod.GET, "HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n");
        assertTrue(responseRewriter.rewrite(notModified, false, scratch, 0, SCRATCH, out) >= 0);
        assertEquals("HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n", wire(),
                "a 304's Content-Length describes the selected representation and stays");
    }

    @Test
    void addsADateOnlyWhenGivenOne() {
        ResponseHead head = response(HttpMethod.GET, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        responseRewriter.date(latin1("Thu, 26 Nov 2026 20:00:00 GMT"));
        assertTrue(responseRewriter.rewrite(head, false, scratch, 0, SCRATCH, out) >= 0);
        assertEquals("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nDate: Thu, 26 Nov 2026 20:00:00 GMT\r\n\r\n", wire());
        responseRewriter.date(null);
        assertTrue(responseRewriter.rewrite(head, false, scratch, 0, SCRATCH, out) >= 0);
        assertEquals("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", wire());
    }

    @Test
    void keepsUpgradeOnSwitchingProtocols() {
        ResponseHead head = response(HttpMethod.GET,
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: x\r\n\r\n");
        assertTrue(responseRewriter.rewrite(head, false, scratch, 0, SCRATCH, out) >= 0);
        assertEquals("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: x\r\n"
                + "Connection: upgrade\r\n\r\n", wire());
    }

    @Test
    void rewritesAResponseWithoutFields() {
        ResponseHead head = response(HttpMethod.GET, "HTTP/1.1 204 No Content\r\n\r\n");
        assertEquals(0, responseRewriter.rewrite(head, false, scratch, 0, SCRATCH, out));
        assertEquals("HTTP/1.1 204 No Content\r\n\r\n", wire());
        assertEquals(1, out.count());
    }

    @Test
    void growsTheGatherListForHeadsWithManySlices() {
        StringBuilder message = new StringBuilder("GET / HTTP/1.1\r\nHost: h\r\n");
        StringBuilder expected = new StringBuilder("GET / HTTP/1.1\r\nHost: h\r\n");
        for (int i = 0; i < 45; i++) {
            message.append("A").append(i).append(": v\r\nKeep-Alive: 1\r\n");
            expected.append("A").append(i).append(": v\r\n");
        }
        requestRewriter.clearOptions();
        assertEquals(expected.append("\r\n").toString(), rewriteRequest(message.append("\r\n").toString()));
        assertEquals(46, out.count());
    }
}

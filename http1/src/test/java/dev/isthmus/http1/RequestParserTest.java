package dev.isthmus.http1;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;

import static dev.isthmus.http1.Bytes.PAD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class RequestParserTest {
    private static final String HOST = "Host: example.com\r\n";

    private final RequestParser parser = new RequestParser();

    private ParseStatus parse(String message) {
        MemorySegment s = Bytes.offHeap(message);
        parser.reset();
        return parser.parse(s, PAD, s.byteSize() - PAD);
    }

    private RequestHead complete(String message) {
        assertEquals(ParseStatus.COMPLETE, parse(message), () -> "rejected: " + parser.rejection());
        return parser.head();
    }

    private void rejects(Rejection expected, int status, String message) {
        assertEquals(ParseStatus.REJECTED, parse(message));
        assertEquals(expected, parser.rejection());
        assertEquals(status, parser.rejection().status());
    }

    @Test
    void parsesGetIntoOffsetsOfTheCallersSegment() {
        String message = "GET /index.html?q=1 HTTP/1.1\r\nHost: example.com\r\nAccept:  */* \t\r\nX-Empty:\r\n\r\n";
        RequestHead head = complete(message);
        assertEquals(HttpMethod.GET, head.method());
        assertEquals("/index.html?q=1", head.target());
        assertEquals(PAD + 4, head.targetOffset());
        assertEquals(HttpVersion.HTTP_1_1, head.version());
        assertEquals(message.length(), head.length());
        HeaderFields h = head.headers();
        assertEquals(3, h.count());
        assertEquals("Host", h.name(0));
        assertEquals("example.com", h.value(0));
        assertEquals("*/*", h.value(1));
        assertEquals("", h.value(2));
        assertEquals(PAD + message.indexOf("X-Empty"), h.nameOffset(2));
        assertEquals(PAD + message.length() - 2, h.lineEndOffset(2));
        assertEquals(Framing.NONE, head.framing());
        assertEquals(-1, head.contentLength());
        assertTrue(head.keepAlive());
    }

    @Test
    void theMethodOfAWholeRequestLineOutlivesARejectionOfALaterLine() {
        rejects(Rejection.MISSING_HOST, 400, "HEAD / HTTP/1.1\r\n\r\n");
        assertEquals(HttpMethod.HEAD, parser.method());
        rejects(Rejection.INVALID_TARGET, 400, "HEAD * HTTP/1.1\r\n" + HOST + "\r\n");
        assertEquals(HttpMethod.HEAD, parser.method());
        rejects(Rejection.INVALID_REQUEST_LINE, 400, "HEAD  / HTTP/1.1\r\n" + HOST + "\r\n");
        assertNull(parser.method());
        assertEquals(ParseStatus.NEED_MORE, parse("HEAD / HTTP/1.1\r"));
        assertNull(parser.method());
    }

    @Test
    void bytesAfterTheHeadAreNotConsumed() {
        RequestHead head = complete("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello");
        assertEquals("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n".length(), head.length());
        assertEquals(Framing.CONTENT_LENGTH, head.framing());
        assertEquals(5, head.contentLength());
    }

    @Test
    void needsMoreUntilTheEmptyLineThenResumes() {
        String message = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
        MemorySegment s = Bytes.offHeap(message);
        assertEquals(ParseStatus.NEED_MORE, parser.parse(s, PAD, message.length() - 1));
        assertEquals(ParseStatus.COMPLETE, parser.parse(s, PAD, message.length()));
        assertEquals(ParseStatus.COMPLETE, parser.parse(s, PAD, message.length()));
        assertThrows(IllegalArgumentException.class, () -> {
            parser.reset();
            parser.parse(s, PAD, 10);
            parser.parse(s, PAD, 3);
        });
    }

    @Test
    void resetParsesTheNextRequestOfAKeepAliveConnection() {
        complete("POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n\r\n");
        RequestHead head = complete("GET /b HTTP/1.0\r\n\r\n");
        assertEquals("/b", head.target());
        assertEquals(0, head.headers().count());
        assertEquals(-1, head.headers().indexOf(KnownHeader.CONTENT_LENGTH));
        assertEquals(Framing.NONE, head.framing());
    }

    @Test
    void ignoresEmptyLinesBeforeTheRequestLine() {
        RequestHead head = complete("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n");
        assertEquals(PAD + 4, head.requestLineOffset());
        assertEquals(HttpMethod.GET, head.method());
        rejects(Rejection.BARE_LF, 400, "\nGET / HTTP/1.1\r\nHost: a\r\n\r\n");
    }

    @ParameterizedTest
    @EnumSource(value = HttpMethod.class, names = "EXTENSION", mode = EnumSource.Mode.EXCLUDE)
    void recognisesRegisteredMethods(HttpMethod method) {
        String target = method == HttpMethod.CONNECT ? "example.com:443" : "/";
        assertEquals(method, complete(method.name() + " " + target + " HTTP/1.1\r\n" + HOST + "\r\n").method());
    }

    @Test
    void acceptsExtensionMethodsAndKeepsTheirBytes() {
        RequestHead head = complete("PURGE-ALL /x HTTP/1.1\r\n" + HOST + "\r\n");
        assertEquals(HttpMethod.EXTENSION, head.method());
        assertEquals(9, head.methodLength());
        assertEquals(PAD, head.methodOffset());
        assertEquals(HttpMethod.EXTENSION, complete("get / HTTP/1.1\r\n" + HOST + "\r\n").method());
    }

    @ParameterizedTest
    @ValueSource(strings = {"GE(T / HTTP/1.1\r\n", " / HTTP/1.1\r\n", "G\u00c9T / HTTP/1.1\r\n", "GET\t/ HTTP/1.1\r\n"})
    void rejectsInvalidMethodCharacters(String requestLine) {
        rejects(Rejection.INVALID_METHOD, 400, requestLine + HOST + "\r\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/a\u0001b", "/caf\u00e9", "/a\u007fb", "/a\tb"})
    void rejectsInvalidTargetCharacters(String target) {
        rejects(Rejection.INVALID_TARGET, 400, "GET " + target + " HTTP/1.1\r\n" + HOST + "\r\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/a%20b?x=[1]&y={2}|~", "http://example.com/x", "https://a.b:8443", "HTTP://A.B?q=1",
            "http://[::1]:80/x", "http://a.b:/", "http://%E2%82%AC.b/"})
    void acceptsVisibleTargets(String target) {
        assertEquals(target, complete("GET " + target + " HTTP/1.1\r\n" + HOST + "\r\n").target());
    }

    @ParameterizedTest
    @CsvSource({"GET,*", "GET,example.com", "CONNECT,/path", "CONNECT,example.com", "GET,1http://x", "POST,?a",
            "GET,/a#frag", "GET,/#", "GET,http://a/b#c", "GET,a:80", "GET,foo://a/x", "GET,http:xxgood.com/x",
            "GET,http://x.good.com:80@evil.com/", "GET,http://u:p@a/x", "GET,http://evil.com\\.good.com/",
            "GET,http://x.good.com:abc/", "GET,http://a%00b/", "GET,http://a%0/", "GET,http:///x", "GET,http://",
            "GET,http://[::1/x", "GET,http://a:1:2/", "GET,http://:80/", "GET,http://evil.com;x.good.com/"})
    void rejectsTargetsOfTheWrongForm(String method, String target) {
        rejects(Rejection.INVALID_TARGET, 400, method + " " + target + " HTTP/1.1\r\n" + HOST + "\r\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Transfer_Encoding: chunked", "content_length: 5", "CONTENT_LENGTH: 5",
        "Transfer_encoding: identity"})
    void rejectsFramingFieldNamesSpelledWithAnUnderscore(String field) {
        rejects(Rejection.FRAMING_FIELD_ALIAS, 400, "POST / HTTP/1.1\r\n" + HOST + field + "\r\n\r\n");
    }

    @Test
    void otherUnderscoreNamesAreFine() {
        RequestHead head = complete("GET / HTTP/1.1\r\n" + HOST + "X_Trace_Id: 1\r\nContent_Lengths: 2\r\n\r\n");
        assertEquals(3, head.headers().count());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/%zz", "/a%2", "/a%", "/a%g0/b", "/admin%00.png", "/x%00", "http://a.b/%zz",
        "http://a.b/c%0",
        "/public\\..\\admin", "/\\admin", "/a\"b", "/a<b>", "/a{b}", "/a`b", "http://a.b/{x}"})
    void rejectsAPathWithABrokenEscapeAnEncodedNulOrAByteAPathMayNotHold(String target) {
        rejects(Rejection.INVALID_TARGET, 400, "GET " + target + " HTTP/1.1\r\n" + HOST + "\r\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/a%2Fb%2e%41", "/x?q=%zz", "/x?%00", "/x?a=%", "http://a.b?%zz", "/x?path=a\\b",
        "/a|b^c", "/x?q={\"a\":[1]}&b=<c>`"})
    void leavesTheQueryAndValidEscapesAlone(String target) {
        assertEquals(target, complete("GET " + target + " HTTP/1.1\r\n" + HOST + "\r\n").target());
    }

    @Test
    void acceptsAsteriskForOptionsAndAuthorityForConnect() {
        assertEquals("*", complete("OPTIONS * HTTP/1.1\r\n" + HOST + "\r\n").target());
        assertEquals("example.com:443", complete("CONNECT example.com:443 HTTP/1.1\r\n" + HOST + "\r\n").target());
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET  / HTTP/1.1\r\n", "GET /  HTTP/1.1\r\n", "GET /\r\n", "GET / HTTP/1.1 \r\n"})
    void rejectsMalformedRequestLines(String requestLine) {
        rejects(Rejection.INVALID_REQUEST_LINE, 400, requestLine + HOST + "\r\n");
    }

    @Test
    void rejectsTargetsLongerThanTheLimitWith414() {
        RequestParser small = new RequestParser(new Http1Limits(1024, 10, 16, 16, 64));
        String ok = "/" + "a".repeat(15);
        MemorySegment s = Bytes.offHeap("GET " + ok + " HTTP/1.1\r\n" + HOST + "\r\n");
        assertEquals(ParseStatus.COMPLETE, small.parse(s, PAD, s.byteSize() - PAD));
        small.reset();
        MemorySegment tooLong = Bytes.offHeap("GET " + ok + "a HTTP/1.1\r\n" + HOST + "\r\n");
        assertEquals(ParseStatus.REJECTED, small.parse(tooLong, PAD, tooLong.byteSize() - PAD));
        assertEquals(Rejection.TARGET_TOO_LONG, small.rejection());
        assertEquals(414, small.rejection().status());
        small.reset();
        // Detected as the bytes arrive, before the target ends.
        assertEquals(ParseStatus.REJECTED, small.parse(tooLong, PAD, 4 + 17));
        assertEquals(Rejection.TARGET_TOO_LONG, small.rejection());
    }

    @ParameterizedTest
    @ValueSource(strings = {"HTTP/2.0", "HTTP/0.9", "HTTP/3.0"})
    void rejectsUnsupportedVersionsWith505(String version) {
        rejects(Rejection.UNSUPPORTED_VERSION, 505, "GET / " + version + "\r\n" + HOST + "\r\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"HTTP/1.2", "HTTP/1.9"})
    void readsALaterMinorVersionAsHttp11(String version) {
        RequestHead head = complete("GET / " + version + "\r\n" + HOST + "\r\n");
        assertEquals(HttpVersion.HTTP_1_1, head.version(), "RFC 9110 §2.5");
    }

    @Test
    void findsAProtocolInTheUpgradeList() {
        byte[] websocket = FieldFacts.ascii("websocket");
        assertTrue(complete("GET / HTTP/1.1\r\n" + HOST + "Upgrade: WebSocket\r\n\r\n").upgradeOffers(websocket));
        assertTrue(complete("GET / HTTP/1.1\r\n" + HOST + "Upgrade: h2c, websocket/13\r\n\r\n")
                .upgradeOffers(websocket));
        assertFalse(complete("GET / HTTP/1.1\r\n" + HOST + "Upgrade: h2c\r\n\r\n").upgradeOffers(websocket));
        assertFalse(complete("GET / HTTP/1.1\r\n" + HOST + "Upgrade: websockets\r\n\r\n").upgradeOffers(websocket));
        assertFalse(complete("GET / HTTP/1.1\r\n" + HOST + "\r\n").upgradeOffers(websocket));
    }

    @Test
    void ignoresUpgradeAndExpectationsInHttp10() {
        RequestHead head = complete("POST / HTTP/1.0\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                + "Expect: 100-continue\r\nContent-Length: 1\r\n\r\n");
        assertFalse(head.upgradeRequested(), "RFC 9110 §7.8");
        assertFalse(head.expectContinue(), "RFC 9110 §10.1.1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"http/1.1", "HTTX/1.1", "HTTP/1,1", "HTTP/a.1", "HTTP-1.1"})
    void rejectsMalformedVersions(String version) {
        rejects(Rejection.INVALID_VERSION, 400, "GET / " + version + "\r\n" + HOST + "\r\n");
    }

    @Test
    void acceptsHttp10WithoutHost() {
        RequestHead head = complete("GET / HTTP/1.0\r\n\r\n");
        assertEquals(HttpVersion.HTTP_1_0, head.version());
        assertFalse(head.keepAlive());
    }

    @ParameterizedTest
    @ValueSource(strings = {"Ba(d: x\r\n", ": x\r\n", "NoColon\r\n", "Na\u00efve: x\r\n", "X\u0000: x\r\n", "a/b: x\r\n"})
    void rejectsInvalidHeaderNames(String line) {
        rejects(Rejection.INVALID_HEADER_NAME, 400, "GET / HTTP/1.1\r\n" + HOST + line + "\r\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Host : x\r\n", "X-A\t: x\r\n", "Content-Length : 5\r\n"})
    void rejectsWhitespaceBeforeTheColon(String line) {
        rejects(Rejection.WHITESPACE_BEFORE_COLON, 400, "GET / HTTP/1.1\r\nHost: a\r\n" + line + "\r\n");
    }

    @Test
    void acceptsEveryTokenCharacterInNames() {
        RequestHead head = complete("GET / HTTP/1.1\r\n" + HOST + "!#$%&'*+-.^_`|~09azAZ: v\r\n\r\n");
        assertEquals("!#$%&'*+-.^_`|~09azAZ", head.headers().name(1));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "GET / HTTP/1.1\r" + "\nHost: a\rb\r\n\r\n",
        "GET / HTTP/1.1\rHost: a\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\n\rX",
        "GET / HTTP/1.1\r\nHost: a\r\nX: y\r\r\n\r\n"})
    void rejectsBareCr(String message) {
        rejects(Rejection.BARE_CR, 400, message);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "GET / HTTP/1.1\nHost: a\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\n\n",
        "GET / HTTP/1.1\r\nHost: a\r\nX: b\nc\r\n\r\n"})
    void rejectsBareLf(String message) {
        rejects(Rejection.BARE_LF, 400, message);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "GET / HTTP/1.1\r\nHost: a\r\nX-Long: one\r\n two\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nX-Long: one\r\n\ttwo\r\n\r\n",
        "GET / HTTP/1.1\r\n Host: a\r\n\r\n"})
    void rejectsObsFold(String message) {
        rejects(Rejection.OBS_FOLD, 400, message);
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\u0000b", "\u0001", "a\u007f", "a\u001bb", "a\u000bb", "x\u000c"})
    void rejectsControlCharactersInValues(String value) {
        rejects(Rejection.INVALID_HEADER_VALUE, 400, "GET / HTTP/1.1\r\n" + HOST + "X-V: " + value + "\r\n\r\n");
    }

    @Test
    void acceptsTabsAndObsTextInValues() {
        RequestHead head = complete("GET / HTTP/1.1\r\n" + HOST + "X-V: a\tb caf\u00e9 \u00ff\r\n\r\n");
        assertEquals("a\tb caf\u00e9 \u00ff", head.headers().value(1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "+5", "-1", "5 5", "0x10", "5, 5", "5;", "1.0", ""})
    void rejectsContentLengthThatIsNotPlainDigits(String value) {
        rejects(Rejection.INVALID_CONTENT_LENGTH, 400, "POST / HTTP/1.1\r\n" + HOST + "Content-Length: " + value + "\r\n\r\n");
    }

    @Test
    void rejectsContentLengthOverflow() {
        rejects(Rejection.CONTENT_LENGTH_OVERFLOW, 400, "POST / HTTP/1.1\r\n" + HOST + "Content-Length: 9223372036854775808\r\n\r\n");
        rejects(Rejection.CONTENT_LENGTH_OVERFLOW, 400, "POST / HTTP/1.1\r\n" + HOST + "Content-Length: 99999999999999999999999\r\n\r\n");
        assertEquals(Long.MAX_VALUE, complete("POST / HTTP/1.1\r\n" + HOST + "Content-Length: 9223372036854775807\r\n\r\n").contentLength());
        assertEquals(7, complete("POST / HTTP/1.1\r\n" + HOST + "Content-Length: 0007\r\n\r\n").contentLength());
    }

    @Test
    void mergesIdenticalContentLengthsAndRejectsDifferentOnes() {
        assertEquals(5, complete("POST / HTTP/1.1\r\n" + HOST + "Content-Length: 5\r\ncontent-length: 5\r\n\r\n").contentLength());
        rejects(Rejection.CONFLICTING_CONTENT_LENGTH, 400, "POST / HTTP/1.1\r\n" + HOST + "Content-Length: 5\r\nContent-Length: 6\r\n\r\n");
    }

    @Test
    void rejectsContentLengthWithTransferEncoding() {
        rejects(Rejection.CONTENT_LENGTH_WITH_TRANSFER_ENCODING, 400,
                "POST / HTTP/1.1\r\n" + HOST + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n");
        rejects(Rejection.CONTENT_LENGTH_WITH_TRANSFER_ENCODING, 400,
                "POST / HTTP/1.1\r\n" + HOST + "Transfer-Encoding: chunked\r\nContent-Length: 0\r\n\r\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"chunked", "Chunked", "CHUNKED", " , chunked ,", "chunked\t"})
    void acceptsChunkedAsTheOnlyCoding(String value) {
        RequestHead head = complete("POST / HTTP/1.1\r\n" + HOST + "Transfer-Encoding: " + value + "\r\n\r\n");
        assertEquals(Framing.CHUNKED, head.framing());
        assertEquals(-1, head.contentLength());
    }

    @ParameterizedTest
    @ValueSource(strings = {"gzip", "chunked, gzip", "", "chunked, chunked", "chunked;a=b", "chunked gzip", "chu@nked", "x/y"})
    void rejectsTransferEncodingNotEndingInOneChunked(String value) {
        rejects(Rejection.INVALID_TRANSFER_ENCODING, 400, "POST / HTTP/1.1\r\n" + HOST + "Transfer-Encoding: " + value + "\r\n\r\n");
    }

    @Test
    void rejectsChunkedAppliedTwiceAcrossFields() {
        rejects(Rejection.INVALID_TRANSFER_ENCODING, 400,
                "POST / HTTP/1.1\r\n" + HOST + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"gzip, chunked", "deflate , chunked", "gzip;q=\"a,b\", chunked", "identity, chunked"})
    void rejectsOtherCodingsWith501(String value) {
        rejects(Rejection.UNSUPPORTED_TRANSFER_CODING, 501, "POST / HTTP/1.1\r\n" + HOST + "Transfer-Encoding: " + value + "\r\n\r\n");
    }

    @Test
    void readsTransferCodingsAcrossSeveralFieldsInOrder() {
        rejects(Rejection.UNSUPPORTED_TRANSFER_CODING, 501,
                "POST / HTTP/1.1\r\n" + HOST + "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n");
        rejects(Rejection.INVALID_TRANSFER_ENCODING, 400,
                "POST / HTTP/1.1\r\n" + HOST + "Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n");
    }

    @Test
    void rejectsTransferEncodingInHttp10() {
        rejects(Rejection.TRANSFER_ENCODING_IN_HTTP_1_0, 400, "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n");
    }

    @Test
    void requiresExactlyOneHostInHttp11() {
        rejects(Rejection.MISSING_HOST, 400, "GET / HTTP/1.1\r\nAccept: */*\r\n\r\n");
        rejects(Rejection.DUPLICATE_HOST, 400, "GET / HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n");
        rejects(Rejection.DUPLICATE_HOST, 400, "GET / HTTP/1.0\r\nHost: a\r\nHOST: b\r\n\r\n");
    }

    @Test
    void anEmptyHostIsRefusedUnlessAnAbsoluteTargetNamesTheAuthority() {
        rejects(Rejection.INVALID_HOST, 400, "GET / HTTP/1.1\r\nHost:\r\n\r\n");
        rejects(Rejection.INVALID_HOST, 400, "GET / HTTP/1.1\r\nHost: \t \r\n\r\n");
        rejects(Rejection.INVALID_HOST, 400, "OPTIONS * HTTP/1.1\r\nHost:\r\n\r\n");
        rejects(Rejection.INVALID_HOST, 400, "GET / HTTP/1.0\r\nHost:\r\n\r\n");
        RequestHead absolute = complete("GET http://example.com/a HTTP/1.1\r\nHost:\r\n\r\n");
        assertEquals("", absolute.headers().value(0), "the target's authority replaces it downstream");
    }

    @Test
    void rejectsAHostThatIsNotAnAuthority() {
        for (String host : new String[] {"a b", "a/b", "user@host", "a?b", "a#b", "a\\b", "\"a\"", "a<b", "a:x",
                "[::1", "good.com:evil", "a:1:2", ":80", "[]", "[::1]x", "[::g]", "%4", "%zz.a", "[::1]:8a",
                "%41.example", "a%2eb", "a%00", "a,b", "a!b", "a;b=c"}) {
            rejects(Rejection.INVALID_HOST, 400, "GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
        }
        for (String host : new String[] {"example.com", "example.com:8080", "[::1]:443", "10.0.0.1", "xn--d1a.x",
                "a_b-c~d", "%C3%A9.example"}) {
            assertEquals(host, complete("GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n").headers().value(0));
        }
    }

    @Test
    void rejectsHeadsLargerThanTheLimitWith431() {
        Http1Limits limits = new Http1Limits(64, 100, 32, 16, 64);
        RequestParser small = new RequestParser(limits);
        String fits = "GET / HTTP/1.1\r\nHost: a\r\nX: " + "v".repeat(64 - 32) + "\r\n\r\n";
        assertEquals(64, fits.length());
        MemorySegment s = Bytes.offHeap(fits);
        assertEquals(ParseStatus.COMPLETE, small.parse(s, PAD, 64));
        small.reset();
        MemorySegment big = Bytes.offHeap("GET / HTTP/1.1\r\nHost: a\r\nX: " + "v".repeat(64 - 31) + "\r\n\r\n");
        assertEquals(ParseStatus.NEED_MORE, small.parse(big, PAD, 63));
        assertEquals(ParseStatus.REJECTED, small.parse(big, PAD, 64));
        assertEquals(Rejection.HEAD_TOO_LARGE, small.rejection());
        assertEquals(431, small.rejection().status());
    }

    @Test
    void rejectsMoreHeadersThanTheLimitWith431() {
        RequestParser small = new RequestParser(new Http1Limits(4096, 3, 32, 16, 64));
        MemorySegment three = Bytes.offHeap("GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\n\r\n");
        assertEquals(ParseStatus.COMPLETE, small.parse(three, PAD, three.byteSize() - PAD));
        small.reset();
        MemorySegment four = Bytes.offHeap("GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n");
        assertEquals(ParseStatus.REJECTED, small.parse(four, PAD, four.byteSize() - PAD));
        assertEquals(Rejection.TOO_MANY_HEADERS, small.rejection());
        assertEquals(431, small.rejection().status());
    }

    @Test
    void defaultLimitsAre64KiBAnd100Headers() {
        assertEquals(64 * 1024, Http1Limits.DEFAULT.maxHeadBytes());
        assertEquals(100, Http1Limits.DEFAULT.maxHeaderCount());
        assertThrows(IllegalArgumentException.class, () -> new Http1Limits(0, 1, 1, 1, 2));
    }

    @Test
    void decidesKeepAliveFromVersionAndConnection() {
        assertTrue(complete("GET / HTTP/1.1\r\n" + HOST + "\r\n").keepAlive());
        assertFalse(complete("GET / HTTP/1.1\r\n" + HOST + "Connection: close\r\n\r\n").keepAlive());
        assertFalse(complete("GET / HTTP/1.1\r\n" + HOST + "Connection: foo, CLOSE\r\n\r\n").keepAlive());
        assertFalse(complete("GET / HTTP/1.0\r\n\r\n").keepAlive());
        assertTrue(complete("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").keepAlive());
        assertFalse(complete("GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n").keepAlive());
    }

    @Test
    void notesConnectionOptionsThatNameFields() {
        assertFalse(complete("GET / HTTP/1.1\r\n" + HOST + "Connection: keep-alive, Upgrade\r\n\r\n").connectionNamesFields());
        assertTrue(complete("GET / HTTP/1.1\r\n" + HOST + "Connection: keep-alive, X-Secret\r\n\r\n").connectionNamesFields());
    }

    @Test
    void detectsExpectContinueAndUpgrade() {
        RequestHead head = complete("POST / HTTP/1.1\r\n" + HOST + "Expect: 100-Continue\r\nContent-Length: 3\r\n\r\n");
        assertTrue(head.expectContinue());
        assertFalse(head.upgradeRequested());
        head = complete("GET /ws HTTP/1.1\r\n" + HOST + "Upgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
        assertTrue(head.upgradeRequested());
        assertFalse(head.expectContinue());
        assertFalse(complete("GET /ws HTTP/1.1\r\n" + HOST + "Upgrade: websocket\r\n\r\n").upgradeRequested());
    }

    @Test
    void findsKnownHeadersInConstantTimeIgnoringCase() {
        RequestHead head = complete("GET / HTTP/1.1\r\nhOsT: a\r\nX-Forwarded-For: 1.2.3.4\r\nTE: trailers\r\n"
                + "PROXY-CONNECTION: x\r\nkeep-alive: 5\r\nTrailer: y\r\nUpgrade: z\r\nX-Forwarded-Proto: http\r\n"
                + "Connection: foo\r\nContent-Length: 0\r\n\r\n");
        HeaderFields h = head.headers();
        assertEquals(0, h.indexOf(KnownHeader.HOST));
        assertEquals(1, h.indexOf(KnownHeader.X_FORWARDED_FOR));
        assertEquals(2, h.indexOf(KnownHeader.TE));
        assertEquals(3, h.indexOf(KnownHeader.PROXY_CONNECTION));
        assertEquals(4, h.indexOf(KnownHeader.KEEP_ALIVE));
        assertEquals(5, h.indexOf(KnownHeader.TRAILER));
        assertEquals(6, h.indexOf(KnownHeader.UPGRADE));
        assertEquals(7, h.indexOf(KnownHeader.X_FORWARDED_PROTO));
        assertEquals(8, h.indexOf(KnownHeader.CONNECTION));
        assertEquals(9, h.indexOf(KnownHeader.CONTENT_LENGTH));
        assertEquals(-1, h.indexOf(KnownHeader.EXPECT));
        assertEquals(-1, h.indexOf(KnownHeader.TRANSFER_ENCODING));
        assertTrue(h.is(0, KnownHeader.HOST));
        assertEquals(1, h.occurrences(KnownHeader.HOST));
        assertEquals("host", KnownHeader.HOST.headerName());
    }

    @Test
    void findsArbitraryHeadersByPreEncodedLowercaseName() {
        RequestHead head = complete("GET / HTTP/1.1\r\n" + HOST + "X-Canary: 1\r\nx-canary-2: 2\r\nX-CANARY: 3\r\n\r\n");
        HeaderFields h = head.headers();
        byte[] name = Bytes.latin1("x-canary");
        assertEquals(1, h.indexOf(name));
        assertEquals(3, h.nextIndexOf(name, 2));
        assertEquals(-1, h.nextIndexOf(name, 4));
        assertEquals(-1, h.indexOf(Bytes.latin1("x-canar")));
        assertTrue(h.valueEquals(1, Bytes.latin1("1")));
        assertFalse(h.valueEquals(1, Bytes.latin1("2")));
        assertTrue(head.targetStartsWith(Bytes.latin1("/")));
        assertFalse(head.targetStartsWith(Bytes.latin1("/api")));
    }

    @Test
    void parsesAfterTheHeadLimitWithoutLookingBeyondIt() {
        String message = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
        MemorySegment s = Bytes.offHeap(message + "garbage\u0000");
        assertEquals(ParseStatus.COMPLETE, parser.parse(s, PAD, s.byteSize() - PAD));
        assertEquals(message.length(), parser.head().length());
        assertNull(parser.rejection());
    }
}

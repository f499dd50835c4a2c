package dev.isthmus.proxy.http;

import dev.isthmus.proxy.http.HttpTestOrigin.After;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 4, the forwarded heads (RFC 9110 §7.6): hop-by-hop fields removed in both directions, X-Forwarded-For
 * appended, X-Forwarded-Proto set, Host kept or rewritten, the target's prefix rewritten, Max-Forwards honoured.
 */
@Timeout(60)
final class HttpForwardedHeadTest {
    /** The hop-by-hop fields no forwarded message may carry (RFC 9110 §7.6.1), Upgrade when not upgrading. */
    private static final List<String> HOP_BY_HOP =
            List.of("Keep-Alive", "Proxy-Connection", "TE", "Upgrade");

    @RegisterExtension
    final ProxyFixture fixture = new ProxyFixture();

    private HttpTestOrigin origin;

    @BeforeEach
    void start() throws Exception {
        origin = fixture.origin("o");
        origin.on("/hop-response", OriginScripts.raw("""
                HTTP/1.1 200 OK\r
                Connection: X-Secret, keep-alive\r
                Keep-Alive: timeout=5\r
                Proxy-Connection: keep-alive\r
                Upgrade: h2c\r
                X-Secret: 1\r
                Set-Cookie: a=1\r
                Set-Cookie: b=2\r
                X-Kept: kept\r
                Content-Length: 2\r
                \r
                ok""", After.KEEP_ALIVE));
        fixture.start("""
                workers: 1
                listeners:
                  - name: web
                    address: 127.0.0.1:0
                    protocol: http
                    routes:
                      - match: { prefix: /api/ }
                        cluster: o
                        prefix_rewrite: /
                      - match: { path: /legacy }
                        cluster: o
                        prefix_rewrite: /v2/current
                      - match: { prefix: /internal/ }
                        cluster: o
                        host_rewrite: api.internal
                      - match: { prefix: / }
                        cluster: o
                clusters:
                  - { name: o, endpoints: [127.0.0.1:%d] }
                """.formatted(origin.port()));
    }

    @Test
    void hopByHopRequestFieldsAndThoseNamedInConnectionAreRemoved() throws Exception {
        RawClient client = fixture.client();
        RawResponse response = client.request("GET", "/hop",
                "Host: example.test",
                "Connection: keep-alive, X-Custom-Hop, x-other-hop",
                "Keep-Alive: timeout=5",
                "Proxy-Connection: keep-alive",
                "TE: trailers",
                "Trailer: X-Foo",
                "Upgrade: h2c",
                "X-Custom-Hop: secret",
                "X-Other-Hop: secret too",
                "X-End-To-End: kept");
        assertEquals(200, response.status());
        HttpHead forwarded = origin.lastRequest().head();
        for (String name : HOP_BY_HOP) {
            assertNull(forwarded.header(name), () -> name + " was forwarded:\n" + forwarded.rawText());
        }
        assertNull(forwarded.header("X-Custom-Hop"), forwarded::rawText);
        assertNull(forwarded.header("X-Other-Hop"), forwarded::rawText);
        assertOnlyProxyConnectionOptions(forwarded);
        assertEquals("kept", forwarded.header("X-End-To-End"));
        assertEquals("X-Foo", forwarded.header("Trailer"), "Trailer is end-to-end (RFC 9110 §6.6.2, not in §7.6.1)");
        assertEquals("example.test", forwarded.header("Host"));
        assertEquals(1, forwarded.headers("Host").size());
        assertEquals("GET /hop HTTP/1.1", forwarded.startLine());
    }

    @Test
    void aChunkedBodyGoesOnUnderOnePlainTransferEncoding() throws Exception {
        RawClient client = fixture.client();
        // Read as chunked (an empty list element is no coding), but an origin that takes the empty last field for
        // "not chunked" would read the body as the next request if the fields went on as they came.
        client.send("POST /echo-framing HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n"
                + "Transfer-Encoding: \r\n\r\n5\r\nhello\r\n0\r\n\r\n");
        assertEquals(200, client.read().status());
        OriginRequest forwarded = origin.lastRequest();
        assertEquals(List.of("chunked"), forwarded.head().headers("Transfer-Encoding"), forwarded::toString);
        assertEquals("hello", forwarded.bodyText());
        assertEquals("o GET /after\n", client.get("/after").bodyText(), "the connection is still in sync");
    }

    @Test
    void connectionCannotStripTheFramingOfABody() throws Exception {
        RawClient client = fixture.client();
        client.send("POST /echo-framing HTTP/1.1\r\nHost: test\r\nConnection: Content-Length, Host, X-A\r\n"
                + "X-A: 1\r\nContent-Length: 5\r\n\r\nhello");
        RawResponse response = client.read();
        assertEquals(200, response.status());
        OriginRequest forwarded = origin.lastRequest();
        assertEquals("hello", forwarded.bodyText());
        assertEquals(5, forwarded.head().contentLength(), forwarded::toString);
        assertEquals("test", forwarded.header("Host"));
        assertNull(forwarded.header("X-A"));
        assertEquals("o GET /after\n", client.get("/after").bodyText(), "the connection is still in sync");
    }

    @Test
    void xForwardedForGetsTheClientAddressAppended() throws Exception {
        RawClient client = fixture.client();
        client.get("/xff-none");
        assertEquals(List.of("127.0.0.1"), forwardedFor(origin.lastRequest().head()));
        client.get("/xff-one", "X-Forwarded-For: 203.0.113.7");
        assertEquals(List.of("203.0.113.7", "127.0.0.1"), forwardedFor(origin.lastRequest().head()));
        client.get("/xff-two", "X-Forwarded-For: 203.0.113.7, 198.51.100.2", "X-Forwarded-For: 192.0.2.1");
        assertEquals(List.of("203.0.113.7", "198.51.100.2", "192.0.2.1", "127.0.0.1"),
                forwardedFor(origin.lastRequest().head()));
    }

    @Test
    void xForwardedProtoIsHttpWhateverTheClientClaims() throws Exception {
        RawClient client = fixture.client();
        client.get("/proto");
        assertEquals(List.of("http"), origin.lastRequest().head().headers("X-Forwarded-Proto"));
        client.get("/proto-spoofed", "X-Forwarded-Proto: https");
        assertEquals(List.of("http"), origin.lastRequest().head().headers("X-Forwarded-Proto"));
    }

    @Test
    void viaNamesTheProxyAfterEarlierHopsInBothDirections() throws Exception {
        RawClient client = fixture.client();
        RawResponse response = client.get("/via", "Via: 1.1 edge-cache");
        assertEquals(List.of("1.1 edge-cache", "1.1 isthmus"), origin.lastRequest().head().headers("Via"),
                "RFC 9110 §7.6.3: each proxy appends itself");
        assertEquals(List.of("1.1 isthmus"), response.head().headers("Via"));
        client.send("GET /via-old HTTP/1.0\r\n\r\n");
        assertEquals(200, client.read().status());
        assertEquals(List.of("1.0 isthmus"), origin.lastRequest().head().headers("Via"),
                "the received protocol version is the client's");
    }

    @Test
    void optionsWithNoHopsLeftIsAnsweredByTheProxy() throws Exception {
        RawClient client = fixture.client();
        RawResponse response = client.request("OPTIONS", "*", "Max-Forwards: 0");
        assertEquals(200, response.status(), response::toString);
        assertEquals("0", response.header("Content-Length"));
        assertFalse(response.closes());
        assertEquals(0, origin.requests().size(), "RFC 9110 §7.6.2: must not be forwarded");
        assertEquals("o GET /after\n", client.get("/after").bodyText(), "the connection is still in sync");
    }

    @Test
    void traceWithNoHopsLeftIsReflectedWithoutCredentials() throws Exception {
        RawClient client = fixture.client();
        client.send("TRACE /t?q=1 HTTP/1.1\r\nHost: test\r\nMax-Forwards: 0\r\nCookie: secret=1\r\n"
                + "X-Probe: 7\r\nAuthorization: Basic c2VjcmV0\r\n\r\n");
        RawResponse response = client.read("TRACE");
        assertEquals(200, response.status(), response::toString);
        assertEquals("message/http", response.header("Content-Type"));
        assertEquals("TRACE /t?q=1 HTTP/1.1\r\nHost: test\r\nMax-Forwards: 0\r\nX-Probe: 7\r\n\r\n",
                response.bodyText(), "RFC 9110 §9.3.8: the request as received, less fields carrying credentials");
        assertEquals(0, origin.requests().size());
    }

    @Test
    void optionsAsteriskTakesTheCatchAllRouteUnrewritten() throws Exception {
        RawClient client = fixture.client();
        RawResponse response = client.request("OPTIONS", "*");
        assertEquals(200, response.status(), response::toString);
        assertEquals("OPTIONS * HTTP/1.1", origin.lastRequest().head().startLine());
    }

    @Test
    void anAbsoluteFormOptionsWithoutPathOrQueryGoesOnAsOptionsAsterisk() throws Exception {
        RawClient client = fixture.client();
        assertEquals(200, client.request("OPTIONS", "http://b.example", "Host: b.example").status());
        assertEquals("OPTIONS * HTTP/1.1", origin.lastRequest().head().startLine(), "RFC 9112 §3.2.4");
        assertEquals(200, client.request("OPTIONS", "http://b.example?q", "Host: b.example").status());
        assertEquals("OPTIONS /?q HTTP/1.1", origin.lastRequest().head().startLine());
        assertEquals(200, client.request("GET", "http://b.example", "Host: b.example").status());
        assertEquals("GET / HTTP/1.1", origin.lastRequest().head().startLine());
    }

    @Test
    void underscoreSpellingsOfTheForwardingFieldsDoNotReachTheOrigin() throws Exception {
        RawClient client = fixture.client();
        assertEquals(200, client.get("/spoof", "X_Forwarded_For: 6.6.6.6", "x-forwarded_proto: https",
                "X_Request_Id: kept").status());
        HttpHead forwarded = origin.lastRequest().head();
        assertNull(forwarded.header("X_Forwarded_For"), forwarded::rawText);
        assertNull(forwarded.header("x-forwarded_proto"), forwarded::rawText);
        assertEquals("127.0.0.1", forwarded.header("X-Forwarded-For"));
        assertEquals("http", forwarded.header("X-Forwarded-Proto"));
        assertEquals("kept", forwarded.header("X_Request_Id"), "other underscore names are the origin's business");
    }

    @Test
    void maxForwardsIsDecrementedOnTraceAndOptionsOnly() throws Exception {
        RawClient client = fixture.client();
        assertEquals(200, client.request("OPTIONS", "/o", "Max-Forwards: 3").status());
        assertEquals(List.of("2"), origin.lastRequest().head().headers("Max-Forwards"));
        assertEquals(200, client.request("TRACE", "/t", "Max-Forwards: 1").status());
        assertEquals(List.of("0"), origin.lastRequest().head().headers("Max-Forwards"));
        assertEquals(200, client.get("/g", "Max-Forwards: 0").status(), "other methods ignore the field");
        assertEquals(List.of("0"), origin.lastRequest().head().headers("Max-Forwards"));
    }

    @Test
    void aResponseWithoutDateIsDatedAndAnOriginsDateIsKept() throws Exception {
        origin.on("/undated", OriginScripts.raw("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", After.KEEP_ALIVE));
        origin.on("/dated", OriginScripts.raw("HTTP/1.1 200 OK\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
                + "Content-Length: 2\r\n\r\nok", After.KEEP_ALIVE));
        RawClient client = fixture.client();
        List<String> dated = client.get("/undated").head().headers("Date");
        assertEquals(1, dated.size(), () -> "RFC 9110 §6.6.1: a proxy dates an undated response: " + dated);
        assertTrue(dated.getFirst().endsWith(" GMT"), dated::toString);
        assertEquals(List.of("Sun, 06 Nov 1994 08:49:37 GMT"), client.get("/dated").head().headers("Date"));
    }

    @Test
    void hostIsKeptUnlessTheRouteRewritesIt() throws Exception {
        RawClient client = fixture.client();
        client.request("GET", "/plain", "Host: www.example.test:8080");
        assertEquals(List.of("www.example.test:8080"), origin.lastRequest().head().headers("Host"));
        client.request("GET", "/internal/x", "Host: www.example.test");
        assertEquals(List.of("api.internal"), origin.lastRequest().head().headers("Host"));
        assertEquals("/internal/x", origin.lastRequest().target());
    }

    @Test
    void prefixRewriteChangesTheTargetAndKeepsTheRest() throws Exception {
        RawClient client = fixture.client();
        assertEquals("o GET /users/7?expand=1\n", client.get("/api/users/7?expand=1").bodyText());
        assertEquals("o GET /\n", client.get("/api/").bodyText());
        assertEquals("o GET /v2/current?q=%41\n", client.get("/legacy?q=%41").bodyText());
        assertEquals("o GET /x?q=%2e%2e\n", client.get("/normalized/%2e%2e/x?q=%2e%2e").bodyText(),
                "the path goes upstream normalized (normalize_path defaults to true), the query as it came");
    }

    @Test
    void otherFieldsPassUnchangedAndRepeatedFieldsStaySeparate() throws Exception {
        RawClient client = fixture.client();
        client.get("/fields", "X-Spaced:   inner  spaces\tand tab", "X-Repeat: 1", "X-Repeat: 2", "Cookie: a=1",
                "Cookie: b=2");
        HttpHead forwarded = origin.lastRequest().head();
        assertEquals("inner  spaces\tand tab", forwarded.header("X-Spaced"));
        assertEquals(List.of("1", "2"), forwarded.headers("X-Repeat"));
        assertEquals(List.of("a=1", "b=2"), forwarded.headers("Cookie"));
    }

    @Test
    void hopByHopResponseFieldsAreRemovedAndTheRestPassed() throws Exception {
        RawClient client = fixture.client();
        RawResponse response = client.get("/hop-response");
        assertEquals(200, response.status());
        assertEquals("ok", response.bodyText());
        for (String name : HOP_BY_HOP) {
            assertNull(response.header(name), () -> name + " was forwarded:\n" + response);
        }
        assertNull(response.header("X-Secret"), response::toString);
        assertOnlyProxyConnectionOptions(response.head());
        assertEquals(List.of("a=1", "b=2"), response.head().headers("Set-Cookie"));
        assertEquals("kept", response.header("X-Kept"));
        assertEquals("o GET /after\n", client.get("/after").bodyText());
    }

    /** A Connection field may remain only with the proxy's own options for the next hop. */
    private static void assertOnlyProxyConnectionOptions(HttpHead head) {
        for (String value : head.headers("Connection")) {
            for (String option : value.split(",")) {
                String o = option.strip().toLowerCase(Locale.ROOT);
                assertTrue(o.equals("keep-alive") || o.equals("close"),
                        () -> "Connection option '" + o + "' was forwarded:\n" + head.rawText());
            }
        }
    }

    private static List<String> forwardedFor(HttpHead head) {
        return head.headers("X-Forwarded-For").stream()
                .flatMap(v -> Arrays.stream(v.split(",")))
                .map(String::strip)
                .toList();
    }
}

package dev.isthmus.proxy.http;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 4, routing: which route a request takes, and the proxy's own answers (direct responses, redirects, 404). */
@Timeout(60)
final class HttpRoutingTest {
    @RegisterExtension
    final ProxyFixture fixture = new ProxyFixture();

    private HttpTestOrigin a;
    private HttpTestOrigin b;
    private HttpTestOrigin c;

    @BeforeEach
    void start() throws Exception {
        a = fixture.origin("a");
        b = fixture.origin("b");
        c = fixture.origin("c");
        fixture.start("""
                workers: 1
                listeners:
                  - name: web
                    address: 127.0.0.1:0
                    protocol: http
                    routes:
                      - match: { path: /exact }
                        cluster: a
                      - match: { prefix: /api/, headers: { x-canary: "1" } }
                        cluster: b
                      - match: { prefix: /api/, headers: { x-debug: { present: true } } }
                        direct_response: { status: 403, body: "no debugging here\\n" }
                      - match: { prefix: /api/ }
                        cluster: a
                      - match: { prefix: /plain/, headers: { x-block: { present: false } } }
                        cluster: c
                      - match: { regex: "/users/[0-9]+/avatar" }
                        cluster: c
                      - match: { path: /hello }
                        direct_response: { status: 200, body: "<p>hello</p>\\n", content_type: text/html }
                      - match: { path: /teapot }
                        direct_response: { status: 418, body: "short and stout\\n" }
                      - match: { path: /empty }
                        direct_response: { status: 204, body: "" }
                      - match: { path: /old }
                        redirect: { status: 301, location: /new }
                      - match: { path: /elsewhere }
                        redirect: { location: "https://example.com/x?y=1" }
                clusters:
                  - { name: a, endpoints: [127.0.0.1:%d] }
                  - { name: b, endpoints: [127.0.0.1:%d] }
                  - { name: c, endpoints: [127.0.0.1:%d] }
                """.formatted(a.port(), b.port(), c.port()));
    }

    @Test
    void exactPathMatchesThatPathOnlyAndIgnoresTheQuery() throws Exception {
        RawClient client = fixture.client();
        assertEquals("a GET /exact\n", client.get("/exact").bodyText());
        assertEquals("a GET /exact?q=1\n", client.get("/exact?q=1").bodyText());
        assertNotFound(client.get("/exact/"));
        assertNotFound(client.get("/exactly"));
        assertNotFound(client.get("/EXACT"));
    }

    @Test
    void prefixMatchesEverythingBelowIt() throws Exception {
        RawClient client = fixture.client();
        assertEquals("a GET /api/users/7\n", client.get("/api/users/7").bodyText());
        assertEquals("a GET /api/\n", client.get("/api/").bodyText());
        assertNotFound(client.get("/api"));
        assertNotFound(client.request("OPTIONS", "*"));
    }

    @Test
    void headerValueMatchIsCaseInsensitiveInTheNameAndExactInTheValue() throws Exception {
        RawClient client = fixture.client();
        assertEquals("b GET /api/x\n", client.get("/api/x", "x-canary: 1").bodyText());
        assertEquals("b GET /api/x\n", client.get("/api/x", "X-CANARY: 1").bodyText());
        assertEquals("a GET /api/x\n", client.get("/api/x", "x-canary: 2").bodyText());
        assertEquals("a GET /api/x\n", client.get("/api/x", "x-canary: 10").bodyText());
        assertEquals("a GET /api/x\n", client.get("/api/x").bodyText());
    }

    @Test
    void headerPresenceAndAbsenceMatch() throws Exception {
        RawClient client = fixture.client();
        RawResponse debug = client.get("/api/x", "X-Debug: yes");
        assertEquals(403, debug.status());
        assertEquals("no debugging here\n", debug.bodyText());
        assertEquals("c GET /plain/a\n", client.get("/plain/a").bodyText());
        assertNotFound(client.get("/plain/a", "x-block: yes"));
        assertEquals(0, a.requests().size() + b.requests().size(), "the 403 came from the proxy itself");
    }

    @Test
    void regexMustMatchTheWholePath() throws Exception {
        RawClient client = fixture.client();
        assertEquals("c GET /users/42/avatar\n", client.get("/users/42/avatar").bodyText());
        assertEquals("c GET /users/42/avatar?size=3\n", client.get("/users/42/avatar?size=3").bodyText());
        assertNotFound(client.get("/users/abc/avatar"));
        assertNotFound(client.get("/users/42/avatar/extra"));
        assertNotFound(client.get("/x/users/42/avatar"));
    }

    @Test
    void directResponseCarriesStatusBodyAndContentType() throws Exception {
        RawClient client = fixture.client();
        RawResponse hello = client.get("/hello");
        assertEquals(200, hello.status());
        assertEquals("<p>hello</p>\n", hello.bodyText());
        assertEquals("text/html", hello.header("Content-Type"));
        assertEquals(RawResponse.Framing.CONTENT_LENGTH, hello.framing());
        RawResponse teapot = client.get("/teapot");
        assertEquals(418, teapot.status());
        assertEquals("short and stout\n", teapot.bodyText());
        assertEquals("text/plain; charset=utf-8", teapot.header("Content-Type"));
        RawResponse empty = client.get("/empty");
        assertEquals(204, empty.status());
        assertNull(empty.header("Transfer-Encoding"));
        assertEquals("<p>hello</p>\n", client.get("/hello").bodyText(), "the connection is still in sync");
        assertEquals(0, a.receivedBytes() + b.receivedBytes() + c.receivedBytes(), "no origin is involved");
    }

    @Test
    void headToADirectResponseGetsTheHeadWithoutTheBody() throws Exception {
        RawClient client = fixture.client();
        RawResponse head = client.request("HEAD", "/hello");
        assertEquals(200, head.status());
        assertEquals("text/html", head.header("Content-Type"));
        // The next response parses only if the proxy sent no body bytes after the HEAD response's head.
        RawResponse next = client.get("/teapot");
        assertEquals(418, next.status());
        assertEquals("short and stout\n", next.bodyText());
    }

    @Test
    void requestBodiesSentToTheProxysOwnAnswersAreNeverTakenForRequests() throws Exception {
        // Each body is a complete request for /exact: it reaches origin a only if the proxy parsed a body as a request.
        String body = RawClient.head("GET", "/exact");
        assertBodyConsumedOrConnectionClosed("POST /hello HTTP/1.1\r\nHost: test\r\nContent-Length: " + body.length()
                + "\r\n\r\n" + body, "POST", 200);
        assertBodyConsumedOrConnectionClosed("POST /old HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n"
                + Integer.toHexString(body.length()) + "\r\n" + body + "\r\n0\r\n\r\n", "POST", 301);
        assertBodyConsumedOrConnectionClosed("PUT /nowhere HTTP/1.1\r\nHost: test\r\nContent-Length: " + body.length()
                + "\r\n\r\n" + body, "PUT", 404);
        assertEquals(0, a.receivedBytes(), "no body was ever parsed as a request for /exact");
    }

    private void assertBodyConsumedOrConnectionClosed(String request, String method, int status) throws Exception {
        try (RawClient client = RawClient.connect(fixture.port())) {
            client.send(request + RawClient.head("GET", "/teapot"));
            RawResponse response = client.read(method);
            assertEquals(status, response.status(), response::toString);
            if (response.closes()) {
                client.assertClosedByPeer();
            } else {
                assertEquals(418, client.read().status(), "the next response answers the pipelined GET /teapot");
            }
        }
    }

    @Test
    void headToARedirectOrA404GetsNoBody() throws Exception {
        RawClient client = fixture.client();
        RawResponse moved = client.request("HEAD", "/old");
        assertEquals(301, moved.status());
        assertEquals("/new", moved.header("Location"));
        RawResponse missing = client.request("HEAD", "/nowhere");
        assertEquals(404, missing.status());
        // Both parse only if no body followed the heads (RFC 9110 §9.3.2).
        assertEquals("short and stout\n", client.get("/teapot").bodyText());
    }

    @Test
    void expectContinueToADirectResponseIsAnsweredWithoutWaitingForTheBody() throws Exception {
        RawClient client = fixture.client();
        client.send("POST /hello HTTP/1.1\r\nHost: test\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
        RawResponse response = client.readFinal("POST");
        assertEquals(200, response.status());
        assertEquals("<p>hello</p>\n", response.bodyText());
        if (response.closes()) {
            client.assertClosedByPeer();
        } else {
            client.send("hello");
            assertEquals("short and stout\n", client.get("/teapot").bodyText());
        }
    }

    @Test
    void redirectsCarryStatusAndLocation() throws Exception {
        RawClient client = fixture.client();
        RawResponse moved = client.get("/old");
        assertEquals(301, moved.status());
        assertEquals("/new", moved.header("Location"));
        RawResponse found = client.get("/elsewhere");
        assertEquals(302, found.status());
        assertEquals("https://example.com/x?y=1", found.header("Location"));
        assertEquals(0, a.receivedBytes() + b.receivedBytes() + c.receivedBytes());
    }

    @Test
    void noMatchingRouteIs404AndTheConnectionStaysUsable() throws Exception {
        RawClient client = fixture.client();
        RawResponse missing = client.get("/nowhere");
        ErrorResponses.assertError(missing, 404);
        assertEquals("a GET /exact\n", client.get("/exact").bodyText());
        assertTrue(a.requests().stream().noneMatch(r -> r.target().equals("/nowhere")));
    }

    @Test
    void aRuleOnAPathHoldsForEverySpellingOfIt() throws Exception {
        RawClient client = fixture.client();
        for (String spelling : List.of("/api//x", "/api/./x", "/plain/../api/x", "/%61pi/x", "//api/x",
                "/api/y/%2e%2e/x")) {
            RawResponse response = client.get(spelling, "X-Debug: yes");
            assertEquals(403, response.status(), () -> spelling + " got past the /api/ rule: " + response);
        }
        assertEquals("a GET /api/x?q=/../\n", client.get("/api/y/../x?q=/../").bodyText(),
                "the upstream gets the normalized path, the query as it came");
        assertEquals(1, a.requests().size() + b.requests().size(), "only the allowed request was forwarded");
    }

    private static void assertNotFound(RawResponse response) {
        ErrorResponses.assertError(response, 404);
    }
}

package dev.isthmus.proxy.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.proxy.config.ConfigLoader;
import dev.isthmus.proxy.config.ProxyConfig;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RouteTableTest {

    private static final String CLUSTERS = """
            clusters:
              - { name: zero, endpoints: [127.0.0.1:9000] }
              - { name: one, endpoints: [127.0.0.1:9001] }
              - { name: two, endpoints: [127.0.0.1:9002] }
            """;

    private static ProxyConfig config(String listenerBody) throws Exception {
        String yaml = "listeners:\n  - name: web\n    address: 127.0.0.1:8080\n"
                + listenerBody.indent(4) + CLUSTERS;
        return new ConfigLoader(name -> {
            throw new UnknownHostException(name);
        }).parse("routes.yaml", yaml);
    }

    private static RouteTable table(String listenerBody) throws Exception {
        ProxyConfig config = config(listenerBody);
        return RouteTable.compile(config, config.listeners().get(0));
    }

    private static Route get(RouteTable table, String target, String... headers) {
        return table.match(TestRequest.of("GET " + target + " HTTP/1.1", headers));
    }

    private static String text(MemorySegment segment) {
        return new String(segment.toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
    }

    @Test
    void exactPath() throws Exception {
        RouteTable table = table("""
                routes:
                  - { match: { path: /healthz }, cluster: one }
                """);
        assertEquals("web.routes[0]", get(table, "/healthz").name());
        assertEquals("web.routes[0]", get(table, "/healthz?verbose=1").name());
        assertSame(Route.NO_ROUTE, get(table, "/healthz/"));
        assertSame(Route.NO_ROUTE, get(table, "/health"));
        assertSame(Route.NO_ROUTE, get(table, "/HEALTHZ"));
    }

    @Test
    void prefix() throws Exception {
        RouteTable table = table("""
                routes:
                  - { match: { prefix: /api/ }, cluster: one }
                """);
        assertEquals(Route.Kind.FORWARD, get(table, "/api/").kind());
        assertEquals(Route.Kind.FORWARD, get(table, "/api/users/7?x=/").kind());
        assertSame(Route.NO_ROUTE, get(table, "/api"));
        assertSame(Route.NO_ROUTE, get(table, "/API/users"));
        assertSame(Route.NO_ROUTE, get(table, "/v1/api/"));
    }

    @Test
    void regexMatchesTheWholePath() throws Exception {
        RouteTable table = table("""
                routes:
                  - { match: { regex: "/users/[0-9]+" }, cluster: two }
                """);
        assertEquals(2, get(table, "/users/42").clusterIndex());
        assertEquals(2, get(table, "/users/42?tab=1").clusterIndex());
        assertSame(Route.NO_ROUTE, get(table, "/users/42/avatar"));
        assertSame(Route.NO_ROUTE, get(table, "/users/abc"));
        assertSame(Route.NO_ROUTE, get(table, "/x/users/42"));
    }

    @Test
    void headerValuesAreExactAndNamesCaseInsensitive() throws Exception {
        RouteTable table = table("""
                routes:
                  - { match: { prefix: /, headers: { x-canary: "Yes" } }, cluster: one }
                """);
        assertEquals(1, get(table, "/", "X-Canary: Yes").clusterIndex());
        assertEquals(1, get(table, "/", "x-CANARY:   Yes  ").clusterIndex());
        assertSame(Route.NO_ROUTE, get(table, "/", "X-Canary: yes"));
        assertSame(Route.NO_ROUTE, get(table, "/", "X-Canary: Yes!"));
        assertSame(Route.NO_ROUTE, get(table, "/", "X-Canary: Ye"));
        assertSame(Route.NO_ROUTE, get(table, "/"));
        assertEquals(1, get(table, "/", "X-Canary: Yes", "X-Canary: No").clusterIndex());
        assertSame(Route.NO_ROUTE, get(table, "/", "X-Canary: No", "X-Canary: Yes"));
    }

    @Test
    void headerPresenceAndAbsence() throws Exception {
        RouteTable table = table("""
                routes:
                  - { match: { prefix: /, headers: { x-debug: { present: true } } }, cluster: one }
                  - { match: { prefix: /, headers: { authorization: { present: false } } }, cluster: two }
                """);
        assertEquals(1, get(table, "/", "X-Debug: anything").clusterIndex());
        assertEquals(1, get(table, "/", "x-debug:").clusterIndex());
        assertEquals(2, get(table, "/").clusterIndex());
        assertSame(Route.NO_ROUTE, get(table, "/", "Authorization: Bearer x"));
    }

    @Test
    void allConditionsMustHold() throws Exception {
        RouteTable table = table("""
                routes:
                  - match: { regex: "/a/.*", headers: { x-a: "1", x-b: { present: true } } }
                    cluster: one
                """);
        assertEquals(1, get(table, "/a/z", "X-A: 1", "X-B: 2").clusterIndex());
        assertSame(Route.NO_ROUTE, get(table, "/a/z", "X-A: 1"));
        assertSame(Route.NO_ROUTE, get(table, "/b/z", "X-A: 1", "X-B: 2"));
    }

    @Test
    void firstMatchWinsInConfigOrder() throws Exception {
        RouteTable table = table("""
                routes:
                  - { match: { prefix: /api/, headers: { x-canary: "1" } }, cluster: two }
                  - { match: { prefix: /api/ }, cluster: one }
                  - { match: { prefix: /api/never }, cluster: zero }
                  - { match: { prefix: / }, cluster: zero }
                """);
        assertEquals("web.routes[0]", get(table, "/api/never", "x-canary: 1").name());
        assertEquals("web.routes[1]", get(table, "/api/never").name());
        assertEquals("web.routes[3]", get(table, "/other").name());
        assertEquals(0, get(table, "/other").clusterIndex());
    }

    private static final String VIRTUAL_HOSTS = """
            virtual_hosts:
              - name: exact
                domains: [www.example.com, example.com]
                routes: [{ match: { prefix: / }, direct_response: { body: exact } }]
              - name: wide
                domains: ["*.example.com"]
                routes: [{ match: { prefix: / }, direct_response: { body: wide } }]
              - name: narrow
                domains: ["*.api.example.com"]
                routes: [{ match: { prefix: /v1/ }, direct_response: { body: narrow } }]
            """;

    @Test
    void virtualHostsByHost() throws Exception {
        RouteTable table = table(VIRTUAL_HOSTS + """
                  - name: rest
                    domains: ["*"]
                    routes: [{ match: { prefix: / }, direct_response: { body: rest } }]
                """);
        assertEquals("web.exact.routes[0]", get(table, "/", "Host: example.com").name());
        assertEquals("web.exact.routes[0]", get(table, "/", "Host: WWW.Example.COM:8080").name());
        assertEquals("web.wide.routes[0]", get(table, "/", "Host: img.example.com").name());
        assertEquals("web.wide.routes[0]", get(table, "/", "Host: a.b.example.com:443").name());
        assertEquals("web.exact.routes[0]", get(table, "/", "Host: example.com.").name(),
                "a fully qualified name with its trailing dot is the same host");
        assertEquals("web.wide.routes[0]", get(table, "/", "Host: img.example.com.:443").name());
        assertEquals("web.rest.routes[0]", get(table, "/", "Host: example.com..").name());
        assertEquals("web.narrow.routes[0]", get(table, "/v1/x", "Host: eu.api.example.com").name());
        assertSame(Route.NO_ROUTE, get(table, "/v2/x", "Host: eu.api.example.com"),
                "a chosen virtual host without a matching route is a 404, not a fall-through");
        assertEquals("web.rest.routes[0]", get(table, "/", "Host: example.org").name());
        assertEquals("web.rest.routes[0]", get(table, "/", "Host: .example.com").name());
        assertEquals("web.rest.routes[0]", get(table, "/", "Host: notexample.com").name());
        assertEquals("web.rest.routes[0]", get(table, "/", "Host: [::1]:8080").name());
        assertEquals("web.rest.routes[0]", get(table, "/").name());
        assertEquals("rest", text(get(table, "/", "Host: example.org").response()).split("\r\n\r\n")[1]);
    }

    @Test
    void virtualHostsWithoutCatchAll() throws Exception {
        RouteTable table = table(VIRTUAL_HOSTS);
        assertEquals("web.exact.routes[0]", get(table, "/", "Host: example.com").name());
        assertSame(Route.NO_ROUTE, get(table, "/", "Host: example.org"));
        assertSame(Route.NO_ROUTE, get(table, "/", "Host: example.com.evil"));
        assertSame(Route.NO_ROUTE, get(table, "/"));
    }

    @Test
    void noRouteIsAReady404() {
        assertEquals(Route.Kind.NO_ROUTE, Route.NO_ROUTE.kind());
        assertEquals(404, Route.NO_ROUTE.responseStatus());
        assertEquals("HTTP/1.1 404 Not Found\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\n"
                + "Content-Length: 26\r\n"
                + "\r\n"
                + "no route for this request\n", text(Route.NO_ROUTE.response()));
    }

    @Test
    void directResponsesAreByteExact() throws Exception {
        RouteTable table = table("""
                routes:
                  - { match: { path: /a }, direct_response: { status: 200, body: "hi\\n" } }
                  - { match: { path: /b }, direct_response: { status: 503, body: "<p>née</p>", content_type: text/html } }
                  - { match: { path: /c }, direct_response: { status: 204 } }
                  - { match: { path: /d }, direct_response: { status: 299, body: "" } }
                """);
        Route a = get(table, "/a");
        assertEquals(Route.Kind.RESPOND, a.kind());
        String aText = "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 3\r\n\r\nhi\n";
        assertEquals(aText, text(a.response()));
        assertEquals(aText.indexOf("\r\n\r\n") + 2, a.responseHeadersEnd());
        assertEquals(aText.indexOf("hi\n"), a.responseBodyOffset());
        assertEquals(200, a.responseStatus());
        assertTrue(a.response().isNative());
        assertTrue(a.response().isReadOnly());

        assertEquals("HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/html\r\nContent-Length: 11\r\n\r\n"
                + "<p>née</p>", text(get(table, "/b").response()));
        assertEquals("HTTP/1.1 204 No Content\r\n\r\n", text(get(table, "/c").response()));
        assertEquals("HTTP/1.1 299 \r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 0\r\n\r\n",
                text(get(table, "/d").response()));
    }

    @Test
    void redirectsAreByteExact() throws Exception {
        RouteTable table = table("""
                routes:
                  - { match: { path: /old }, redirect: { location: "https://example.com/new?x=1" } }
                  - { match: { path: /gone }, redirect: { status: 308, location: /here } }
                """);
        Route old = get(table, "/old");
        assertEquals("HTTP/1.1 302 Found\r\nLocation: https://example.com/new?x=1\r\nContent-Length: 0\r\n\r\n",
                text(old.response()));
        assertEquals(old.response().byteSize(), old.responseBodyOffset());
        assertEquals("HTTP/1.1 308 Permanent Redirect\r\nLocation: /here\r\nContent-Length: 0\r\n\r\n",
                text(get(table, "/gone").response()));
    }

    @Test
    void forwardCarriesItsPreEncodedAction() throws Exception {
        RouteTable table = table("""
                routes:
                  - match: { prefix: /api/v1/ }
                    cluster: two
                    prefix_rewrite: /
                    host_rewrite: api.internal:8443
                    timeout: 250ms
                  - { match: { path: /exact }, cluster: one, prefix_rewrite: /other }
                  - { match: { prefix: / }, cluster: zero }
                """);
        Route api = get(table, "/api/v1/users");
        assertEquals(Route.Kind.FORWARD, api.kind());
        assertEquals(2, api.clusterIndex());
        assertTrue(api.hasPrefixRewrite());
        assertEquals("/", text(api.prefixRewrite()));
        assertEquals("/api/v1/".length(), api.rewrittenPrefixLength());
        assertTrue(api.hasHostRewrite());
        assertEquals("api.internal:8443", text(api.hostRewrite()));
        assertTrue(api.hostRewrite().isNative());
        assertEquals(Duration.ofMillis(250).toNanos(), api.timeoutNanos());
        assertThrows(IllegalStateException.class, api::response);

        Route exact = get(table, "/exact");
        assertEquals("/other", text(exact.prefixRewrite()));
        assertEquals("/exact".length(), exact.rewrittenPrefixLength());
        assertFalse(exact.hasHostRewrite());

        Route plain = get(table, "/x");
        assertFalse(plain.hasPrefixRewrite());
        assertFalse(plain.hasHostRewrite());
        assertEquals(Duration.ofSeconds(15).toNanos(), plain.timeoutNanos());
    }

    @Test
    void onlyHttpListenersHaveRouteTables() throws Exception {
        ProxyConfig config = new ConfigLoader().parse("tcp.yaml", """
                listeners: [{ name: db, address: 127.0.0.1:5432, protocol: tcp, cluster: pg }]
                clusters: [{ name: pg, endpoints: [127.0.0.1:6432] }]
                """);
        assertThrows(IllegalArgumentException.class, () -> RouteTable.compile(config, config.listeners().get(0)));
    }
}

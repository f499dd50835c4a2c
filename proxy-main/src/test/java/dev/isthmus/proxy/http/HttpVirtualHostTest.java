package dev.isthmus.proxy.http;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Issue 4, virtual hosts: routes chosen by Host (port ignored, case-insensitive); exact names win over {@code *.suffix}
 * wildcards, longest first, which win over {@code *}.
 */
@Timeout(60)
final class HttpVirtualHostTest {
    @RegisterExtension
    final ProxyFixture fixture = new ProxyFixture();

    private HttpTestOrigin apex;
    private HttpTestOrigin wildcard;
    private HttpTestOrigin deeper;

    @BeforeEach
    void start() throws Exception {
        apex = fixture.origin("apex");
        wildcard = fixture.origin("wildcard");
        deeper = fixture.origin("deeper");
        fixture.start("""
                workers: 1
                listeners:
                  - name: web
                    address: 127.0.0.1:0
                    protocol: http
                    virtual_hosts:
                      - name: apex
                        domains: [example.com, www.example.com]
                        routes:
                          - match: { prefix: / }
                            cluster: apex
                      - name: deeper
                        domains: ["*.api.example.com"]
                        routes:
                          - match: { prefix: / }
                            cluster: deeper
                      - name: wildcard
                        domains: ["*.example.com"]
                        routes:
                          - match: { prefix: /only/ }
                            cluster: wildcard
                      - name: fallback
                        domains: ["*"]
                        routes:
                          - match: { prefix: / }
                            direct_response: { status: 421, body: "unknown host\\n" }
                clusters:
                  - { name: apex, endpoints: [127.0.0.1:%d] }
                  - { name: wildcard, endpoints: [127.0.0.1:%d] }
                  - { name: deeper, endpoints: [127.0.0.1:%d] }
                """.formatted(apex.port(), wildcard.port(), deeper.port()));
    }

    @Test
    void exactDomainsMatchCaseInsensitivelyWithAnyPort() throws Exception {
        RawClient client = fixture.client();
        assertEquals("apex GET /x\n", client.request("GET", "/x", "Host: example.com").bodyText());
        assertEquals("apex GET /x\n", client.request("GET", "/x", "Host: WWW.Example.COM:8443").bodyText());
        assertEquals("apex GET /x\n", client.request("GET", "/x", "Host: example.com:80").bodyText());
    }

    @Test
    void suffixWildcardsMatchSubdomainsOnlyAndTheLongestWins() throws Exception {
        RawClient client = fixture.client();
        assertEquals("wildcard GET /only/a\n", client.request("GET", "/only/a", "Host: shop.example.com").bodyText());
        assertEquals("wildcard GET /only/a\n", client.request("GET", "/only/a", "Host: a.b.example.com").bodyText());
        assertEquals("deeper GET /only/a\n", client.request("GET", "/only/a", "Host: v1.api.example.com").bodyText());
        assertEquals("wildcard GET /only/a\n", client.request("GET", "/only/a", "Host: api.example.com").bodyText(),
                "*.api.example.com does not match api.example.com itself");
    }

    @Test
    void aHostMatchingNoDomainFallsBackToStar() throws Exception {
        RawClient client = fixture.client();
        for (String host : new String[] {"other.org", "example.com.evil.org", "example.co", "xexample.com"}) {
            RawResponse response = client.request("GET", "/x", "Host: " + host);
            assertEquals(421, response.status(), host);
            assertEquals("unknown host\n", response.bodyText());
        }
        assertEquals(0, apex.receivedBytes() + wildcard.receivedBytes() + deeper.receivedBytes());
    }

    @Test
    void aMatchedVirtualHostWithNoMatchingRouteIs404() throws Exception {
        RawClient client = fixture.client();
        ErrorResponses.assertError(client.request("GET", "/elsewhere", "Host: shop.example.com"), 404);
        assertEquals("wildcard GET /only/b\n", client.request("GET", "/only/b", "Host: shop.example.com").bodyText());
    }

    @Test
    void http10WithoutHostUsesTheStarVirtualHost() throws Exception {
        RawClient client = fixture.client();
        client.send("GET /x HTTP/1.0\r\n\r\n");
        RawResponse response = client.read();
        assertEquals(421, response.status());
    }
}

package dev.isthmus.proxy.http;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.ServerSocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Issue 4 over IPv6 loopback: a listener on [::1] serves, and X-Forwarded-For carries the IPv6 client address. */
@Timeout(60)
final class HttpIpv6Test {
    @RegisterExtension
    final ProxyFixture fixture = new ProxyFixture();

    @Test
    void anIpv6ClientIsForwardedWithItsAddress() throws Exception {
        InetAddress loopback6 = Inet6Address.getByName("::1");
        assumeTrue(bindable(loopback6), "this machine has no IPv6 loopback");
        HttpTestOrigin origin = fixture.origin("o");
        int port = fixture.start("""
                workers: 1
                listeners:
                  - name: web
                    address: "[::1]:0"
                    protocol: http
                    routes:
                      - match: { prefix: / }
                        cluster: o
                clusters:
                  - { name: o, endpoints: [127.0.0.1:%d] }
                """.formatted(origin.port()));
        try (RawClient client = RawClient.connect(loopback6, port)) {
            assertEquals("o GET /v6\n", client.get("/v6").bodyText());
        }
        // RFC 5952 text, as every proxy writes it: allow-lists compare X-Forwarded-For as text.
        assertEquals("::1", origin.lastRequest().header("X-Forwarded-For"));
    }

    private static boolean bindable(InetAddress address) {
        try (ServerSocket probe = new ServerSocket(0, 1, address)) {
            return true;
        } catch (IOException unavailable) {
            return false;
        }
    }
}

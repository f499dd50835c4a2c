package dev.isthmus.proxy.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import dev.isthmus.proxy.config.ConfigLoader;
import dev.isthmus.proxy.config.ProxyConfig;
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Matching exact, prefix, header and virtual-host routes allocates nothing; regex routes are the documented
 * exception. Counts bytes, not time: the JVM's per-thread allocation counter over many matches.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RouteTableAllocationTest {

    private static final int WARMUP_MATCHES = 200_000;
    private static final int MEASURED_MATCHES = 100_000;
    /** Well under one byte per match: tolerates a stray JIT or TLAB bookkeeping object, not per-match garbage. */
    private static final long ALLOWED_BYTES = MEASURED_MATCHES / 10;

    private static final String CONFIG = """
            listeners:
              - name: web
                address: 127.0.0.1:8080
                virtual_hosts:
                  - name: site
                    domains: [example.com, "*.example.com"]
                    routes:
                      - { match: { prefix: /api/, headers: { x-canary: "1" } }, cluster: api }
                      - { match: { prefix: /api/, headers: { x-debug: { present: true } } }, cluster: api }
                      - { match: { path: /healthz }, direct_response: { body: ok } }
                      - { match: { prefix: /api/ }, cluster: api, prefix_rewrite: / }
                      - { match: { regex: "/users/[0-9]+" }, cluster: api }
                  - name: rest
                    domains: ["*"]
                    routes: [{ match: { prefix: / }, direct_response: {} }]
            clusters: [{ name: api, endpoints: [127.0.0.1:9000] }]
            """;

    @Test
    void nonRegexMatchesAllocateNothing() throws Exception {
        ProxyConfig config = new ConfigLoader().parse("alloc.yaml", CONFIG);
        RouteTable table = RouteTable.compile(config, config.listeners().get(0));
        // Fails a header value, a header presence and an exact path before matching the plain prefix route,
        // which comes before the regex route: every non-regex kind is exercised, failing and matching.
        TestRequest forward = TestRequest.of("GET /api/users?x=1 HTTP/1.1",
                "Host: WWW.Example.com:8080", "X-Canary: 2");
        TestRequest other = TestRequest.of("GET /nothing HTTP/1.1", "Host: other.org");
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        assertTrue(threads.isThreadAllocatedMemorySupported());

        long sink = 0;
        for (int i = 0; i < WARMUP_MATCHES; i++) {
            sink += table.match(forward).clusterIndex() + table.match(other).responseStatus();
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < MEASURED_MATCHES; i++) {
            sink += table.match(forward).clusterIndex() + table.match(other).responseStatus();
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertEquals((long) (WARMUP_MATCHES + MEASURED_MATCHES) * 200, sink);
        assertTrue(allocated <= ALLOWED_BYTES,
                allocated + " bytes allocated over " + 2 * MEASURED_MATCHES + " matches");
    }
}

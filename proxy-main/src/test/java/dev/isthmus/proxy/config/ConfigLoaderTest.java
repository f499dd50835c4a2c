package dev.isthmus.proxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.proxy.config.HostPort.PortRule;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    private static final String FILE = "test.yaml";

    /** Resolves one made-up name, so tests never depend on DNS. */
    private static final HostResolver TEST_RESOLVER = name -> {
        if (name.equals("backend.test")) {
            return InetAddress.getByAddress(name, new byte[] {127, 0, 0, 9});
        }
        throw new UnknownHostException(name);
    };

    private static final ConfigLoader LOADER = new ConfigLoader(TEST_RESOLVER);

    private static final String FULL = """
            admin: { address: 127.0.0.1:9901 }
            workers: 4
            listeners:
              - name: web
                address: 0.0.0.0:8080
                protocol: http
                request_head_timeout: 250ms
                idle_timeout: 1m
                stream_idle_timeout: 45s
                max_connections: 5000
                max_request_head_bytes: 32KiB
                max_headers: 50
                max_request_body_bytes: 10MiB
                splice_threshold_bytes: 131072
                socket_send_buffer_bytes: 64KiB
                drain_timeout: 30s
                normalize_path: false
                reject_encoded_slashes: true
                access_log: logs/web-access.log
                routes:
                  - match: { prefix: /api/, headers: { x-canary: "1", x-debug: { present: true } } }
                    cluster: api-canary
                  - match: { prefix: /api/ }
                    cluster: api
                    prefix_rewrite: /
                    host_rewrite: api.internal
                    timeout: 5s
                  - match: { regex: "/users/[0-9]+" }
                    cluster: api
                  - match: { path: /old }
                    redirect: { status: 301, location: /new }
                  - match: { path: / }
                    direct_response: { status: 200, body: "isthmus is running\\n" }
              - name: sites
                address: "[::1]:8081"
                virtual_hosts:
                  - name: example
                    domains: [example.com, "*.example.com"]
                    routes:
                      - match: { prefix: / }
                        direct_response: { status: 404, body: nope, content_type: text/html }
                  - name: fallback
                    domains: ["*"]
                    routes:
                      - match: { prefix: / }
                        redirect: { location: "https://example.com/" }
              - name: db
                address: 127.0.0.1:5432
                protocol: tcp
                cluster: postgres
            clusters:
              - name: api
                endpoints: [127.0.0.1:9000, "[::1]:9001", backend.test:9002]
                lb: least_request
                connect_timeout: 250ms
                idle_timeout: 30s
                max_connections: 64
                max_pending: 0
                ejection_time: 0s
                socket_receive_buffer_bytes: 1MiB
              - name: api-canary
                endpoints: [127.0.0.1:9100]
                lb: random
              - name: postgres
                endpoints: [127.0.0.1:6432]
            """;

    private static HostPort hp(String text) {
        return HostPort.parse(text, PortRule.ALLOW_ANY_PORT, TEST_RESOLVER);
    }

    @Test
    void fullConfigBecomesTheExpectedRecords() throws Exception {
        ProxyConfig config = LOADER.parse(FILE, FULL);

        assertEquals(Optional.of(new AdminConfig(hp("127.0.0.1:9901"))), config.admin());
        assertEquals(Workers.of(4), config.workers());

        ListenerLimits webLimits = new ListenerLimits(Duration.ofMillis(250), Duration.ofMinutes(1),
                Duration.ofSeconds(45), 5000, 32 * 1024, 50, 10L << 20, 131_072, Duration.ofSeconds(30));
        ListenerConfig web = new ListenerConfig("web", hp("0.0.0.0:8080"), Protocol.HTTP, Optional.empty(), List.of(
                new RouteConfig(
                        new RouteMatch(new PathMatch.Prefix("/api/"), List.of(
                                new HeaderMatch.Value("x-canary", "1"),
                                new HeaderMatch.Presence("x-debug", true))),
                        RouteAction.Forward.to("api-canary")),
                new RouteConfig(
                        new RouteMatch(new PathMatch.Prefix("/api/"), List.of()),
                        new RouteAction.Forward("api", Optional.of("/"), Optional.of("api.internal"),
                                Duration.ofSeconds(5))),
                new RouteConfig(
                        new RouteMatch(new PathMatch.Regex(Pattern.compile("/users/[0-9]+")), List.of()),
                        RouteAction.Forward.to("api")),
                new RouteConfig(
                        new RouteMatch(new PathMatch.Exact("/old"), List.of()),
                        new RouteAction.Redirect(301, "/new")),
                new RouteConfig(
                        new RouteMatch(new PathMatch.Exact("/"), List.of()),
                        new RouteAction.DirectResponse(200, "isthmus is running\n", "text/plain; charset=utf-8"))),
                List.of(), webLimits, false, Optional.of(Path.of("logs/web-access.log")), new SocketBuffers(65_536, 0),
                true);
        ListenerConfig sites = new ListenerConfig("sites", hp("[::1]:8081"), Protocol.HTTP, Optional.empty(),
                List.of(), List.of(
                        new VirtualHostConfig("example", List.of("example.com", "*.example.com"), List.of(
                                new RouteConfig(new RouteMatch(new PathMatch.Prefix("/"), List.of()),
                                        new RouteAction.DirectResponse(404, "nope", "text/html")))),
                        new VirtualHostConfig("fallback", List.of("*"), List.of(
                                new RouteConfig(new RouteMatch(new PathMatch.Prefix("/"), List.of()),
                                        new RouteAction.Redirect(302, "https://example.com/"))))),
                ListenerLimits.DEFAULTS, true, Optional.empty(), SocketBuffers.KERNEL_DEFAULT, false);
        ListenerConfig db = ListenerConfig.tcp("db", hp("127.0.0.1:5432"), "postgres");
        assertEquals(List.of(web, sites, db), config.listeners());

        assertEquals(List.of(
                new ClusterConfig("api", List.of(hp("127.0.0.1:9000"), hp("[::1]:9001"), hp("backend.test:9002")),
                        LoadBalancerPolicy.LEAST_REQUEST, Duration.ofMillis(250), Duration.ofSeconds(30), 64, 0,
                        Duration.ZERO, new SocketBuffers(0, 1 << 20)),
                new ClusterConfig("api-canary", List.of(hp("127.0.0.1:9100")), LoadBalancerPolicy.RANDOM,
                        ClusterConfig.DEFAULT_CONNECT_TIMEOUT, ClusterConfig.DEFAULT_IDLE_TIMEOUT,
                        ClusterConfig.DEFAULT_MAX_CONNECTIONS, ClusterConfig.DEFAULT_MAX_PENDING,
                        ClusterConfig.DEFAULT_EJECTION_TIME, SocketBuffers.KERNEL_DEFAULT),
                ClusterConfig.of("postgres", List.of(hp("127.0.0.1:6432")))), config.clusters());
        assertEquals("127.0.0.9", config.clusters().get(0).endpoints().get(2).address().getHostAddress());
        assertEquals(2, config.clusterIndex("postgres"));
        assertEquals(-1, config.clusterIndex("nope"));
    }

    @Test
    void minimalConfigTakesEveryDefault() throws Exception {
        ProxyConfig config = LOADER.parse(FILE, """
                listeners:
                  - name: web
                    address: 127.0.0.1:0
                    routes:
                      - match: { path: /healthz }
                        direct_response: {}
                """);
        assertEquals(Optional.empty(), config.admin());
        assertEquals(Workers.AUTO, config.workers());
        assertEquals(List.of(ListenerConfig.http("web", hp("127.0.0.1:0"), List.of(new RouteConfig(
                new RouteMatch(new PathMatch.Exact("/healthz"), List.of()),
                new RouteAction.DirectResponse(200, "", RouteAction.DirectResponse.DEFAULT_CONTENT_TYPE))))),
                config.listeners());
        assertEquals(List.of(), config.clusters());
    }

    @Test
    void loadsFromAFileNamingItInErrors(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("isthmus.yaml");
        Files.writeString(file, "workers: 2\n");
        ConfigException e = assertThrows(ConfigException.class, () -> LOADER.load(file));
        assertEquals(file + ":1: listeners: missing required field", e.getMessage());
    }

    private static void assertErrors(String yaml, String... expected) {
        ConfigException e = assertThrows(ConfigException.class, () -> LOADER.parse(FILE, yaml));
        assertEquals(String.join("\n", expected), e.getMessage());
        assertEquals(expected.length, e.errors().size());
    }

    private static final String WEB_HEAD = """
            listeners:
              - name: web
                address: 127.0.0.1:8080
                routes:
            """;

    private static final String DIRECT_ROUTE = """
                  - match: { prefix: / }
                    direct_response: {}
            """;

    @Test
    void unknownKey() {
        assertErrors("""
                listeners:
                  - name: web
                    adress: 127.0.0.1:8080
                """,
                "test.yaml:2: listeners[0].address: missing required field",
                "test.yaml:2: listeners[0].routes: missing required field (or virtual_hosts)",
                "test.yaml:3: listeners[0].adress: unknown key (expected one of: name, address, protocol, cluster, "
                        + "routes, virtual_hosts, request_head_timeout, idle_timeout, stream_idle_timeout, "
                        + "max_connections, max_request_head_bytes, max_headers, max_request_body_bytes, "
                        + "splice_threshold_bytes, drain_timeout, normalize_path, reject_encoded_slashes, access_log, socket_send_buffer_bytes, "
                        + "socket_receive_buffer_bytes)");
    }

    @Test
    void wrongTypes() {
        assertErrors(WEB_HEAD + """
                      - match: { path: 42 }
                        direct_response: { status: ok }
                clusters: { name: api }
                """,
                "test.yaml:5: listeners[0].routes[0].match.path: expected a string, got the number 42 "
                        + "(quote it to make it a string)",
                "test.yaml:6: listeners[0].routes[0].direct_response.status: expected a whole number, "
                        + "got the string 'ok'",
                "test.yaml:7: clusters: expected a list, got a mapping");
    }

    @Test
    void missingRequiredFields() {
        assertErrors("""
                listeners:
                  - address: 127.0.0.1:8080
                    protocol: tcp
                clusters:
                  - name: api
                """,
                "test.yaml:2: listeners[0].name: missing required field",
                "test.yaml:2: listeners[0].cluster: missing required field",
                "test.yaml:5: clusters[0].endpoints: missing required field");
    }

    @Test
    void badAddresses() {
        assertErrors("""
                admin: { address: "localhost" }
                listeners:
                  - name: web
                    address: 127.0.0.1:80800
                    protocol: tcp
                    cluster: api
                clusters:
                  - name: api
                    endpoints:
                      - 127.0.0.1:9000
                      - 127.0.0.1:0
                      - nowhere.test:80
                """,
                "test.yaml:1: admin.address: bad address 'localhost': expected HOST:PORT",
                "test.yaml:4: listeners[0].address: bad address '127.0.0.1:80800': port must be a number "
                        + "from 0 to 65535",
                "test.yaml:11: clusters[0].endpoints[1]: bad address '127.0.0.1:0': port must be a number "
                        + "from 1 to 65535",
                "test.yaml:12: clusters[0].endpoints[2]: cannot resolve host 'nowhere.test'");
    }

    @Test
    void badDurations() {
        assertErrors("""
                listeners:
                  - name: web
                    address: 127.0.0.1:8080
                    idle_timeout: 60
                    drain_timeout: 5 s
                    request_head_timeout: 0ms
                    protocol: tcp
                    cluster: api
                clusters:
                  - name: api
                    endpoints: [127.0.0.1:9000]
                    connect_timeout: 1.5s
                    ejection_time: -1s
                """,
                "test.yaml:4: listeners[0].idle_timeout: a duration needs a unit: " + Durations.FORMAT,
                "test.yaml:5: listeners[0].drain_timeout: bad duration '5 s': " + Durations.FORMAT,
                "test.yaml:6: listeners[0].request_head_timeout: bad duration '0ms': must be more than zero",
                "test.yaml:6: listeners[0].request_head_timeout: only applies to http listeners",
                "test.yaml:12: clusters[0].connect_timeout: bad duration '1.5s': " + Durations.FORMAT,
                "test.yaml:13: clusters[0].ejection_time: bad duration '-1s': " + Durations.FORMAT);
    }

    @Test
    void anAccessLogIsAPathOnAnHttpListener() {
        assertErrors("""
                listeners:
                  - name: web
                    address: 127.0.0.1:8080
                    access_log: ""
                    routes:
                      - match: { prefix: / }
                        direct_response: {}
                  - name: other
                    address: 127.0.0.1:8081
                    access_log: [a, b]
                    routes:
                      - match: { prefix: / }
                        direct_response: {}
                  - name: db
                    address: 127.0.0.1:5432
                    protocol: tcp
                    cluster: api
                    access_log: db.log
                clusters:
                  - name: api
                    endpoints: [127.0.0.1:9000]
                """,
                "test.yaml:4: listeners[0].access_log: must not be empty",
                "test.yaml:10: listeners[1].access_log: expected a string, got a list",
                "test.yaml:18: listeners[2].access_log: only applies to http listeners");
    }

    @Test
    void badSizes() {
        assertErrors("""
                listeners:
                  - name: web
                    address: 127.0.0.1:8080
                    max_request_head_bytes: 64KB
                    splice_threshold_bytes: 4GiB
                    max_headers: 0
                    max_request_body_bytes: -1
                    routes:
                      - match: { prefix: / }
                        direct_response: {}
                """,
                "test.yaml:4: listeners[0].max_request_head_bytes: bad size '64KB': " + Sizes.FORMAT,
                "test.yaml:5: listeners[0].splice_threshold_bytes: must be from 0 to 2147483647 bytes, got 4294967296",
                "test.yaml:6: listeners[0].max_headers: must be from 1 to 10000, got 0",
                "test.yaml:7: listeners[0].max_request_body_bytes: must be from 0 to 9223372036854775807 bytes, "
                        + "got -1");
    }

    @Test
    void aBodyLimitMayPassTwoGibibytes() throws ConfigException {
        ProxyConfig config = LOADER.parse(FILE, """
                listeners:
                  - name: uploads
                    address: 127.0.0.1:8080
                    max_request_body_bytes: 10GiB
                    routes:
                      - match: { prefix: / }
                        direct_response: {}
                  - name: archive
                    address: 127.0.0.1:8081
                    max_request_body_bytes: 5497558138880
                    routes:
                      - match: { prefix: / }
                        direct_response: {}
                """);
        assertEquals(10L << 30, config.listeners().get(0).limits().maxRequestBodyBytes());
        assertEquals(5L << 40, config.listeners().get(1).limits().maxRequestBodyBytes());
    }

    @Test
    void sizesPastSixtyFourBitsOrNotInDecimalAreErrors() {
        assertErrors("""
                listeners:
                  - name: web
                    address: 127.0.0.1:8080
                    max_request_body_bytes: 9000000TiB
                    splice_threshold_bytes: 99999999999999999999
                    max_request_head_bytes: 0x4000
                    routes:
                      - match: { prefix: / }
                        direct_response: {}
                """,
                "test.yaml:4: listeners[0].max_request_body_bytes: bad size '9000000TiB': more bytes than a 64-bit "
                        + "count holds",
                "test.yaml:5: listeners[0].splice_threshold_bytes: bad size 99999999999999999999: more bytes than a "
                        + "64-bit count holds",
                "test.yaml:6: listeners[0].max_request_head_bytes: bad size '0x4000': " + Sizes.FORMAT);
    }

    @Test
    void workersArePinnedOnlyWhenAsked() throws ConfigException {
        assertFalse(LOADER.parse(FILE, WEB_HEAD + DIRECT_ROUTE).pinWorkers());
        assertTrue(LOADER.parse(FILE, "pin_workers: true\n" + WEB_HEAD + DIRECT_ROUTE).pinWorkers());
        assertErrors("pin_workers: 2\n" + WEB_HEAD + DIRECT_ROUTE,
                "test.yaml:1: pin_workers: expected true or false, got the number 2");
    }

    @Test
    void theSplicePipeSizeIsAutoUnlessConfigured() throws ConfigException {
        assertEquals(SplicePipeSize.AUTO, LOADER.parse(FILE, WEB_HEAD + DIRECT_ROUTE).splicePipeSize());
        assertEquals(SplicePipeSize.AUTO,
                LOADER.parse(FILE, "splice_pipe_bytes: auto\n" + WEB_HEAD + DIRECT_ROUTE).splicePipeSize());
        assertEquals(new SplicePipeSize(256 * 1024),
                LOADER.parse(FILE, "splice_pipe_bytes: 256KiB\n" + WEB_HEAD + DIRECT_ROUTE).splicePipeSize());
        assertErrors("splice_pipe_bytes: 2MiB\n" + WEB_HEAD + DIRECT_ROUTE,
                "test.yaml:1: splice_pipe_bytes: must be from 4096 to 1048576 bytes, got 2097152");
        assertErrors("splice_pipe_bytes: big\n" + WEB_HEAD + DIRECT_ROUTE,
                "test.yaml:1: splice_pipe_bytes: expected auto or a size from 4KiB to 1MiB (as 64KiB), got 'big'");
    }

    @Test
    void sizeOutOfRange() {
        assertErrors("""
                listeners:
                  - name: web
                    address: 127.0.0.1:8080
                    max_request_head_bytes: 2MiB
                    routes:
                      - match: { prefix: / }
                        direct_response: {}
                """,
                "test.yaml:4: listeners[0].max_request_head_bytes: must be from 1024 to 1048576 bytes, "
                        + "got 2097152");
    }

    @Test
    void socketBufferSizesOutOfRange() {
        assertErrors("""
                listeners:
                  - name: db
                    address: 127.0.0.1:5432
                    protocol: tcp
                    cluster: pg
                    socket_receive_buffer_bytes: 1KiB
                clusters:
                  - name: pg
                    endpoints: [127.0.0.1:6432]
                    socket_send_buffer_bytes: 512MiB
                """,
                "test.yaml:6: listeners[0].socket_receive_buffer_bytes: must be from 4096 to 268435456 bytes, "
                        + "got 1024",
                "test.yaml:10: clusters[0].socket_send_buffer_bytes: must be from 4096 to 268435456 bytes, "
                        + "got 536870912");
    }

    @Test
    void duplicateListenerAndClusterNames() {
        assertErrors("""
                listeners:
                  - name: db
                    address: 127.0.0.1:5432
                    protocol: tcp
                    cluster: pg
                  - name: db
                    address: 127.0.0.1:5433
                    protocol: tcp
                    cluster: pg
                clusters:
                  - name: pg
                    endpoints: [127.0.0.1:6432]
                  - name: pg
                    endpoints: [127.0.0.1:6433]
                """,
                "test.yaml:6: listeners[1].name: duplicate listener name 'db' (first at line 2)",
                "test.yaml:13: clusters[1].name: duplicate cluster name 'pg' (first at line 11)");
    }

    @Test
    void duplicateListenerAddresses() {
        assertErrors("""
                admin: { address: 127.0.0.1:7000 }
                listeners:
                  - name: a
                    address: 127.0.0.1:7000
                    protocol: tcp
                    cluster: pg
                  - name: b
                    address: 0.0.0.0:7001
                    protocol: tcp
                    cluster: pg
                  - name: c
                    address: 127.0.0.1:7001
                    protocol: tcp
                    cluster: pg
                  - name: d
                    address: 127.0.0.1:0
                    protocol: tcp
                    cluster: pg
                  - name: e
                    address: 127.0.0.1:0
                    protocol: tcp
                    cluster: pg
                clusters:
                  - name: pg
                    endpoints: [127.0.0.1:6432]
                """,
                "test.yaml:4: listeners[0].address: address 127.0.0.1:7000 overlaps 127.0.0.1:7000 of "
                        + "admin.address (line 1)",
                "test.yaml:12: listeners[2].address: address 127.0.0.1:7001 overlaps 0.0.0.0:7001 of "
                        + "listeners[1].address (line 8)");
    }

    @Test
    void unknownClusters() {
        assertErrors("""
                listeners:
                  - name: web
                    address: 127.0.0.1:8080
                    routes:
                      - match: { prefix: /api/ }
                        cluster: api
                      - match: { prefix: / }
                        cluster: apii
                  - name: db
                    address: 127.0.0.1:5432
                    protocol: tcp
                    cluster: postgres
                clusters:
                  - name: api
                    endpoints: [127.0.0.1:9000]
                """,
                "test.yaml:8: listeners[0].routes[1].cluster: unknown cluster 'apii'",
                "test.yaml:12: listeners[1].cluster: unknown cluster 'postgres'");
    }

    @Test
    void invalidRegex() {
        assertErrors(WEB_HEAD + """
                      - match: { regex: "/users/[0-9+" }
                        direct_response: {}
                """,
                "test.yaml:5: listeners[0].routes[0].match.regex: invalid regex '/users/[0-9+': "
                        + "Unclosed character class at index 11");
    }

    @Test
    void yamlSyntaxError() {
        assertErrors("""
                listeners:
                  - name: web
                   address: 127.0.0.1:8080
                """,
                "test.yaml:3: yaml: expected <block end>, but found '<block mapping start>'");
    }

    @Test
    void duplicateYamlKey() {
        assertErrors("""
                workers: 2
                workers: 3
                listeners:
                  - name: db
                    address: 127.0.0.1:5432
                    protocol: tcp
                    cluster: pg
                clusters: [{ name: pg, endpoints: [127.0.0.1:6432] }]
                """,
                "test.yaml:2: workers: duplicate key (first at line 1)");
    }

    @Test
    void routeShapeErrors() {
        assertErrors(WEB_HEAD + """
                      - match: { path: /a, prefix: /b }
                        direct_response: {}
                      - match: { prefix: b }
                        cluster: api
                        redirect: { location: /x }
                      - match: { regex: /c.* }
                        cluster: api
                        prefix_rewrite: /
                      - match: {}
                        timeout: 5s
                      - match: { path: /d, headers: { "bad header": x, x-ok: " padded" } }
                        redirect: { status: 200 }
                      - match: { path: /e }
                        direct_response: { status: 204, body: hello }
                clusters: [{ name: api, endpoints: [127.0.0.1:9000] }]
                """,
                "test.yaml:5: listeners[0].routes[0].match.prefix: only one of path, prefix, regex "
                        + "(already has path)",
                "test.yaml:7: listeners[0].routes[1].match.prefix: must start with '/' and be visible ASCII "
                        + "without '?' or '#', got 'b'",
                "test.yaml:9: listeners[0].routes[1].redirect: only one of cluster, direct_response, redirect "
                        + "(already has cluster)",
                "test.yaml:12: listeners[0].routes[2].prefix_rewrite: needs a path or prefix match, not regex",
                "test.yaml:13: listeners[0].routes[3].match: needs one of path, prefix, regex",
                "test.yaml:13: listeners[0].routes[3]: needs one of cluster, direct_response, redirect",
                "test.yaml:14: listeners[0].routes[3].timeout: only applies to routes with cluster",
                "test.yaml:15: listeners[0].routes[4].match.headers.bad header: not a valid header name",
                "test.yaml:15: listeners[0].routes[4].match.headers.x-ok: value has leading or trailing "
                        + "whitespace, which never matches",
                "test.yaml:16: listeners[0].routes[4].redirect.status: a redirect status is one of 301, 302, "
                        + "303, 307, 308, got 200",
                "test.yaml:16: listeners[0].routes[4].redirect.location: missing required field",
                "test.yaml:18: listeners[0].routes[5].direct_response.body: a 204 response has no body");
    }

    @Test
    void listenerShapeErrors() {
        assertErrors("""
                workers: many
                listeners:
                  - name: web
                    address: 127.0.0.1:8080
                    cluster: api
                    routes: []
                  - name: both
                    address: 127.0.0.1:8081
                    routes: [{ match: { prefix: / }, direct_response: {} }]
                    virtual_hosts: []
                  - name: "bad name"
                    address: 127.0.0.1:8082
                    protocol: udp
                  - name: hosts
                    address: 127.0.0.1:8083
                    virtual_hosts:
                      - name: a
                        domains: [example.com, "*.example.com"]
                        routes: [{ match: { prefix: / }, direct_response: {} }]
                      - name: a
                        domains: [EXAMPLE.com, "example.com:80", "*"]
                        routes: [{ match: { prefix: / }, direct_response: {} }]
                clusters: [{ name: api, endpoints: [127.0.0.1:9000], lb: fastest }]
                """,
                "test.yaml:1: workers: expected auto or a number from 1 to 1024, got 'many'",
                "test.yaml:5: listeners[0].cluster: only applies to tcp listeners (http listeners name "
                        + "clusters in routes)",
                "test.yaml:6: listeners[0].routes: needs at least one route",
                "test.yaml:10: listeners[1].virtual_hosts: a listener has either routes or virtual_hosts, "
                        + "not both",
                "test.yaml:11: listeners[2].name: bad name 'bad name': use up to 64 letters, digits, '_', '-' "
                        + "and '.', starting with a letter or digit",
                "test.yaml:13: listeners[2].protocol: expected http or tcp, got 'udp'",
                "test.yaml:20: listeners[3].virtual_hosts[1].name: duplicate virtual host name 'a' "
                        + "(first at line 17)",
                "test.yaml:21: listeners[3].virtual_hosts[1].domains[0]: duplicate domain 'EXAMPLE.com' "
                        + "(first at line 18)",
                "test.yaml:21: listeners[3].virtual_hosts[1].domains[1]: bad domain 'example.com:80': "
                        + "expected a host name without port, *.suffix, or *",
                "test.yaml:23: clusters[0].lb: expected round_robin, random or least_request, got 'fastest'");
    }

    @Test
    void documentThatIsNotAMapping() {
        assertErrors("- name: web\n", "test.yaml:1: (top level): expected a mapping, got a list");
    }

    @Test
    void emptyFile() {
        assertErrors("", "test.yaml:1: listeners: missing required field (the file is empty)");
    }
}

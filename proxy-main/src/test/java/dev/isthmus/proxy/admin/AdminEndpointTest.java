package dev.isthmus.proxy.admin;

import dev.isthmus.proxy.config.ConfigError;
import dev.isthmus.proxy.config.ConfigException;
import dev.isthmus.proxy.config.ConfigLoader;
import dev.isthmus.proxy.config.ConfigSource;
import dev.isthmus.proxy.config.ProxyConfig;
import dev.isthmus.proxy.http.HttpTestOrigin;
import dev.isthmus.proxy.http.OriginScripts;
import dev.isthmus.proxy.http.ProxyFixture;
import dev.isthmus.proxy.http.RawClient;
import dev.isthmus.proxy.http.RawResponse;
import dev.isthmus.proxy.server.ReloadRefusedException;
import dev.isthmus.proxy.testing.Eventually;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The admin endpoint: readiness that follows a drain, and stats that count what the listeners did. */
@Timeout(60)
final class AdminEndpointTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    final ProxyFixture fixture = new ProxyFixture();

    private String config(int originPort, int workers) {
        return """
                admin: { address: 127.0.0.1:0 }
                workers: %d
                listeners:
                  - name: web
                    address: 127.0.0.1:0
                    protocol: http
                    routes:
                      - match: { path: /local }
                        direct_response: { status: 200, body: "here\\n" }
                      - match: { prefix: /o/ }
                        cluster: o
                  - name: raw
                    address: 127.0.0.1:0
                    protocol: tcp
                    cluster: o
                clusters:
                  - { name: o, endpoints: [127.0.0.1:%d] }
                """.formatted(workers, originPort);
    }

    @Test
    void statsCountEveryListenersTrafficOverAllWorkers() throws Exception {
        HttpTestOrigin origin = fixture.origin("o");
        origin.on("/o/x", OriginScripts.text(200, "from the origin"));
        fixture.start(config(origin.port(), 2));
        for (int i = 0; i < 6; i++) {
            try (RawClient client = RawClient.connect(fixture.port())) {
                assertEquals(200, client.get("/o/x").status());
                assertEquals(200, client.get("/local").status());
                assertEquals(404, client.get("/nowhere").status());
            }
        }
        try (RawClient client = RawClient.connect(fixture.port())) {
            assertEquals(400, client.send("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n").read().status());
        }
        Eventually.await("every connection closed", WAIT, () -> fixture.listener().activeConnections() == 0);

        RawResponse stats = admin("/stats");
        assertEquals(200, stats.status());
        assertEquals(PrometheusText.CONTENT_TYPE, stats.header("Content-Type"));
        String page = stats.bodyText();
        assertEquals(2, sample(page, "isthmus_workers"));
        assertEquals(0, sample(page, "isthmus_draining"));
        assertEquals(7,
                sample(page, "isthmus_listener_connections_accepted_total{listener=\"web\",protocol=\"http\"}"));
        assertEquals(0, sample(page, "isthmus_listener_connections_active{listener=\"web\",protocol=\"http\"}"));
        assertEquals(18, sample(page, "isthmus_http_requests_total{listener=\"web\"}"));
        assertEquals(6, sample(page, "isthmus_http_upstream_requests_total{listener=\"web\"}"));
        assertEquals(12, sample(page, "isthmus_http_local_responses_total{listener=\"web\"}"));
        assertEquals(1, sample(page, "isthmus_http_rejected_requests_total{listener=\"web\"}"));
        assertEquals(12, sample(page, "isthmus_http_responses_total{listener=\"web\",class=\"2xx\"}"));
        assertEquals(7, sample(page, "isthmus_http_responses_total{listener=\"web\",class=\"4xx\"}"));
        assertEquals(6, sample(page, "isthmus_http_proxy_errors_total{listener=\"web\",code=\"404\"}"));
        assertEquals(1, sample(page, "isthmus_http_proxy_errors_total{listener=\"web\",code=\"400\"}"));
        assertEquals(0, sample(page, "isthmus_tcp_upstream_failures_total{listener=\"raw\"}"));
        assertEquals(18, sample(page, "isthmus_http_request_duration_seconds_count{listener=\"web\"}"),
                "every request whose head parsed is timed");
        assertEquals(18, sample(page, "isthmus_http_request_duration_seconds_bucket{listener=\"web\",le=\"+Inf\"}"));
        assertTrue(page.contains("# TYPE isthmus_http_request_duration_seconds histogram\n"), page);
        assertTrue(page.contains("# TYPE isthmus_http_requests_total counter\n"), page);
        long open = sample(page, "isthmus_cluster_upstream_connections_open{cluster=\"o\"}");
        assertTrue(open >= 1, page);
        assertEquals(open, sample(page, "isthmus_cluster_upstream_connections_idle{cluster=\"o\"}"),
                "every upstream connection is back in its pool");
        assertEquals(0, sample(page, "isthmus_cluster_pending_requests{cluster=\"o\"}"));
        assertEquals(0, sample(page, "isthmus_cluster_ejected_endpoints{cluster=\"o\"}"));
    }

    @Test
    void reloadsAreCountedByOutcome() throws Exception {
        HttpTestOrigin origin = fixture.origin("o");
        String running = config(origin.port(), 1);
        fixture.start(running);
        ConfigLoader loader = new ConfigLoader();
        fixture.proxy().reload(loader.parse("same.yaml", running));
        assertThrows(ReloadRefusedException.class,
                () -> fixture.proxy().reload(loader.parse("more.yaml", config(origin.port(), 2))));
        fixture.proxy().reloadFrom(Optional.of(new ConfigSource() {
            @Override
            public String name() {
                return "broken.yaml";
            }

            @Override
            public ProxyConfig load() throws ConfigException {
                throw new ConfigException(new ConfigError("broken.yaml", 3, "listeners", "not a list"));
            }
        }));
        String page = admin("/stats").bodyText();
        assertEquals(1, sample(page, "isthmus_config_reloads_total{result=\"applied\"}"));
        assertEquals(1, sample(page, "isthmus_config_reloads_total{result=\"refused\"}"));
        assertEquals(1, sample(page, "isthmus_config_reloads_total{result=\"invalid\"}"));
        assertEquals(0, sample(page, "isthmus_config_reloads_total{result=\"failed\"}"));
    }

    @Test
    void aDeadEndpointShowsAsEjected() throws Exception {
        HttpTestOrigin origin = fixture.origin("o");
        int deadPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            deadPort = socket.getLocalPort();
        }
        fixture.start("""
                admin: { address: 127.0.0.1:0 }
                workers: 1
                listeners:
                  - name: web
                    address: 127.0.0.1:0
                    protocol: http
                    routes:
                      - match: { prefix: / }
                        cluster: half
                clusters:
                  - { name: half, endpoints: [127.0.0.1:%d, 127.0.0.1:%d], lb: round_robin }
                """.formatted(deadPort, origin.port()));
        RawClient client = fixture.client();
        for (int i = 0; i < 2; i++) {
            assertEquals(200, client.get("/x").status());
        }
        String page = admin("/stats").bodyText();
        assertEquals(1, sample(page, "isthmus_cluster_ejected_endpoints{cluster=\"half\"}"), page);
        assertEquals(1, sample(page, "isthmus_http_upstream_failures_total{listener=\"web\"}"), page);
    }

    @Test
    void tcpListenerCountsSplicedBytesEachWay() throws Exception {
        HttpTestOrigin origin = fixture.origin("o");
        origin.on("/o/x", OriginScripts.text(200, "from the origin"));
        fixture.start(config(origin.port(), 1));
        String request = RawClient.head("GET", "/o/x", "Connection: close");
        long responseBytes;
        try (RawClient client = RawClient.connect(fixture.proxy().port("raw"))) {
            client.send(request);
            responseBytes = client.readUntilClosed().length;
        }
        Eventually.await("the session closed and counted", WAIT, () -> fixture.proxy().listener("raw")
                .tcpBytesSpliced() == request.length() + responseBytes);
        String page = admin("/stats").bodyText();
        assertEquals(request.length(),
                sample(page, "isthmus_tcp_bytes_spliced_total{listener=\"raw\",direction=\"upstream\"}"));
        assertEquals(responseBytes,
                sample(page, "isthmus_tcp_bytes_spliced_total{listener=\"raw\",direction=\"downstream\"}"));
    }

    @Test
    void readyTurns503WhenADrainBeginsAndTheEndpointClosesWithTheProxy() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        HttpTestOrigin origin = fixture.origin("o");
        origin.on("/o/slow", OriginScripts.after(release, OriginScripts.text(200, "done")));
        fixture.start(config(origin.port(), 1));
        RawResponse ready = admin("/ready");
        assertEquals(200, ready.status());
        assertEquals("LIVE\n", ready.bodyText());

        RawClient busy = fixture.client();
        busy.send(RawClient.head("GET", "/o/slow"));
        Eventually.await("the request reached the origin", WAIT, () -> !origin.requests().isEmpty());
        CompletableFuture<Void> drained = CompletableFuture.runAsync(() -> {
            try {
                fixture.proxy().drain(WAIT);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Eventually.await("/ready says the proxy is draining", WAIT, () -> readyStatus() == 503);
        assertEquals("DRAINING\n", admin("/ready").bodyText());
        assertEquals(1, sample(admin("/stats").bodyText(), "isthmus_draining"));
        release.countDown();
        assertEquals("done", busy.read().bodyText());
        drained.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        int adminPort = fixture.proxy().adminPort();
        Eventually.await("the admin endpoint closed", WAIT, () -> refused(adminPort));
    }

    @Test
    void answersOnlyGetAndHeadOnItsOwnPages() throws Exception {
        HttpTestOrigin origin = fixture.origin("o");
        fixture.start(config(origin.port(), 1));
        try (RawClient client = RawClient.connect(fixture.proxy().adminPort())) {
            RawResponse post = client.request("POST", "/stats", "Content-Length: 0");
            assertEquals(405, post.status());
            assertEquals("GET, HEAD", post.header("Allow"));
            assertEquals(404, client.get("/nothing-here").status());
            RawResponse index = client.get("/");
            assertTrue(index.bodyText().contains("/stats"), index::toString);
            RawResponse head = client.request("HEAD", "/ready");
            assertEquals(200, head.status());
            assertEquals(0, head.body().length);
        }
        assertTrue(origin.requests().isEmpty(), "admin requests never reach a cluster");
    }

    @Test
    void aClientStuckHalfwayThroughItsHeadDoesNotHoldReadinessForTheOthers() throws Exception {
        HttpTestOrigin origin = fixture.origin("o");
        fixture.start(config(origin.port(), 1));
        try (RawClient stuck = RawClient.connect(fixture.proxy().adminPort())) {
            stuck.send("GET /ready HTTP/1.1\r\nHost: admin\r\n");
            try (RawClient prober = RawClient.connect(fixture.proxy().adminPort())) {
                assertEquals(200, prober.readTimeout(WAIT).get("/ready").status(),
                        "a load balancer's probe is answered while another client's head is incomplete");
            }
        }
    }

    private RawResponse admin(String path) throws IOException {
        try (RawClient client = RawClient.connect(fixture.proxy().adminPort())) {
            return client.get(path);
        }
    }

    private int readyStatus() {
        try {
            return admin("/ready").status();
        } catch (IOException e) {
            return -1;
        }
    }

    private static boolean refused(int port) {
        try (RawClient ignored = RawClient.connect(port)) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    @Test
    void requestDurationsFallIntoTheirBuckets() throws Exception {
        HttpTestOrigin origin = fixture.origin("o");
        Duration slow = Duration.ofMillis(1500);
        origin.on("/o/slow", OriginScripts.delayed(slow, OriginScripts.text(200, "late")));
        fixture.start(config(origin.port(), 1));
        try (RawClient client = RawClient.connect(fixture.port())) {
            for (int i = 0; i < 5; i++) {
                assertEquals(200, client.get("/local").status());
            }
            assertEquals(200, client.get("/o/slow").status());
        }
        String page = admin("/stats").bodyText();
        String bucket = "isthmus_http_request_duration_seconds_bucket{listener=\"web\",le=\"%s\"}";
        assertEquals(5, sample(page, bucket.formatted("1")), "the local answers, well under a second");
        assertEquals(6, sample(page, bucket.formatted("2.5")), "and the slow one, over a second");
        assertEquals(6, sample(page, "isthmus_http_request_duration_seconds_count{listener=\"web\"}"));
        Matcher sum = Pattern.compile("^isthmus_http_request_duration_seconds_sum\\{listener=\"web\"} (\\S+)$",
                Pattern.MULTILINE).matcher(page);
        assertTrue(sum.find(), page);
        double seconds = Double.parseDouble(sum.group(1));
        assertTrue(seconds >= slow.toMillis() / 1000.0 && seconds < 2.5 * 6, page);
    }

    private static long sample(String page, String series) {
        Matcher m = Pattern.compile("^" + Pattern.quote(series) + " (\\d+)$", Pattern.MULTILINE).matcher(page);
        assertTrue(m.find(), () -> "no sample " + series + " in:\n" + page);
        return Long.parseLong(m.group(1));
    }
}

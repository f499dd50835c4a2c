package dev.isthmus.proxy.http;

import dev.isthmus.proxy.testing.ChildJava;
import dev.isthmus.proxy.testing.Eventually;
import dev.isthmus.proxy.testing.OpenFds;
import dev.isthmus.proxy.testing.Payloads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 4, under load and under a dying upstream: a thousand keep-alive clients all get correct answers, and an
 * upstream killed with SIGKILL mid-response never leaves a client hanging while the proxy keeps serving.
 */
final class HttpLoadTest {
    private static final int CLIENTS = 1000;
    private static final int REQUESTS_PER_CLIENT = 20;
    private static final Duration CLIENT_BOUND = Duration.ofSeconds(10);
    private static final int CHURN_CONNECTIONS = 2000;
    private static final int CHURN_CONCURRENCY = 100;
    private static final int CHAOS_CLIENTS = 100;
    private static final int CHAOS_REQUESTS = 10;
    private static final int CHAOS_ABORT_ONE_IN = 4;
    private static final long MIB = 1024 * 1024;
    private static final int IDLE_CLIENTS = 100;
    private static final int SPLICED_BODY = 256 * 1024;

    @RegisterExtension
    final ProxyFixture fixture = new ProxyFixture();

    private static HttpHead getHead(RawClient client, String target) throws IOException {
        client.send(RawClient.head("GET", target));
        return client.readHead();
    }

    private void start(int workers, int... originPorts) throws Exception {
        StringBuilder clusters = new StringBuilder();
        for (int i = 0; i < originPorts.length; i++) {
            clusters.append("  - { name: c").append(i).append(", endpoints: [127.0.0.1:").append(originPorts[i])
                    .append("] }\n");
        }
        fixture.start("""
                workers: %d
                listeners:
                  - name: web
                    address: 127.0.0.1:0
                    protocol: http
                    routes:
                      - match: { path: /direct }
                        direct_response: { status: 200, body: "direct\\n" }
                      - match: { prefix: /second/ }
                        cluster: c1
                      - match: { prefix: / }
                        cluster: c0
                clusters:
                %s""".formatted(workers, clusters));
    }

    @Test
    @Timeout(120)
    void aThousandKeepAliveClientsOfTwentyRequestsEachAllGetTheirOwnAnswers() throws Exception {
        HttpTestOrigin origin = fixture.origin("o");
        start(2, origin.port(), origin.port());
        int port = fixture.port();
        List<Future<Integer>> clients = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < CLIENTS; c++) {
                int id = c;
                clients.add(threads.submit(() -> {
                    int ok = 0;
                    try (RawClient client = RawClient.connect(port)) {
                        for (int r = 0; r < REQUESTS_PER_CLIENT; r++) {
                            String target = "/load/" + id + "/" + r;
                            RawResponse response = client.get(target);
                            assertEquals(200, response.status());
                            assertEquals("o GET " + target + "\n", response.bodyText());
                            ok++;
                        }
                    }
                    return ok;
                }));
            }
            int total = 0;
            for (Future<Integer> client : clients) {
                total += client.get(100, TimeUnit.SECONDS);
            }
            assertEquals(CLIENTS * REQUESTS_PER_CLIENT, total);
        }
        assertEquals(CLIENTS * REQUESTS_PER_CLIENT, origin.requests().size());
        assertTrue(origin.acceptedCount() <= CLIENTS,
                "keep-alive upstream: at most one connection per concurrent client, got " + origin.acceptedCount());
        Eventually.await("every downstream connection released", CLIENT_BOUND,
                () -> fixture.listener().activeConnections() == 0);
    }

    @Test
    @Timeout(60)
    void idleKeepAliveConnectionsHoldNoSplicePipes() throws Exception {
        HttpTestOrigin origin = fixture.origin("o");
        origin.onPrefix("/spliced/", OriginScripts.streamed(7, SPLICED_BODY));
        start(1, origin.port(), origin.port());
        long pipesBefore = pipes();
        List<RawClient> idle = new ArrayList<>();
        for (int i = 0; i < IDLE_CLIENTS; i++) {
            RawClient client = fixture.client();
            RawResponse response = client.get("/spliced/" + i);
            assertEquals(SPLICED_BODY, response.body().length);
            idle.add(client);
        }
        assertTrue(fixture.listener().httpStat(HttpStats::bytesSpliced) > 0, "the bodies went through pipes");
        long held = pipes() - pipesBefore;
        // Two descriptors per pipe; a small per-reactor pool may stay, one pair per idle connection may not.
        assertTrue(held < IDLE_CLIENTS, IDLE_CLIENTS + " idle keep-alive connections hold " + held + " pipe fds");
        assertEquals(IDLE_CLIENTS, idle.size());
    }

    private static long pipes() throws IOException {
        return OpenFds.describe().stream().filter(fd -> fd.contains("pipe:")).count();
    }

    @Test
    @Timeout(120)
    void connectionChurnLeavesNothingBehind() throws Exception {
        HttpTestOrigin origin = fixture.origin("o");
        start(2, origin.port(), origin.port());
        int port = fixture.port();
        List<Future<Void>> clients = new ArrayList<>();
        Semaphore concurrency = new Semaphore(CHURN_CONCURRENCY);
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < CHURN_CONNECTIONS; c++) {
                int id = c;
                clients.add(threads.submit(() -> {
                    concurrency.acquire();
                    try (RawClient client = RawClient.connect(port)) {
                        RawResponse response = client.get("/churn/" + id, "Connection: close");
                        assertEquals("o GET /churn/" + id + "\n", response.bodyText());
                        client.assertClosedByPeer();
                    } finally {
                        concurrency.release();
                    }
                    return null;
                }));
            }
            for (Future<Void> client : clients) {
                client.get(100, TimeUnit.SECONDS);
            }
        }
        Eventually.await("every downstream connection released", CLIENT_BOUND,
                () -> fixture.listener().activeConnections() == 0);
    }

    @Test
    @Timeout(120)
    void clientsAbortingMidResponseDoNotDisturbTheOthers() throws Exception {
        HttpTestOrigin origin = fixture.origin("o");
        origin.onPrefix("/mib/", OriginScripts.streamed(41, MIB));
        start(2, origin.port(), origin.port());
        int port = fixture.port();
        String expected = Payloads.expected(41, MIB) + ":" + MIB;
        List<Future<Integer>> clients = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < CHAOS_CLIENTS; c++) {
                int id = c;
                clients.add(threads.submit(() -> {
                    SplittableRandom random = new SplittableRandom(id);
                    int completed = 0;
                    try (RawClient client = RawClient.connect(port)) {
                        for (int r = 0; r < CHAOS_REQUESTS; r++) {
                            client.send(RawClient.head("GET", "/mib/" + id + "/" + r));
                            HttpHead head = client.readHead();
                            assertEquals(200, RawResponse.statusOf(head));
                            if (random.nextInt(CHAOS_ABORT_ONE_IN) == 0) {
                                client.in().readNBytes(random.nextInt(64 * 1024));
                                client.reset();
                                return completed;
                            }
                            assertEquals(expected, Payloads.readToEof(client.bodyStream(head, "GET")));
                            completed++;
                        }
                    }
                    return completed;
                }));
            }
            int completed = 0;
            for (Future<Integer> client : clients) {
                completed += client.get(100, TimeUnit.SECONDS);
            }
            assertTrue(completed > 0);
        }
        try (RawClient after = RawClient.connect(port)) {
            assertEquals("direct\n", after.get("/direct").bodyText());
            assertEquals(expected, Payloads.readToEof(after.bodyStream(getHead(after, "/mib/after"), "GET")));
        }
        Eventually.await("every downstream connection released", CLIENT_BOUND,
                () -> fixture.listener().activeConnections() == 0);
    }

    @Test
    @Timeout(60)
    void anUpstreamKilledMidResponseNeverLeavesTheClientHanging() throws Exception {
        HttpTestOrigin healthy = fixture.origin("healthy");
        try (ChildJava child = ChildJava.start(ChildHttpOrigin.class, "stream")) {
            start(1, Integer.parseInt(child.readLine()), healthy.port());
            RawClient client = fixture.client();
            client.readTimeout(CLIENT_BOUND);
            client.send(RawClient.head("GET", "/endless"));
            assertEquals("streaming", child.readLine());
            HttpHead head = client.readHead();
            assertEquals(200, RawResponse.statusOf(head));
            InputStream body = client.bodyStream(head, "GET");
            assertTrue(body.readNBytes(16 * 1024).length > 0, "body bytes flow before the kill");
            child.kill();
            // Fails with an AssertionError if the connection is still open when the client's read timeout expires.
            client.readUntilClosed();
        }
        try (RawClient next = RawClient.connect(fixture.port())) {
            assertEquals("healthy GET /second/ok\n", next.get("/second/ok").bodyText());
            assertEquals("direct\n", next.get("/direct").bodyText());
        }
    }

    @Test
    @Timeout(60)
    void anUpstreamKilledMidUploadNeverLeavesTheClientHanging() throws Exception {
        HttpTestOrigin healthy = fixture.origin("healthy");
        try (ChildJava child = ChildJava.start(ChildHttpOrigin.class, "absorb")) {
            start(1, Integer.parseInt(child.readLine()), healthy.port());
            RawClient client = fixture.client();
            client.readTimeout(CLIENT_BOUND);
            long size = 1L << 40;
            client.send("POST /upload HTTP/1.1\r\nHost: test\r\nContent-Length: " + size + "\r\n\r\n");
            Thread uploader = Thread.ofVirtual().start(() -> {
                try {
                    Payloads.write(client.out(), 5, size);
                } catch (IOException stopped) {
                    // the proxy gives up on the upload once the upstream is gone: that is the point
                }
            });
            assertEquals("request", child.readLine());
            child.kill();
            // Either a 502 (no response had started) or the connection ends; never a client waiting forever.
            byte[] answer = client.readUntilClosed();
            if (answer.length > 0) {
                HttpHead head = HttpHead.read(new ByteArrayInputStream(answer), answer.length);
                assertEquals(502, RawResponse.statusOf(head), head::rawText);
            }
            client.close();
            uploader.join();
        }
        try (RawClient next = RawClient.connect(fixture.port())) {
            assertEquals("healthy GET /second/ok\n", next.get("/second/ok").bodyText());
        }
    }

    @Test
    @Timeout(60)
    void anUpstreamKilledBeforeAnsweringIs502AndTheProxyKeepsServing() throws Exception {
        HttpTestOrigin healthy = fixture.origin("healthy");
        try (ChildJava child = ChildJava.start(ChildHttpOrigin.class, "silent")) {
            start(1, Integer.parseInt(child.readLine()), healthy.port());
            RawClient client = fixture.client();
            client.readTimeout(CLIENT_BOUND);
            client.send(RawClient.head("GET", "/never"));
            assertEquals("request", child.readLine());
            child.kill();
            RawResponse response = client.read();
            ErrorResponses.assertError(response, 502);
            ErrorResponses.assertConnectionHonest(response, client, "/direct");
        }
        try (RawClient next = RawClient.connect(fixture.port())) {
            assertEquals("healthy GET /second/ok\n", next.get("/second/ok").bodyText());
        }
    }
}

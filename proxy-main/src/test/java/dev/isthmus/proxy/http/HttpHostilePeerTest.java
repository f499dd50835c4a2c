package dev.isthmus.proxy.http;

import dev.isthmus.proxy.http.HttpTestOrigin.After;
import dev.isthmus.proxy.testing.Eventually;
import dev.isthmus.proxy.testing.Payloads;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 4, peers that are legal but awkward, or wrong in ways a proxy must contain: bytes split at every boundary,
 * deep pipelines, origins that send what they must not (a body after HEAD or 204), HTTP/1.0 upstreams, clients that
 * stop reading. The common thread: one peer's behaviour never corrupts another exchange.
 */
@Timeout(60)
final class HttpHostilePeerTest {
    private static final int PIPELINE_DEPTH = 200;
    private static final int INTERIM_FLOOD = 500;
    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    final ProxyFixture fixture = new ProxyFixture();

    private HttpTestOrigin origin;

    @BeforeEach
    void start() throws Exception {
        origin = fixture.origin("o");
        origin.on("/echo", OriginScripts.echo())
                .on("/head-with-body", OriginScripts.raw("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
                        After.KEEP_ALIVE))
                .on("/204-with-body", OriginScripts.raw("HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 200 OK\r\n"
                        + "Content-Length: 4\r\n\r\nevil", After.KEEP_ALIVE))
                .on("/http10", OriginScripts.raw("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", After.KEEP_ALIVE))
                .on("/204-with-length", OriginScripts.raw("HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n",
                        After.KEEP_ALIVE))
                .on("/extensions", OriginScripts.raw("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "3;name=value;x=\"quoted\"\r\nabc\r\n2;y\r\nde\r\n0;last\r\n\r\n", After.KEEP_ALIVE))
                .on("/huge", OriginScripts.streamed(21, 256L * 1024 * 1024));
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
                      - match: { prefix: / }
                        cluster: o
                clusters:
                  - { name: o, endpoints: [127.0.0.1:%d] }
                """.formatted(origin.port()));
    }

    @Test
    void aResponseHeadLargerThanOneBufferChunkArrivesIntact() throws Exception {
        String cookie = "c".repeat(30 * 1024);
        origin.on("/big-head", OriginScripts.raw("HTTP/1.1 200 OK\r\nSet-Cookie: " + cookie
                + "\r\nContent-Length: 2\r\n\r\nok", After.KEEP_ALIVE));
        RawClient client = fixture.client();
        RawResponse response = client.get("/big-head");
        assertEquals(200, response.status(), response::toString);
        assertEquals(cookie, response.header("Set-Cookie"));
        assertEquals("ok", response.bodyText());
        assertEquals("o GET /after\n", client.get("/after").bodyText());
    }

    @Test
    void aFloodOfInterimResponsesEndsInTheFinalOne() throws Exception {
        List<String> interims = Collections.nCopies(INTERIM_FLOOD,
                "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n");
        origin.on("/flood", OriginScripts.interimThen(interims, OriginScripts.text(200, "final")));
        RawClient client = fixture.client();
        client.send(RawClient.head("GET", "/flood"));
        RawResponse response = client.readFinal("GET");
        assertEquals(200, response.status());
        assertEquals("final", response.bodyText());
        assertEquals("o GET /after\n", client.get("/after").bodyText());
    }

    @Test
    void aHeadArrivingOneByteAtATimeIsParsed() throws Exception {
        RawClient client = fixture.client();
        byte[] request = "POST /echo HTTP/1.1\r\nHost: test\r\nX-Split: yes\r\nContent-Length: 6\r\n\r\nsplit!"
                .getBytes(StandardCharsets.US_ASCII);
        for (byte b : request) {
            client.send(new byte[] {b});
        }
        assertEquals("split!", client.read().bodyText());
    }

    @Test
    void aDeepPipelineCrossingBufferBoundariesIsAnsweredInOrder() throws Exception {
        RawClient client = fixture.client();
        StringBuilder pipeline = new StringBuilder();
        for (int i = 0; i < PIPELINE_DEPTH; i++) {
            pipeline.append(RawClient.head("GET", "/deep/" + i, "X-Padding: " + "p".repeat(64)));
        }
        assertTrue(pipeline.length() > 16 * 1024, "the pipeline is longer than one buffer chunk");
        client.send(pipeline.toString());
        for (int i = 0; i < PIPELINE_DEPTH; i++) {
            assertEquals("o GET /deep/" + i + "\n", client.read().bodyText());
        }
    }

    @Test
    void pipelinedRequestsBehindLargeBodiesAreNotSwallowed() throws Exception {
        origin.on("/hash", OriginScripts.hashBody());
        RawClient client = fixture.client();
        int size = 1024 * 1024;
        byte[] body = new byte[size];
        new SplittableRandom(3).nextBytes(body);
        ByteArrayOutputStream pipeline = new ByteArrayOutputStream();
        pipeline.write(("POST /hash HTTP/1.1\r\nHost: test\r\nContent-Length: " + size + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        pipeline.write(body);
        pipeline.write(("POST /hash HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n"
                + Integer.toHexString(size) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        pipeline.write(body);
        pipeline.write(("\r\n0\r\n\r\n" + RawClient.head("GET", "/third")).getBytes(StandardCharsets.US_ASCII));
        Thread writer = Thread.ofVirtual().start(() -> {
            try {
                client.send(pipeline.toByteArray());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        String expected = sha256(body) + ":" + size;
        assertEquals(expected, client.read("POST").bodyText());
        assertEquals(expected, client.read("POST").bodyText());
        assertEquals("o GET /third\n", client.read().bodyText());
        writer.join();
    }

    @Test
    void aChunkedBodyOfOneByteChunksArrivesWhole() throws Exception {
        RawClient client = fixture.client();
        StringBuilder body = new StringBuilder();
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            char c = (char) ('a' + i % 26);
            body.append("1\r\n").append(c).append("\r\n");
            expected.append(c);
        }
        client.send("POST /echo HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n" + body + "0\r\n\r\n");
        assertEquals(expected.toString(), client.read().bodyText());
    }

    @Test
    void chunkExtensionsFromTheOriginDoNotLeakIntoTheBody() throws Exception {
        RawClient client = fixture.client();
        assertEquals("abcde", client.get("/extensions").bodyText());
        assertEquals("o GET /after\n", client.get("/after").bodyText());
    }

    @Test
    void aBodySentAfterAHeadResponseNeverReachesTheNextExchange() throws Exception {
        RawClient client = fixture.client();
        RawResponse head = client.request("HEAD", "/head-with-body");
        assertEquals(200, head.status());
        RawResponse next = client.get("/next");
        assertEquals("o GET /next\n", next.bodyText(), () -> "the stray body was taken for a response:\n" + next);
    }

    @Test
    void aBodySentAfterA204NeverReachesTheNextExchange() throws Exception {
        RawClient client = fixture.client();
        assertEquals(204, client.get("/204-with-body").status());
        RawResponse next = client.get("/next");
        assertEquals("o GET /next\n", next.bodyText(), () -> "the stray bytes were taken for a response:\n" + next);
    }

    @Test
    void aContentLengthOnA204IsNotPassedOn() throws Exception {
        RawClient client = fixture.client();
        RawResponse noContent = client.get("/204-with-length");
        assertEquals(204, noContent.status());
        assertNull(noContent.header("Content-Length"), () -> "RFC 9110 §8.6 forbids it on a 204:\n" + noContent);
        assertEquals("o GET /next\n", client.get("/next").bodyText());
    }

    @Test
    void anHttp10UpstreamResponseEndsThatUpstreamConnection() throws Exception {
        RawClient client = fixture.client();
        assertEquals("ok", client.get("/http10").bodyText());
        assertEquals("o GET /next\n", client.get("/next").bodyText());
        assertEquals(2, origin.acceptedCount(), "an HTTP/1.0 response without keep-alive is not persistent");
    }

    @Test
    void obsTextAndEmptyValuesPassUnchanged() throws Exception {
        RawClient client = fixture.client();
        byte[] latin = "caf\u00e9 \u00ff".getBytes(StandardCharsets.ISO_8859_1);
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.write("GET /obs HTTP/1.1\r\nHost: test\r\nX-Empty:\r\nX-Latin: ".getBytes(StandardCharsets.US_ASCII));
        request.write(latin);
        request.write("\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        client.send(request.toByteArray());
        assertEquals(200, client.read().status());
        HttpHead forwarded = origin.lastRequest().head();
        assertEquals("", forwarded.header("X-Empty"));
        assertArrayEquals(latin, forwarded.header("X-Latin").getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void absoluteFormTargetsAreRoutedByTheirPathAndForwardedInOriginForm() throws Exception {
        RawClient client = fixture.client();
        RawResponse response = client.request("GET", "http://example.com/api/users?id=1", "Host: ignored.example");
        assertEquals(200, response.status(), response::toString);
        OriginRequest forwarded = origin.lastRequest();
        // RFC 9112 §3.2.2: the target's authority replaces Host; §3.2.1: an origin server gets the origin-form.
        assertEquals("/users?id=1", forwarded.target(), forwarded::toString);
        assertEquals("example.com", forwarded.header("Host"), forwarded::toString);
    }

    @Test
    void anAbsoluteFormTargetWithoutAPathMeansTheRoot() throws Exception {
        RawClient client = fixture.client();
        assertEquals(200, client.request("GET", "http://example.com", "Host: example.com").status());
        assertEquals("GET / HTTP/1.1", origin.lastRequest().head().startLine(), "RFC 9110 §4.2.3");
        assertEquals(200, client.request("GET", "http://example.com?q=1", "Host: example.com").status());
        assertEquals("/?q=1", origin.lastRequest().target());
    }

    @Test
    void aClientThatStopsReadingDoesNotStallTheOthers() throws Exception {
        RawClient stalled = fixture.client();
        stalled.send(RawClient.head("GET", "/huge"));
        assertEquals(200, RawResponse.statusOf(stalled.readHead()));
        Eventually.await("the stalled exchange filled the buffers between origin and client", WAIT,
                () -> origin.connections().getFirst().requests().size() == 1);
        // The stalled client reads nothing more: its socket buffers fill and the proxy must park that exchange.
        try (RawClient other = RawClient.connect(fixture.port())) {
            for (int i = 0; i < 50; i++) {
                assertEquals("o GET /meanwhile/" + i + "\n", other.get("/meanwhile/" + i).bodyText());
            }
        }
        List<OriginConnection> connections = origin.connections();
        assertEquals(2, connections.size(), "the busy upstream connection was not shared");
        long size = 256L * 1024 * 1024;
        assertEquals(Payloads.expected(21, size) + ":" + size, Payloads.readToEof(Bodies.fixed(stalled.in(), size)),
                "the parked exchange resumes with every byte in order");
    }

    private static String sha256(byte[] bytes) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    void aLargeUploadToAnOriginThatEchoesSlowlyDoesNotDeadlock() throws Exception {
        origin.on("/echo-stream", OriginScripts.echoChunked());
        RawClient client = fixture.client();
        long size = 32L * 1024 * 1024;
        client.send("POST /echo-stream HTTP/1.1\r\nHost: test\r\nContent-Length: " + size + "\r\n\r\n");
        Thread uploader = Thread.ofVirtual().start(() -> {
            try {
                Payloads.write(client.out(), 8, size);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        HttpHead head = client.readHead();
        assertEquals(200, RawResponse.statusOf(head));
        assertEquals(Payloads.expected(8, size) + ":" + size, Payloads.readToEof(client.bodyStream(head, "POST")));
        uploader.join();
    }
}

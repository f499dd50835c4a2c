package dev.isthmus.proxy.http;

import dev.isthmus.proxy.testing.Payloads;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Chunked bodies whose chunks are larger than the splice threshold: the framing passes through the proxy's decoder,
 * the chunk payloads go by splice(2), and the bytes arrive exact in both directions, or de-chunked for an HTTP/1.0
 * client.
 */
@Timeout(60)
final class ChunkedSpliceTest {
    private static final int CHUNK = 1024 * 1024 + 3;
    private static final int CHUNKS = 4;
    private static final long SPLICE_THRESHOLD = 64 * 1024;

    @RegisterExtension
    final ProxyFixture fixture = new ProxyFixture();

    @BeforeEach
    void start() throws Exception {
        HttpTestOrigin origin = fixture.origin("o");
        origin.on("/hash", OriginScripts.hashBody())
                .on("/big-chunks", exchange -> {
                    exchange.readBody();
                    exchange.write(OriginScripts.head(exchange, 200, "Transfer-Encoding: chunked"));
                    Bodies.ChunkedWriter chunks = Bodies.chunkedWriter(exchange.out());
                    writeChunks(chunks, 21);
                    chunks.finish("X-Trailer: after-big-chunks");
                    return HttpTestOrigin.After.KEEP_ALIVE;
                });
        fixture.start("""
                workers: 1
                listeners:
                  - name: web
                    address: 127.0.0.1:0
                    protocol: http
                    routes:
                      - match: { prefix: / }
                        cluster: o
                clusters:
                  - { name: o, endpoints: [127.0.0.1:%d] }
                """.formatted(origin.port()));
    }

    /** {@link #CHUNKS} chunks of {@link #CHUNK} seeded bytes, each written as one chunk. */
    private static void writeChunks(OutputStream chunks, long seed) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] chunk = new byte[CHUNK];
        for (int i = 0; i < CHUNKS; i++) {
            random.nextBytes(chunk);
            chunks.write(chunk, 0, chunk.length);
        }
    }

    private static String expected(long seed) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] all = new byte[CHUNK * CHUNKS];
        byte[] chunk = new byte[CHUNK];
        for (int i = 0; i < CHUNKS; i++) {
            random.nextBytes(chunk);
            System.arraycopy(chunk, 0, all, i * CHUNK, CHUNK);
        }
        return Payloads.readToEof(new ByteArrayInputStream(all));
    }

    @Test
    void largeRequestChunksAreSplicedAndArriveExact() throws Exception {
        RawClient client = fixture.client();
        client.send("POST /hash HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n");
        Bodies.ChunkedWriter chunks = Bodies.chunkedWriter(client.out());
        writeChunks(chunks, 7);
        chunks.finish();
        assertEquals(expected(7), client.read().bodyText());
        assertEquals("o GET /after\n", client.get("/after").bodyText());
        assertTrue(fixture.listener().httpStat(HttpStats::bytesSpliced) >= (long) CHUNKS * (CHUNK - SPLICE_THRESHOLD),
                "chunk payloads above the threshold move by splice(2)");
    }

    @Test
    void largeResponseChunksAreSplicedAndArriveExactWithTheirTrailers() throws Exception {
        RawClient client = fixture.client();
        client.send(RawClient.head("GET", "/big-chunks"));
        HttpHead head = client.readHead();
        assertEquals(200, RawResponse.statusOf(head));
        Bodies.Chunked body = (Bodies.Chunked) client.bodyStream(head, "GET");
        assertEquals(expected(21), Payloads.readToEof(body));
        assertEquals("after-big-chunks", body.trailers().get(0).value());
        assertEquals("o GET /after\n", client.get("/after").bodyText());
        assertTrue(fixture.listener().httpStat(HttpStats::bytesSpliced) >= (long) CHUNKS * (CHUNK - SPLICE_THRESHOLD),
                "chunk payloads above the threshold move by splice(2)");
    }

    @Test
    void anHttp10ClientGetsLargeChunksDeChunkedAndDelimitedByTheClose() throws Exception {
        RawClient client = fixture.client();
        client.send("GET /big-chunks HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        HttpHead head = client.readHead();
        assertEquals(200, RawResponse.statusOf(head));
        assertFalse(head.has("Transfer-Encoding"), () -> "HTTP/1.0 has no transfer codings (RFC 9112 §6.1):\n"
                + head.rawText());
        assertTrue(head.hasToken("Connection", "close"), head::rawText);
        assertEquals(expected(21), Payloads.readToEof(client.in()), "the chunk data alone, then the close");
        assertTrue(fixture.listener().httpStat(HttpStats::bytesSpliced) >= (long) CHUNKS * (CHUNK - SPLICE_THRESHOLD),
                "de-chunked payloads still move by splice(2)");
    }
}

package dev.isthmus.proxy.http;

import dev.isthmus.proxy.testing.Payloads;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 4, bodies: Content-Length and chunked in both directions, small (copied) and above the 64 KiB splice threshold
 * (spliced), byte-exact by SHA-256, streamed so that 256 MiB never sits on the heap of either peer.
 */
@Timeout(120)
final class HttpBodyTest {
    private static final long MIB = 1024 * 1024;
    private static final long HUGE = 256 * MIB;
    private static final long ABOVE_SPLICE_THRESHOLD = 8 * MIB + 17;
    /** The listener default; bytes already read with the head are copied, the rest spliced. */
    private static final long SPLICE_THRESHOLD = 64 * 1024;

    @RegisterExtension
    final ProxyFixture fixture = new ProxyFixture();

    private HttpTestOrigin origin;

    @BeforeEach
    void start() throws Exception {
        origin = fixture.origin("o");
        origin.on("/echo", OriginScripts.echo())
                .on("/echo-chunked", OriginScripts.echoChunked())
                .on("/hash", OriginScripts.hashBody())
                .on("/chunks", OriginScripts.chunked(List.of("abc", "defg", "h")))
                .on("/chunks-trailers", OriginScripts.chunked(List.of("abc", "defg"), "X-Checksum: 42", "X-More: yes"))
                .on("/huge", OriginScripts.streamed(11, HUGE))
                .on("/big-chunked", OriginScripts.streamedChunked(12, ABOVE_SPLICE_THRESHOLD));
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

    @Test
    void contentLengthRequestBodyArrivesExactlyAndKeepsTheConnectionInSync() throws Exception {
        RawClient client = fixture.client();
        client.send("POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 11\r\n\r\nhello world");
        assertEquals("hello world", client.read().bodyText());
        client.send("PUT /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 0\r\n\r\n");
        RawResponse empty = client.read();
        assertEquals(200, empty.status());
        assertEquals(0, empty.body().length);
        client.send("POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 3\r\n\r\nxyz");
        assertEquals("xyz", client.read().bodyText());
        assertEquals(List.of("hello world", "", "xyz"), origin.requests().stream().map(OriginRequest::bodyText).toList());
        assertEquals(1, origin.acceptedCount());
    }

    @Test
    void aGetWithABodyIsForwardedWithItsBody() throws Exception {
        RawClient client = fixture.client();
        client.send("GET /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 4\r\n\r\nping");
        assertEquals("ping", client.read().bodyText());
        assertEquals("o GET /after\n", client.get("/after").bodyText());
    }

    @Test
    void chunkedRequestBodyArrivesDecodedWithItsFramingIntact() throws Exception {
        RawClient client = fixture.client();
        client.send("POST /echo HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5\r\nhello\r\n1;ext=val\r\n \r\n5\r\nworld\r\n0\r\nX-Trailer: t\r\n\r\n");
        RawResponse response = client.read();
        assertEquals(200, response.status());
        assertEquals("hello world", response.bodyText());
        OriginRequest forwarded = origin.lastRequest();
        assertEquals("hello world", forwarded.bodyText());
        assertTrue(forwarded.head().chunked() || forwarded.head().contentLength() == 11,
                () -> "the forwarded body is framed:\n" + forwarded);
        assertEquals("o GET /after\n", client.get("/after").bodyText(), "the connection is still in sync");
    }

    @Test
    void chunkedResponseWithoutTrailersArrivesWhole() throws Exception {
        RawClient client = fixture.client();
        RawResponse response = client.get("/chunks");
        assertEquals(200, response.status());
        assertEquals("abcdefgh", response.bodyText());
        assertEquals("o GET /after\n", client.get("/after").bodyText(), "the connection is still in sync");
    }

    @Test
    void chunkedResponseWithTrailersArrivesWholeAndTheConnectionStaysInSync() throws Exception {
        RawClient client = fixture.client();
        RawResponse response = client.get("/chunks-trailers");
        assertEquals(200, response.status());
        assertEquals("abcdefg", response.bodyText());
        assertEquals("o GET /after\n", client.get("/after").bodyText());
        assertEquals(1, origin.acceptedCount(), "the upstream connection was reused after a body with trailers");
    }

    @Test
    void chunkedRequestBodyAboveTheSpliceThresholdIsByteExact() throws Exception {
        RawClient client = fixture.client();
        client.send("POST /hash HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n");
        Bodies.ChunkedWriter chunks = Bodies.chunkedWriter(client.out());
        String sent = Payloads.write(chunks, 5, ABOVE_SPLICE_THRESHOLD);
        chunks.finish();
        assertEquals(sent + ":" + ABOVE_SPLICE_THRESHOLD, client.read().bodyText());
        assertEquals("o GET /after\n", client.get("/after").bodyText());
    }

    @Test
    void chunkedResponseBodyAboveTheSpliceThresholdIsByteExact() throws Exception {
        RawClient client = fixture.client();
        client.send(RawClient.head("GET", "/big-chunked"));
        HttpHead head = client.readHead();
        assertEquals(200, RawResponse.statusOf(head));
        InputStream body = client.bodyStream(head, "GET");
        assertEquals(Payloads.expected(12, ABOVE_SPLICE_THRESHOLD) + ":" + ABOVE_SPLICE_THRESHOLD,
                Payloads.readToEof(body));
        assertEquals("o GET /after\n", client.get("/after").bodyText());
    }

    @Test
    void echoOfAChunkedUploadAboveTheThresholdComesBackExact() throws Exception {
        RawClient client = fixture.client();
        client.send("POST /echo-chunked HTTP/1.1\r\nHost: test\r\nContent-Length: " + ABOVE_SPLICE_THRESHOLD
                + "\r\n\r\n");
        Thread writer = Thread.ofVirtual().start(() -> {
            try {
                Payloads.write(client.out(), 6, ABOVE_SPLICE_THRESHOLD);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        HttpHead head = client.readHead();
        assertEquals(200, RawResponse.statusOf(head));
        assertEquals(Payloads.expected(6, ABOVE_SPLICE_THRESHOLD) + ":" + ABOVE_SPLICE_THRESHOLD,
                Payloads.readToEof(client.bodyStream(head, "POST")));
        writer.join();
    }

    @Test
    void twoHundredFiftySixMebibyteRequestBodyIsByteExact() throws Exception {
        RawClient client = fixture.client();
        client.send("POST /hash HTTP/1.1\r\nHost: test\r\nContent-Length: " + HUGE + "\r\n\r\n");
        String sent = Payloads.write(client.out(), 3, HUGE);
        RawResponse response = client.read();
        assertEquals(200, response.status());
        assertEquals(sent + ":" + HUGE, response.bodyText());
        assertEquals("o GET /after\n", client.get("/after").bodyText());
        assertTrue(fixture.listener().httpStat(HttpStats::bytesSpliced) >= HUGE - SPLICE_THRESHOLD,
                "a body above the threshold moves by splice(2)");
    }

    @Test
    void twoHundredFiftySixMebibyteResponseBodyIsByteExact() throws Exception {
        RawClient client = fixture.client();
        client.send(RawClient.head("GET", "/huge"));
        HttpHead head = client.readHead();
        assertEquals(200, RawResponse.statusOf(head));
        assertEquals(HUGE, head.contentLength());
        assertEquals(Payloads.expected(11, HUGE) + ":" + HUGE, Payloads.readToEof(client.bodyStream(head, "GET")));
        assertEquals("o GET /after\n", client.get("/after").bodyText());
        assertTrue(fixture.listener().httpStat(HttpStats::bytesSpliced) >= HUGE - SPLICE_THRESHOLD,
                "a body above the threshold moves by splice(2)");
    }

    @Test
    void binaryBodiesWithEveryByteValuePassUnchanged() throws Exception {
        byte[] all = new byte[256 * 4];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }
        RawClient client = fixture.client();
        OutputStream out = client.out();
        out.write(("POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: " + all.length + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.write(all);
        out.flush();
        RawResponse response = client.read();
        assertEquals(200, response.status());
        assertArrayEquals(all, response.body());
    }
}

package dev.isthmus.proxy.http;

import dev.isthmus.proxy.testing.Payloads;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Issue 4, bodies under every splice_threshold_bytes: 0 (always splice), 1 byte, the 64 KiB default and 16 MiB (never
 * splice these): each body framing and size must arrive byte-exact whichever path (copy, relay, splice) carries it,
 * including bodies whose first bytes arrived with the head.
 */
@Timeout(120)
final class HttpSpliceThresholdTest {
    private static final long[] SIZES = {1, 1000, 64 * 1024 + 1, 3 * 1024 * 1024 + 5};

    @RegisterExtension
    final ProxyFixture fixture = new ProxyFixture();

    @ParameterizedTest(name = "splice_threshold_bytes: {0}")
    @ValueSource(strings = {"0", "1", "64KiB", "16MiB"})
    void everyFramingAndSizeArrivesByteExact(String threshold) throws Exception {
        HttpTestOrigin origin = fixture.origin("o");
        origin.on("/hash", OriginScripts.hashBody());
        for (long size : SIZES) {
            origin.on("/cl/" + size, OriginScripts.streamed(size, size));
            origin.on("/chunked/" + size, OriginScripts.streamedChunked(size, size));
        }
        fixture.start("""
                workers: 1
                listeners:
                  - name: web
                    address: 127.0.0.1:0
                    protocol: http
                    splice_threshold_bytes: %s
                    routes:
                      - match: { prefix: / }
                        cluster: o
                clusters:
                  - { name: o, endpoints: [127.0.0.1:%d] }
                """.formatted(threshold, origin.port()));
        RawClient client = fixture.client();
        for (long size : SIZES) {
            String expected = Payloads.expected(size, size) + ":" + size;
            client.send("POST /hash HTTP/1.1\r\nHost: test\r\nContent-Length: " + size + "\r\n\r\n");
            Payloads.write(client.out(), size, size);
            assertEquals(expected, client.read("POST").bodyText(), "Content-Length request of " + size);

            client.send("POST /hash HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n");
            Bodies.ChunkedWriter chunks = Bodies.chunkedWriter(client.out());
            Payloads.write(chunks, size, size);
            chunks.finish();
            assertEquals(expected, client.read("POST").bodyText(), "chunked request of " + size);

            assertEquals(expected, download(client, "/cl/" + size), "Content-Length response of " + size);
            assertEquals(expected, download(client, "/chunked/" + size), "chunked response of " + size);
        }
        assertEquals(1, origin.acceptedCount(), "every exchange left both connections reusable");
    }

    private static String download(RawClient client, String target) throws IOException {
        client.send(RawClient.head("GET", target));
        HttpHead head = client.readHead();
        assertEquals(200, RawResponse.statusOf(head));
        return Payloads.readToEof(client.bodyStream(head, "GET"));
    }
}

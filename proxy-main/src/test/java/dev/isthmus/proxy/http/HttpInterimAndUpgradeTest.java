package dev.isthmus.proxy.http;

import dev.isthmus.proxy.http.HttpTestOrigin.After;
import dev.isthmus.proxy.testing.Payloads;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 4, responses without bodies and responses that are not the end: Expect: 100-continue, 1xx, HEAD, 204, 304,
 * close-delimited bodies, and Upgrade with 101 turning the connection into a two-way tunnel.
 */
@Timeout(60)
final class HttpInterimAndUpgradeTest {
    @RegisterExtension
    final ProxyFixture fixture = new ProxyFixture();

    private HttpTestOrigin origin;

    @BeforeEach
    void start() throws Exception {
        origin = fixture.origin("o");
        origin.on("/continue", OriginScripts.continueThenEcho())
                .on("/page", OriginScripts.text(200, "0123456789"))
                .on("/hints", OriginScripts.interimThen(
                        List.of("HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"),
                        OriginScripts.text(200, "final")))
                .on("/unasked-continue", OriginScripts.interimThen(
                        List.of("HTTP/1.1 100 Continue\r\n\r\n"), OriginScripts.text(200, "final")))
                .on("/no-content", OriginScripts.raw("HTTP/1.1 204 No Content\r\nX-A: 1\r\n\r\n", After.KEEP_ALIVE))
                .on("/not-modified", OriginScripts.raw(
                        "HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\nContent-Length: 10\r\n\r\n", After.KEEP_ALIVE))
                .on("/head-chunked", OriginScripts.raw(
                        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", After.KEEP_ALIVE))
                .on("/close-delimited", OriginScripts.closeDelimited("the whole story, until the end"))
                .on("/ws", OriginScripts.switchingProtocols())
                .on("/declines-upgrade", OriginScripts.text(200, "plain http"));
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
    void expectContinueLetsTheClientSendItsBodyAfterA100() throws Exception {
        RawClient client = fixture.client();
        client.send("POST /continue HTTP/1.1\r\nHost: test\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
        RawResponse interim = client.read("POST");
        assertEquals(100, interim.status(), () -> "the client waits for 100 before sending its body:\n" + interim);
        client.send("hello");
        RawResponse response = client.readFinal("POST");
        assertEquals(200, response.status());
        assertEquals("hello", response.bodyText());
        assertEquals("o GET /after\n", client.get("/after").bodyText());
    }

    @Test
    void headResponsesCarryNoBodyEvenWithAContentLength() throws Exception {
        RawClient client = fixture.client();
        RawResponse head = client.request("HEAD", "/page");
        assertEquals(200, head.status());
        assertEquals("10", head.header("Content-Length"));
        RawResponse get = client.get("/page");
        assertEquals("0123456789", get.bodyText(), "no body bytes of the HEAD response were sent");
    }

    @Test
    void headResponseClaimingChunkedCarriesNoBody() throws Exception {
        RawClient client = fixture.client();
        RawResponse head = client.request("HEAD", "/head-chunked");
        assertEquals(200, head.status());
        assertEquals("o GET /after\n", client.get("/after").bodyText(), "the proxy did not wait for chunks");
    }

    @Test
    void earlyHintsArriveBeforeTheFinalResponse() throws Exception {
        RawClient client = fixture.client();
        client.send(RawClient.head("GET", "/hints"));
        RawResponse hints = client.read();
        assertEquals(103, hints.status(), () -> "a proxy forwards 1xx responses (RFC 9110 §15.2):\n" + hints);
        assertEquals("</style.css>; rel=preload", hints.header("Link"));
        RawResponse response = client.read();
        assertEquals(200, response.status());
        assertEquals("final", response.bodyText());
        assertEquals("o GET /after\n", client.get("/after").bodyText());
    }

    @Test
    void http10ClientsAreNotSentInterimResponses() throws Exception {
        RawClient client = fixture.client();
        client.send("GET /hints HTTP/1.0\r\n\r\n");
        RawResponse response = client.read();
        assertEquals(200, response.status(), () -> "HTTP/1.0 has no 1xx (RFC 9110 §15.2):\n" + response);
        assertEquals("final", response.bodyText());
    }

    @Test
    void anUnaskedFor100IsNotTakenForTheResponse() throws Exception {
        RawClient client = fixture.client();
        client.send(RawClient.head("GET", "/unasked-continue"));
        RawResponse response = client.readFinal("GET");
        assertEquals(200, response.status());
        assertEquals("final", response.bodyText());
        assertEquals("o GET /after\n", client.get("/after").bodyText());
    }

    @Test
    void noContentAndNotModifiedCarryNoBody() throws Exception {
        RawClient client = fixture.client();
        RawResponse noContent = client.get("/no-content");
        assertEquals(204, noContent.status());
        assertEquals("1", noContent.header("X-A"));
        RawResponse notModified = client.get("/not-modified");
        assertEquals(304, notModified.status());
        assertEquals("\"v1\"", notModified.header("ETag"));
        assertEquals("o GET /after\n", client.get("/after").bodyText(), "the proxy waited for no body");
        assertEquals(1, origin.acceptedCount(), "bodiless responses leave the upstream connection reusable");
    }

    @Test
    void closeDelimitedResponseIsPassedOnAndEndsTheClientConnection() throws Exception {
        RawClient client = fixture.client();
        RawResponse response = client.get("/close-delimited");
        assertEquals(200, response.status());
        assertEquals("the whole story, until the end", response.bodyText());
        if (response.framing() != RawResponse.Framing.CLOSE_DELIMITED) {
            client.assertClosedByPeer();
        }
    }

    @Test
    void upgradeWith101BecomesATwoWayTunnel() throws Exception {
        RawClient client = fixture.client();
        client.send(RawClient.head("GET", "/ws", "Connection: Upgrade", "Upgrade: websocket",
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13"));
        RawResponse switching = client.read();
        assertEquals(101, switching.status(), switching::toString);
        assertEquals("websocket", switching.header("Upgrade"));
        assertTrue(switching.head().hasToken("Connection", "upgrade"), switching::toString);
        HttpHead upstream = origin.lastRequest().head();
        assertEquals("websocket", upstream.header("Upgrade"));
        assertTrue(upstream.hasToken("Connection", "upgrade"), upstream::rawText);

        client.send("ping-1");
        assertEquals("ping-1", new String(client.in().readNBytes(6), StandardCharsets.US_ASCII));
        byte[] block = new byte[300 * 1024];
        new SplittableRandom(9).nextBytes(block);
        Thread writer = Thread.ofVirtual().start(() -> {
            try {
                client.send(block);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        assertArrayEquals(block, client.in().readNBytes(block.length), "bytes after the 101 are a raw tunnel");
        writer.join();
        client.shutdownOutput();
        assertEquals(0, client.readUntilClosed().length, "the tunnel closes when both sides are done");
    }

    @Test
    void aTunnelCarriesLargeStreamsBothWaysAtOnce() throws Exception {
        long size = 32L * 1024 * 1024;
        RawClient client = fixture.client();
        client.send(RawClient.head("GET", "/ws", "Connection: Upgrade", "Upgrade: websocket"));
        assertEquals(101, client.read().status());
        Thread writer = Thread.ofVirtual().start(() -> {
            try {
                Payloads.write(client.out(), 13, size);
                client.shutdownOutput();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        assertEquals(Payloads.expected(13, size) + ":" + size, Payloads.readToEof(client.in()),
                "every byte echoed through the tunnel while the other direction was busy");
        writer.join();
    }

    @Test
    void upgradeDeclinedByTheOriginStaysHttp() throws Exception {
        RawClient client = fixture.client();
        RawResponse response = client.get("/declines-upgrade", "Connection: Upgrade", "Upgrade: websocket");
        assertEquals(200, response.status());
        assertEquals("plain http", response.bodyText());
        assertEquals("o GET /after\n", client.get("/after").bodyText());
    }

    @Test
    void anH2cUpgradeIsNotForwardedSoTheOriginCannotOpenATunnel() throws Exception {
        RawClient client = fixture.client();
        client.send(RawClient.head("GET", "/ws", "Connection: Upgrade, HTTP2-Settings", "Upgrade: h2c",
                "HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA"));
        RawResponse response = client.read();
        assertEquals(426, response.status(), () -> "the request went on as plain HTTP:\n" + response);
        HttpHead forwarded = origin.lastRequest().head();
        assertFalse(forwarded.has("Upgrade"), forwarded::rawText);
        assertFalse(forwarded.has("HTTP2-Settings"), forwarded::rawText);
        assertFalse(forwarded.hasToken("Connection", "upgrade"), forwarded::rawText);
    }

    @Test
    void aWebSocketUpgradeKeepsUpgradeWhenConnectionAlsoNamesOtherFields() throws Exception {
        RawClient client = fixture.client();
        client.send(RawClient.head("GET", "/ws", "Connection: Upgrade, X-Hop", "Upgrade: websocket", "X-Hop: 1"));
        RawResponse switching = client.read();
        assertEquals(101, switching.status(), () -> "Upgrade was dropped:\n" + switching);
        HttpHead forwarded = origin.lastRequest().head();
        assertEquals("websocket", forwarded.header("Upgrade"), forwarded::rawText);
        assertFalse(forwarded.has("X-Hop"), forwarded::rawText);
    }

    @Test
    void anUpstreamFailureAfterA100IsStillAnswered502() throws Exception {
        origin.on("/then-unasked-101", OriginScripts.raw("HTTP/1.1 100 Continue\r\n\r\n"
                + "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
                After.CLOSE));
        RawClient client = fixture.client();
        client.send(RawClient.head("GET", "/then-unasked-101"));
        assertEquals(100, client.read().status());
        ErrorResponses.assertError(client.read(), 502);
    }

    @Test
    void a101ToAProtocolTheClientDidNotOfferIsA502() throws Exception {
        origin.on("/h2c-instead", OriginScripts.raw("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n"
                + "Connection: Upgrade\r\n\r\n", After.CLOSE));
        origin.on("/no-upgrade", OriginScripts.raw("HTTP/1.1 101 Switching Protocols\r\n\r\n", After.CLOSE));
        for (String target : List.of("/h2c-instead", "/no-upgrade")) {
            RawClient client = fixture.client();
            client.send(RawClient.head("GET", target, "Connection: Upgrade", "Upgrade: websocket"));
            ErrorResponses.assertError(client.read(), 502);
        }
    }
}

package dev.isthmus.proxy.http;

import dev.isthmus.bindings.Syscalls;
import dev.isthmus.proxy.testing.OwnSockets;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static dev.isthmus.bindings.generated.isthmus_sys_h.IPPROTO_TCP;
import static dev.isthmus.bindings.generated.isthmus_sys_h.TCP_QUICKACK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ACKs of a client connection, read from the proxy's side of it (getsockopt TCP_QUICKACK: 0 while the kernel
 * delays them, 1 while it sends them at once). A new connection delays them, so that a request that came whole is
 * acknowledged by its response; a request whose head or body is still to come gets them at once, or a client with
 * Nagle on would hold the rest back until the kernel's delayed-ACK timer. The kernel also ends the delay by itself when that
 * timer fires (40 ms or more after the bytes came), so each check runs as soon as the proxy is known to have read them.
 */
@Timeout(60)
final class HttpDelayedAckTest {
    private static final Duration ACCEPT_WAIT = Duration.ofSeconds(10);
    private static final int DELAYED = 0;
    private static final int IMMEDIATE = 1;

    @RegisterExtension
    final ProxyFixture fixture = new ProxyFixture();

    private final Syscalls sys = new Syscalls();
    private final CountDownLatch uploadHeadArrived = new CountDownLatch(1);

    @BeforeEach
    void start() throws Exception {
        HttpTestOrigin origin = fixture.origin("o");
        origin.on("/upload", exchange -> {
            uploadHeadArrived.countDown();
            return OriginScripts.echo().respond(exchange);
        });
        fixture.start("""
                workers: 1
                listeners:
                  - name: web
                    address: 127.0.0.1:0
                    protocol: http
                    routes:
                      - match: { path: /upload }
                        cluster: o
                      - match: { prefix: / }
                        direct_response: { status: 200, body: "here\\n" }
                clusters:
                  - name: o
                    endpoints: [127.0.0.1:%d]
                """.formatted(origin.port()));
    }

    @Test
    void aNewConnectionDelaysItsAcksUntilItsFirstRequestIsAnswered() throws Exception {
        RawClient client = fixture.client();
        assertEquals(DELAYED, quickAck(proxySide(client)));
        assertEquals("here\n", client.get("/").bodyText());
    }

    @Test
    void aRequestWhoseBodyIsStillToComeIsAcknowledgedAtOnce() throws Exception {
        RawClient client = fixture.client();
        int proxySide = proxySide(client);
        client.send(RawClient.head("POST", "/upload", "Content-Length: 5"));
        assertTrue(uploadHeadArrived.await(10, TimeUnit.SECONDS), "the origin got the forwarded head");
        assertEquals(IMMEDIATE, quickAck(proxySide), "the body's ACKs were left to the delayed-ACK timer");
        client.send("hello");
        assertEquals("hello", client.read().bodyText());
    }

    @Test
    void aHeadThatArrivesInPiecesIsAcknowledgedAtOnce() throws Exception {
        RawClient client = fixture.client();
        int proxySide = proxySide(client);
        client.send("GET / HTTP/1.1\r\nHo");
        // The one worker handles its ready sockets in the order their bytes came: once a request sent after the
        // piece is answered, the piece has been read.
        assertEquals("here\n", fixture.client().get("/").bodyText());
        assertEquals(IMMEDIATE, quickAck(proxySide), "the rest of the head was left to the delayed-ACK timer");
        client.send("st: test\r\n\r\n");
        assertEquals("here\n", client.read().bodyText());
    }

    private int proxySide(RawClient client) throws InterruptedException {
        return OwnSockets.awaitAccepted(fixture.port(), client.localPort(), ACCEPT_WAIT);
    }

    private int quickAck(int fd) {
        return sys.getIntOption(fd, IPPROTO_TCP(), TCP_QUICKACK());
    }
}

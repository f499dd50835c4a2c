package dev.isthmus.proxy.http;

import dev.isthmus.proxy.testing.ChildProxy;
import dev.isthmus.proxy.testing.Eventually;
import dev.isthmus.proxy.testing.PeerSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client that resets while its request body is on its way: that is the client's doing, and neither the upstream
 * failure count nor the log may blame the upstream for it.
 *
 * <p>The case that did is the reset read by the request-body pump itself, before epoll has reported it: the pump
 * runs on the upstream's EPOLLOUT, and reads the client's socket once the upstream took what was pending. To put the
 * two events in epoll's ready list in that order, the proxy runs as a child and is stopped (SIGSTOP) while the origin
 * drains and the client resets, then continued. The body is relayed through the 64 KiB chunk: the client writes
 * exactly that much at once, so the proxy's read of it is full (more may follow, it reads again) and leaves the
 * socket empty; the upstream's send buffer and the origin's receive buffer (16 KiB each, which Linux doubles) take
 * more than half of the chunk but not all of it, so the rest is pending when the proxy stops, and fits in them once
 * the origin has drained them.
 */
@Timeout(60)
final class HttpClientResetMidBodyTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int RELAY_CHUNK = 64 * 1024;
    private static final int MAX_HEAD = 64 * 1024;
    private static final Pattern UPSTREAM_FAILURES =
            Pattern.compile("isthmus_http_upstream_failures_total\\{listener=\"web\"} (\\d+)");

    @Test
    void aClientResetReadByTheBodyPumpIsNotCountedAgainstTheUpstream(@TempDir Path dir) throws Exception {
        try (ServerSocket origin = new ServerSocket()) {
            origin.setReceiveBufferSize(16 * 1024);
            origin.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Path yaml = dir.resolve("isthmus.yaml");
            Files.writeString(yaml, """
                    workers: 1
                    admin: { address: 127.0.0.1:0 }
                    listeners:
                      - name: web
                        address: 127.0.0.1:0
                        protocol: http
                        splice_threshold_bytes: 2MiB
                        routes:
                          - match: { prefix: / }
                            cluster: o
                    clusters:
                      - name: o
                        endpoints: [127.0.0.1:%d]
                        socket_send_buffer_bytes: 16KiB
                    """.formatted(origin.getLocalPort()));
            try (ChildProxy proxy = ChildProxy.start(yaml, dir.resolve("stderr"))) {
                int port = proxy.awaitListening("web", WAIT);
                int adminPort = proxy.awaitAdmin(WAIT);
                try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port)) {
                    client.getOutputStream().write(("POST /upload HTTP/1.1\r\nHost: test\r\n"
                            + "Content-Length: 1000000\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    origin.setSoTimeout((int) WAIT.toMillis());
                    try (Socket upstream = origin.accept()) {
                        InputStream fromProxy = upstream.getInputStream();
                        assertNotNull(HttpHead.read(fromProxy, MAX_HEAD), "the request head reached the origin");
                        client.getOutputStream().write(new byte[RELAY_CHUNK]);
                        PeerSocket.awaitRead(port, client.getLocalPort(), WAIT);

                        proxy.signal("STOP");
                        int proxySide = upstream.getPort();
                        int originSide = origin.getLocalPort();
                        Eventually.await("the origin to drain the upstream connection", WAIT,
                                () -> drained(fromProxy) && PeerSocket.unacknowledged(proxySide, originSide) == 0);
                        client.setSoLinger(true, 0);
                        client.close();
                        PeerSocket.awaitGone(port, client.getLocalPort(), WAIT);
                        proxy.signal("CONT");

                        // Half a request went up this connection: the proxy closes it, it is never pooled.
                        readToClose(fromProxy);
                    }
                }
                Eventually.await("the exchange's end logged", WAIT,
                        () -> proxy.log().matches("(?s).*(closing client|502 ).*"));
                String log = proxy.log();
                assertTrue(log.contains("closing client: client reset mid-request body"), log);
                assertFalse(log.contains("could not send the request body upstream"), log);
                assertEquals(0, upstreamFailures(adminPort), log);
            }
        }
    }

    /** Reads what the origin's socket holds now; whether it held nothing. */
    private static boolean drained(InputStream in) {
        try {
            int available = in.available();
            if (available > 0) {
                in.readNBytes(available);
            }
            return available == 0;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads to the end of the stream, a FIN or a reset; a connection left open fails on the read timeout. */
    private static void readToClose(InputStream in) throws IOException {
        byte[] sink = new byte[RELAY_CHUNK];
        try {
            int n;
            do {
                n = in.read(sink);
            } while (n >= 0);
        } catch (SocketException reset) {
            // A reset ends it as well as a FIN does.
        }
    }

    private static long upstreamFailures(int adminPort) throws IOException {
        try (RawClient admin = RawClient.connect(adminPort)) {
            String stats = admin.get("/stats").bodyText();
            Matcher m = UPSTREAM_FAILURES.matcher(stats);
            assertTrue(m.find(), stats);
            return Long.parseLong(m.group(1));
        }
    }
}

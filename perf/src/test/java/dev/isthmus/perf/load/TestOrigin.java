package dev.isthmus.perf.load;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small HTTP/1.1 origin for the load generator's tests: one thread per connection on 127.0.0.1:0, requests read
 * in order (so pipelining works), a response chosen by path. Counts every request it reads.
 */
final class TestOrigin implements AutoCloseable {

    static final byte[] OK = response("200 OK", "hello\n");
    static final byte[] FAIL = response("500 Internal Server Error", "no\n");
    static final byte[] CHUNKED = ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5\r\nhello\r\n1;ext=1\r\n\n\r\n0\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    static final byte[] TRUNCATED = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b"
            .getBytes(StandardCharsets.US_ASCII);

    private final ServerSocket server;
    private final Thread acceptor;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong laterOnAConnection = new AtomicLong();
    private final AtomicLong askedToClose = new AtomicLong();
    private final long stallAtRequest;
    private final long stallMillis;

    /** An origin that, on the {@code stallAtRequest}-th request to {@code /stall}, waits {@code stallMillis} first. */
    TestOrigin(long stallAtRequest, long stallMillis) throws IOException {
        this.server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
        this.stallAtRequest = stallAtRequest;
        this.stallMillis = stallMillis;
        this.acceptor = Thread.ofPlatform().daemon().name("test-origin").start(this::acceptLoop);
    }

    TestOrigin() throws IOException {
        this(0, 0);
    }

    int port() {
        return server.getLocalPort();
    }

    String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    long requests() {
        return requests.get();
    }

    long accepted() {
        return accepted.get();
    }

    /** Requests that came on a connection after another one: this origin keeps every connection open. */
    long laterOnAConnection() {
        return laterOnAConnection.get();
    }

    long askedToClose() {
        return askedToClose.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                accepted.incrementAndGet();
                Thread.ofPlatform().daemon().name("test-origin-conn").start(() -> serve(socket));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            socket.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            for (boolean first = true; ; first = false) {
                String head = readHead(in);
                if (head == null) {
                    return;
                }
                long number = requests.incrementAndGet();
                if (!first) {
                    laterOnAConnection.incrementAndGet();
                }
                if (head.toLowerCase(Locale.ROOT).contains("\r\nconnection: close\r\n")) {
                    askedToClose.incrementAndGet();
                }
                skipBody(in, head);
                String path = head.substring(head.indexOf(' ') + 1, head.indexOf(' ', head.indexOf(' ') + 1));
                switch (path) {
                    case "/fail" -> out.write(FAIL);
                    case "/chunked" -> out.write(CHUNKED);
                    case "/truncate" -> {
                        out.write(TRUNCATED);
                        return;
                    }
                    case "/hang" -> {
                        // Never answers; the client's timeout closes the connection and ends this thread.
                        while (in.read() >= 0) {
                            continue;
                        }
                        return;
                    }
                    case "/stall" -> {
                        if (number == stallAtRequest) {
                            // The stall is the behaviour under test (a server pausing), not a synchronization.
                            Thread.sleep(stallMillis);
                        }
                        out.write(OK);
                    }
                    default -> out.write(OK);
                }
                out.flush();
            }
        } catch (SocketException e) {
            // The client reset or closed the connection: normal at the end of a run.
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // The request head up to the blank line, or null at a clean end of stream.
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                    ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    private static void skipBody(InputStream in, String head) throws IOException {
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                in.skipNBytes(Long.parseLong(line.substring("content-length:".length()).trim()));
            }
        }
    }

    private static byte[] response(String status, String body) {
        return ("HTTP/1.1 " + status + "\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
                .getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException {
        server.close();
        try {
            acceptor.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

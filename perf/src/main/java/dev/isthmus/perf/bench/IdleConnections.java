package dev.isthmus.perf.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Holds many idle keep-alive connections open against one target, each having completed one request first so the
 * proxy has set up whatever it keeps per connection. Used from the bench's main thread.
 */
public final class IdleConnections implements AutoCloseable {

    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;
    private static final int READ_TIMEOUT_MILLIS = 5_000;
    private static final int READ_CHUNK = 4096;
    private static final byte[] HEAD_END = {'\r', '\n', '\r', '\n'};
    private static final String CONTENT_LENGTH = "content-length:";

    private final List<Socket> sockets;

    private IdleConnections(List<Socket> sockets) {
        this.sockets = sockets;
    }

    /** Opens {@code count} connections to {@code port}, one GET each; on failure closes what it opened and throws. */
    public static IdleConnections open(int port, String path, int count) throws IOException {
        List<Socket> sockets = new ArrayList<>(count);
        byte[] request = ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        boolean success = false;
        try {
            for (int i = 0; i < count; i++) {
                Socket socket = new Socket();
                sockets.add(socket);
                // Reset on close: 10,000 TIME_WAIT sockets per round would otherwise pile up on the same port pair.
                socket.setSoLinger(true, 0);
                socket.setSoTimeout(READ_TIMEOUT_MILLIS);
                try {
                    socket.connect(new InetSocketAddress("127.0.0.1", port), CONNECT_TIMEOUT_MILLIS);
                    socket.getOutputStream().write(request);
                    readResponse(socket.getInputStream());
                } catch (IOException e) {
                    throw new IOException("connection " + (i + 1) + " of " + count + ": " + e.getMessage(), e);
                }
            }
            success = true;
            return new IdleConnections(sockets);
        } finally {
            if (!success) {
                closeAll(sockets);
            }
        }
    }

    public int count() {
        return sockets.size();
    }

    @Override
    public void close() {
        closeAll(sockets);
    }

    private static void closeAll(List<Socket> sockets) {
        for (Socket socket : sockets) {
            try {
                socket.close();
            } catch (IOException e) {
                // Closing a socket the peer already reset: nothing left to release.
            }
        }
        sockets.clear();
    }

    // Reads one response framed by Content-Length (what the nginx origin sends for "/").
    private static void readResponse(InputStream in) throws IOException {
        byte[] buffer = new byte[READ_CHUNK];
        int filled = 0;
        int headEnd = -1;
        while (headEnd < 0) {
            if (filled == buffer.length) {
                throw new IOException("response head larger than " + buffer.length + " bytes");
            }
            int n = in.read(buffer, filled, buffer.length - filled);
            if (n < 0) {
                throw new IOException("connection closed before a response head");
            }
            filled += n;
            headEnd = indexOf(buffer, filled, HEAD_END);
        }
        String head = new String(buffer, 0, headEnd, StandardCharsets.ISO_8859_1);
        if (!head.startsWith("HTTP/1.1 2")) {
            throw new IOException("unexpected response: " + head.lines().findFirst().orElse(""));
        }
        long remaining = contentLength(head) - (filled - headEnd - HEAD_END.length);
        while (remaining > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, remaining));
            if (n < 0) {
                throw new IOException("connection closed inside a response body");
            }
            remaining -= n;
        }
    }

    private static long contentLength(String head) throws IOException {
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith(CONTENT_LENGTH)) {
                return Long.parseLong(line.substring(CONTENT_LENGTH.length()).trim());
            }
        }
        throw new IOException("response without Content-Length");
    }

    private static int indexOf(byte[] haystack, int length, byte[] needle) {
        for (int i = 0; i + needle.length <= length; i++) {
            if (java.util.Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        return -1;
    }
}

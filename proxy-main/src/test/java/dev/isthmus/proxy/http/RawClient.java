package dev.isthmus.proxy.http;

import dev.isthmus.proxy.testing.SendQueue;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * A test client over a plain socket: writes exactly the bytes it is given and reads responses by their framing, so a
 * test controls every byte and sees every byte. Used from one thread at a time (a test, or one load-test task).
 */
public final class RawClient implements AutoCloseable {
    /** Long enough for a loaded CI machine, short enough that a hang fails the test well inside its @Timeout. */
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(10);
    private static final int MAX_HEAD = 256 * 1024;
    private static final int MAX_BUFFERED_BODY = 64 * 1024 * 1024;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private RawClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    public static RawClient connect(int port) throws IOException {
        return connect(InetAddress.getLoopbackAddress(), port);
    }

    public static RawClient connect(InetAddress address, int port) throws IOException {
        Socket socket = new Socket(address, port);
        socket.setSoTimeout((int) DEFAULT_READ_TIMEOUT.toMillis());
        socket.setTcpNoDelay(true);
        return new RawClient(socket);
    }

    /** A client whose kernel takes only about {@code receiveBufferBytes} before it reads: a slow reader. */
    public static RawClient connectWithReceiveBuffer(int port, int receiveBufferBytes) throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(receiveBufferBytes);
        return connected(socket, port);
    }

    /** A client whose kernel takes about {@code sendBufferBytes} of writes before any of them blocks. */
    public static RawClient connectWithSendBuffer(int port, int sendBufferBytes) throws IOException {
        Socket socket = new Socket();
        socket.setSendBufferSize(sendBufferBytes);
        return connected(socket, port);
    }

    private static RawClient connected(Socket socket, int port) throws IOException {
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        socket.setSoTimeout((int) DEFAULT_READ_TIMEOUT.toMillis());
        socket.setTcpNoDelay(true);
        return new RawClient(socket);
    }

    /** The client's own port: with the proxy's, it names this connection in /proc/net/tcp. */
    public int localPort() {
        return socket.getLocalPort();
    }

    public OutputStream out() {
        return out;
    }

    public InputStream in() {
        return in;
    }

    public RawClient readTimeout(Duration timeout) throws SocketException {
        socket.setSoTimeout((int) timeout.toMillis());
        return this;
    }

    /** Sends ISO-8859-1 text as is (tests write CRLF explicitly). */
    public RawClient send(String text) throws IOException {
        return send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    public RawClient send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** A GET with {@code Host: test} and the given extra field lines; returns the final response. */
    public RawResponse get(String target, String... fieldLines) throws IOException {
        return request("GET", target, fieldLines);
    }

    /** A bodiless request with {@code Host: test} unless a Host line is given; returns the final response. */
    public RawResponse request(String method, String target, String... fieldLines) throws IOException {
        send(head(method, target, fieldLines));
        return readFinal(method);
    }

    /** The bytes of a request head: request-line, {@code Host: test} unless given, the field lines, CRLF. */
    public static String head(String method, String target, String... fieldLines) {
        StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        boolean host = false;
        for (String line : fieldLines) {
            host |= line.regionMatches(true, 0, "Host:", 0, "Host:".length());
        }
        if (!host) {
            head.append("Host: test\r\n");
        }
        for (String line : fieldLines) {
            head.append(line).append("\r\n");
        }
        return head.append("\r\n").toString();
    }

    /** Reads the next response (interim ones included) to a request with {@code requestMethod}. */
    public RawResponse read(String requestMethod) throws IOException {
        HttpHead head = readHead();
        return readBody(head, requestMethod);
    }

    /** Reads the next response to a GET. */
    public RawResponse read() throws IOException {
        return read("GET");
    }

    /** Skips interim (1xx) responses and returns the final one; 101 counts as final. */
    public RawResponse readFinal(String requestMethod) throws IOException {
        while (true) {
            RawResponse response = read(requestMethod);
            if (response.status() >= 200 || response.status() == 101) {
                return response;
            }
        }
    }

    public HttpHead readHead() throws IOException {
        HttpHead head = HttpHead.read(in, MAX_HEAD);
        if (head == null) {
            throw new EOFException("the proxy closed the connection instead of responding");
        }
        return head;
    }

    /** The body of the response with {@code head} as a stream positioned at the next response once read. */
    public InputStream bodyStream(HttpHead head, String requestMethod) {
        return switch (framing(head, requestMethod)) {
            case NONE -> InputStream.nullInputStream();
            case CONTENT_LENGTH -> Bodies.fixed(in, head.contentLength());
            case CHUNKED -> Bodies.chunked(in);
            case CLOSE_DELIMITED -> Bodies.untilEof(in);
        };
    }

    private RawResponse readBody(HttpHead head, String requestMethod) throws IOException {
        RawResponse.Framing framing = framing(head, requestMethod);
        InputStream body = bodyStream(head, requestMethod);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        byte[] buffer = new byte[64 * 1024];
        for (int n; (n = body.read(buffer)) != -1; ) {
            bytes.write(buffer, 0, n);
            if (bytes.size() > MAX_BUFFERED_BODY) {
                throw new IOException("response body above " + MAX_BUFFERED_BODY + " bytes: use bodyStream");
            }
        }
        List<HttpHead.Field> trailers = body instanceof Bodies.Chunked chunked ? chunked.trailers() : List.of();
        return new RawResponse(head, bytes.toByteArray(), trailers, framing);
    }

    /** RFC 9112 §6.3 from the client's side. */
    static RawResponse.Framing framing(HttpHead head, String requestMethod) {
        int status = RawResponse.statusOf(head);
        if (requestMethod.equals("HEAD") || status < 200 || status == 204 || status == 304) {
            return RawResponse.Framing.NONE;
        }
        if (head.has("Transfer-Encoding")) {
            return head.chunked() ? RawResponse.Framing.CHUNKED : RawResponse.Framing.CLOSE_DELIMITED;
        }
        if (head.has("Content-Length")) {
            return RawResponse.Framing.CONTENT_LENGTH;
        }
        return RawResponse.Framing.CLOSE_DELIMITED;
    }

    /**
     * Asserts the peer closes the connection (EOF or reset) within the read timeout, with no further bytes.
     *
     * @throws AssertionError when bytes arrive instead, or nothing happens in time
     */
    public void assertClosedByPeer() throws IOException {
        try {
            int b = in.read();
            if (b >= 0) {
                ByteArrayOutputStream extra = new ByteArrayOutputStream();
                extra.write(b);
                int available = in.available();
                extra.write(in.readNBytes(Math.min(available, 4096)));
                throw new AssertionError("expected the connection to be closed, but received: "
                        + HttpHead.printable(extra.toByteArray()));
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the connection stayed open for " + socket.getSoTimeout() + " ms");
        } catch (SocketException reset) {
            // A reset is a close too: the point is that the connection is over.
        }
    }

    /** Reads to EOF (or reset), returning whatever arrived; a read timeout is an AssertionError. */
    public byte[] readUntilClosed() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        byte[] buffer = new byte[16 * 1024];
        try {
            for (int n; (n = in.read(buffer)) != -1; ) {
                bytes.write(buffer, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the connection stayed open for " + socket.getSoTimeout() + " ms after "
                    + bytes.size() + " bytes: " + HttpHead.printable(bytes.toByteArray()));
        } catch (SocketException reset) {
            // reset after (or instead of) the bytes: still the end of the connection
        }
        return bytes.toByteArray();
    }

    public void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    /** Closes with SO_LINGER 0: the peer gets a reset instead of a FIN. */
    public void reset() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    /** Waits until the proxy has acknowledged every byte sent: a reset would throw away what is still unsent. */
    public void awaitAcknowledged(Duration timeout) throws InterruptedException {
        SendQueue.awaitAcknowledged(socket, timeout);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}

package dev.isthmus.proxy.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * One request being answered by the test origin: the request, its body as a decoded stream, and the raw connection
 * for writing whatever bytes the script wants (well-formed or not). Used only on the connection's virtual thread.
 */
public final class Exchange {
    private final HttpTestOrigin origin;
    private final OriginConnection connection;
    private final OriginRequest request;
    private final Socket socket;
    private final InputStream connectionIn;
    private final InputStream body;
    private final OutputStream out;

    Exchange(HttpTestOrigin origin, OriginConnection connection, OriginRequest request, Socket socket,
             InputStream connectionIn, OutputStream out) {
        this.origin = origin;
        this.connection = connection;
        this.request = request;
        this.socket = socket;
        this.connectionIn = connectionIn;
        this.out = out;
        this.body = recordingBody(request, bodyOf(request.head(), connectionIn));
    }

    private static InputStream bodyOf(HttpHead head, InputStream in) {
        if (head.has("Transfer-Encoding")) {
            return Bodies.chunked(in);
        }
        long length = head.contentLength();
        return length > 0 ? Bodies.fixed(in, length) : InputStream.nullInputStream();
    }

    private static InputStream recordingBody(OriginRequest request, InputStream body) {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = body.read(b, off, len);
                if (n > 0) {
                    request.recordBody(b, off, n);
                }
                return n;
            }
        };
    }

    public OriginRequest request() {
        return request;
    }

    public OriginConnection connection() {
        return connection;
    }

    public String originName() {
        return origin.name();
    }

    /** The request body with its framing removed. */
    public InputStream body() {
        return body;
    }

    public byte[] readBody() throws IOException {
        return body.readAllBytes();
    }

    /** The connection past the request head: for tunnels after a 101, where bytes are no longer HTTP. */
    public InputStream rawIn() {
        return connectionIn;
    }

    /** Buffered; the origin flushes after the script returns, scripts flush where timing matters. */
    public OutputStream out() {
        return out;
    }

    public Socket socket() {
        return socket;
    }

    public Exchange write(String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        return this;
    }

    public Exchange write(byte[] bytes) throws IOException {
        out.write(bytes);
        return this;
    }

    public Exchange flush() throws IOException {
        out.flush();
        return this;
    }

    /** Flushes, then closes with SO_LINGER 0 so the proxy sees a reset rather than a FIN. */
    public void reset() throws IOException {
        out.flush();
        socket.setSoLinger(true, 0);
        socket.close();
    }

    /** Blocks until the origin is closed: an upstream that never answers. */
    public void hangUntilOriginCloses() {
        origin.awaitClosing();
    }
}

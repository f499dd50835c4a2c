package dev.isthmus.proxy.http;

import dev.isthmus.proxy.testing.TestOrigin;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP/1.1 origin for proxy tests, on raw sockets so that it can misbehave precisely. Each accepted connection is
 * served on its own virtual thread (through {@link TestOrigin}) as a keep-alive loop: read a head, pick the script
 * registered for the path (exact path first, then the longest registered prefix, else {@link OriginScripts#reflect}),
 * run it, and continue unless the script or the request ended the connection. Every raw byte received is recorded
 * per connection. Configure scripts before sending traffic; the maps are concurrent only so that reads are safe.
 */
public final class HttpTestOrigin implements AutoCloseable {
    private static final int MAX_HEAD = 256 * 1024;

    /** What the origin does after a script returns. */
    public enum After {
        /** Read the next request on this connection (any unread request body is drained first). */
        KEEP_ALIVE,
        /** Close the connection gracefully. */
        CLOSE,
        /** The script already closed, reset or took over the connection: leave it alone. */
        DONE
    }

    /** A per-request behaviour. */
    @FunctionalInterface
    public interface Script {
        After respond(Exchange exchange) throws IOException;
    }

    private final String name;
    private final TestOrigin server;
    private final Map<String, Script> exact = new ConcurrentHashMap<>();
    private final Map<String, Script> prefixes = new ConcurrentHashMap<>();
    private final List<OriginConnection> connections = new CopyOnWriteArrayList<>();
    private final AtomicInteger nextId = new AtomicInteger(1);
    private final CountDownLatch closing = new CountDownLatch(1);

    public HttpTestOrigin(String name) throws IOException {
        this.name = name;
        this.server = new TestOrigin(this::serve);
    }

    public String name() {
        return name;
    }

    public int port() {
        return server.port();
    }

    /** Answers requests whose path equals {@code path} with {@code script}. */
    public HttpTestOrigin on(String path, Script script) {
        exact.put(path, script);
        return this;
    }

    /** Answers requests whose path starts with {@code prefix} (the longest registered prefix wins). */
    public HttpTestOrigin onPrefix(String prefix, Script script) {
        prefixes.put(prefix, script);
        return this;
    }

    public List<OriginConnection> connections() {
        return List.copyOf(connections);
    }

    public int acceptedCount() {
        return server.acceptedCount();
    }

    /** Raw bytes received over all connections. */
    public long receivedBytes() {
        long total = 0;
        for (OriginConnection c : connections) {
            total += c.receivedBytes();
        }
        return total;
    }

    /** Every request received, in order of connection then arrival. */
    public List<OriginRequest> requests() {
        List<OriginRequest> all = new ArrayList<>();
        for (OriginConnection c : connections) {
            all.addAll(c.requests());
        }
        return all;
    }

    public OriginRequest lastRequest() {
        List<OriginRequest> all = requests();
        if (all.isEmpty()) {
            throw new AssertionError("origin " + name + " received no request");
        }
        return all.getLast();
    }

    void awaitClosing() {
        try {
            closing.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void serve(Socket socket) throws IOException {
        OriginConnection connection = new OriginConnection(nextId.getAndIncrement());
        connections.add(connection);
        try {
            InputStream in = new BufferedInputStream(connection.recording(socket.getInputStream()));
            OutputStream out = new BufferedOutputStream(socket.getOutputStream());
            while (true) {
                HttpHead head = HttpHead.read(in, MAX_HEAD);
                if (head == null) {
                    return;
                }
                OriginRequest request = new OriginRequest(head);
                connection.addRequest(request);
                Exchange exchange = new Exchange(this, connection, request, socket, in, out);
                After after = scriptFor(request.path()).respond(exchange);
                if (after == After.DONE) {
                    return;
                }
                out.flush();
                if (after == After.CLOSE || !persistent(head)) {
                    return;
                }
                exchange.body().transferTo(OutputStream.nullOutputStream());
            }
        } finally {
            connection.finish();
        }
    }

    private static boolean persistent(HttpHead head) {
        if (head.hasToken("Connection", "close")) {
            return false;
        }
        return head.startLine().endsWith("HTTP/1.1") || head.hasToken("Connection", "keep-alive");
    }

    private Script scriptFor(String path) {
        Script script = exact.get(path);
        if (script != null) {
            return script;
        }
        String best = null;
        for (String prefix : prefixes.keySet()) {
            if (path.startsWith(prefix) && (best == null || prefix.length() > best.length())) {
                best = prefix;
            }
        }
        return best == null ? OriginScripts.reflect() : prefixes.get(best);
    }

    @Override
    public void close() throws IOException {
        closing.countDown();
        server.close();
    }

    @Override
    public String toString() {
        return "origin " + name + " " + connections;
    }
}

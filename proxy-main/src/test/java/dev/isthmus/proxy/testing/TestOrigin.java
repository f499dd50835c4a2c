package dev.isthmus.proxy.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback TCP origin for tests: every accepted connection is handed to a {@link Behaviour} on its own virtual
 * thread, so thousands of concurrent connections cost no platform threads.
 */
public final class TestOrigin implements AutoCloseable {
    /** What the origin does with one connection; the socket is closed afterwards. */
    @FunctionalInterface
    public interface Behaviour {
        void serve(Socket socket) throws IOException;
    }

    private final ServerSocket server;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();

    public TestOrigin(Behaviour behaviour) throws IOException {
        this.server = new ServerSocket(0, 4096, InetAddress.getLoopbackAddress());
        threads.execute(() -> acceptLoop(behaviour));
    }

    private void acceptLoop(Behaviour behaviour) {
        while (!server.isClosed()) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException closed) {
                return;
            }
            accepted.incrementAndGet();
            open.add(socket);
            // close() closes the server before the sockets in `open`: a socket added after that sweep sees the server
            // closed here, so no accepted socket outlives close().
            if (server.isClosed()) {
                discard(socket);
                return;
            }
            try {
                threads.execute(() -> {
                    try (socket) {
                        behaviour.serve(socket);
                    } catch (IOException ignored) {
                        // the proxy or the test closed the connection: that is the point of several tests
                    } finally {
                        open.remove(socket);
                    }
                });
            } catch (RejectedExecutionException closing) {
                discard(socket);
                return;
            }
        }
    }

    private void discard(Socket socket) {
        open.remove(socket);
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing a socket nobody used: nothing to report
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    public int acceptedCount() {
        return accepted.get();
    }

    public int openConnections() {
        return open.size();
    }

    /** Echoes every byte until EOF, then closes. */
    public static void echo(Socket socket) throws IOException {
        socket.getInputStream().transferTo(socket.getOutputStream());
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket socket : open) {
            socket.close();
        }
        threads.shutdownNow();
    }
}

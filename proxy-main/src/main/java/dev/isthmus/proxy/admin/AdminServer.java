package dev.isthmus.proxy.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The admin endpoint: {@code /ready} for load balancers and orchestrators, {@code /stats} for scrapers, and an index
 * at {@code /}. It is control-plane traffic, a few requests a second at most, so it runs on the JDK's own HTTP server
 * and never on a reactor; everything it reports comes through {@link Source}, which posts to the reactors rather than
 * reading their state from here.
 *
 * <p>The JDK server reads a request head with blocking reads on the handler's thread, so each exchange has a virtual
 * thread of its own: on one shared thread, a client that sent half a head would keep {@code /ready} from every load
 * balancer. A request not read within {@value #MAX_REQUEST_SECONDS} s closes its connection, and at most
 * {@value #MAX_CONNECTIONS} connections are open, so slow clients cannot take the proxy's descriptors either. Both are
 * the JDK server's own limits (system properties it reads once per JVM); an operator's {@code -D} wins.
 */
public final class AdminServer implements AutoCloseable {
    /** What the endpoint reports; called on the exchanges' threads, so calls may overlap. */
    public interface Source {
        /** False once the proxy is draining: {@code /ready} then answers 503 so traffic moves elsewhere. */
        boolean live();

        /** The stats page in the Prometheus text format; throws when a reactor did not answer in time. */
        String stats() throws Exception;
    }

    private static final System.Logger LOG = System.getLogger(AdminServer.class.getName());
    private static final int MAX_REQUEST_SECONDS = 10;
    private static final int MAX_CONNECTIONS = 256;
    private static final String TEXT = "text/plain; charset=utf-8";
    private static final String INDEX = """
            isthmus admin endpoint
              /ready   200 LIVE while serving, 503 DRAINING once a drain began
              /stats   counters and gauges in the Prometheus text format
            """;

    private final HttpServer server;
    private final ExecutorService threads;
    private boolean closed;

    private AdminServer(HttpServer server, ExecutorService threads) {
        this.server = server;
        this.threads = threads;
    }

    /** Binds {@code address} and starts serving; the caller closes the returned server. */
    public static AdminServer start(InetSocketAddress address, Source source) throws IOException {
        defaultProperty("sun.net.httpserver.maxReqTime", MAX_REQUEST_SECONDS);
        defaultProperty("jdk.httpserver.maxConnections", MAX_CONNECTIONS);
        HttpServer server = HttpServer.create(address, 0);
        ExecutorService threads = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("isthmus-admin-", 0)
                .factory());
        server.setExecutor(threads);
        server.createContext("/", exchange -> serve(exchange, source));
        server.start();
        return new AdminServer(server, threads);
    }

    private static void defaultProperty(String name, int value) {
        if (System.getProperty(name) == null) {
            System.setProperty(name, Integer.toString(value));
        }
    }

    /** The bound port (the chosen one when the config said port 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    private static void serve(HttpExchange exchange, Source source) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                respond(exchange, 405, TEXT, "only GET and HEAD\n");
                return;
            }
            switch (exchange.getRequestURI().getPath()) {
                case "/" -> respond(exchange, 200, TEXT, INDEX);
                case "/ready" -> {
                    boolean live = source.live();
                    respond(exchange, live ? 200 : 503, TEXT, live ? "LIVE\n" : "DRAINING\n");
                }
                case "/stats" -> stats(exchange, source);
                default -> respond(exchange, 404, TEXT, "no such admin page; see /\n");
            }
        }
    }

    private static void stats(HttpExchange exchange, Source source) throws IOException {
        String page;
        try {
            page = source.stats();
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "admin: stats unavailable: " + e.getMessage());
            respond(exchange, 503, TEXT, "stats unavailable: " + e.getMessage() + "\n");
            return;
        }
        respond(exchange, 200, PrometheusText.CONTENT_TYPE, page);
    }

    private static void respond(HttpExchange exchange, int status, String contentType, String body)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** Stops listening and closes every admin connection at once. Safe to call twice. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        server.stop(0);
        threads.shutdownNow();
    }
}

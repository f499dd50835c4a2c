package dev.isthmus.perf.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The origin used when nginx is not installed: the JDK's HttpServer serving {@code /} and the generated files, so
 * the isthmus and direct rows still run. It is far slower than nginx and the report's numbers say so.
 * Usage: {@code FallbackOrigin PORT WWW_DIR}; runs until killed, on the HttpServer's single dispatcher thread.
 */
public final class FallbackOrigin {

    private static final byte[] SMALL_BODY = "isthmus bench origin: small response\n".getBytes(StandardCharsets.US_ASCII);
    private static final int BACKLOG = 4096;
    private static final int OK = 200;
    private static final int NOT_FOUND = 404;

    private FallbackOrigin() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: FallbackOrigin PORT WWW_DIR");
            System.exit(2);
        }
        Path www = Path.of(args[1]);
        HttpServer server = HttpServer.create(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(args[0])), BACKLOG);
        server.createContext("/", exchange -> serve(exchange, www));
        server.start();
    }

    private static void serve(HttpExchange exchange, Path www) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (path.equals(BenchFiles.SMALL_PATH)) {
                exchange.sendResponseHeaders(OK, SMALL_BODY.length);
                exchange.getResponseBody().write(SMALL_BODY);
                return;
            }
            Path file = www.resolve(path.substring(1)).normalize();
            if (!file.startsWith(www) || !Files.isRegularFile(file)) {
                exchange.sendResponseHeaders(NOT_FOUND, -1);
                return;
            }
            exchange.sendResponseHeaders(OK, Files.size(file));
            try (OutputStream out = exchange.getResponseBody()) {
                Files.copy(file, out);
            }
        }
    }
}

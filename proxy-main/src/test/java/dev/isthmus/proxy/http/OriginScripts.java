package dev.isthmus.proxy.http;

import dev.isthmus.proxy.http.HttpTestOrigin.After;
import dev.isthmus.proxy.http.HttpTestOrigin.Script;
import dev.isthmus.proxy.testing.Payloads;
import dev.isthmus.proxy.testing.SendQueue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

/** The test origin's behaviours, one factory per way an upstream can answer (or fail to). */
public final class OriginScripts {
    /** Names the origin connection in every response, so tests can see which upstream connection served them. */
    public static final String CONNECTION_ID = "X-Origin-Connection";
    public static final String ORIGIN_NAME = "X-Origin-Name";
    /** A 101 to websocket, the head of a tunnel's first bytes. */
    public static final String WEBSOCKET_SWITCH =
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n";

    private OriginScripts() {
    }

    /** 200 with {@code "NAME METHOD TARGET\n"}: tells a test which origin got the request and in what form. */
    public static Script reflect() {
        return exchange -> {
            OriginRequest r = exchange.request();
            exchange.readBody();
            return respond(exchange, 200, exchange.originName() + " " + r.method() + " " + r.target() + "\n");
        };
    }

    /** {@code status} with a Content-Length body; a HEAD gets the same head and no body. */
    public static Script text(int status, String body) {
        return exchange -> {
            exchange.readBody();
            return respond(exchange, status, body);
        };
    }

    /** Like {@link #text} but says {@code Connection: close} and closes after the body. */
    public static Script connectionClose(String body) {
        return exchange -> {
            exchange.readBody();
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.write(head(exchange, 200, "Content-Length: " + bytes.length, "Connection: close"));
            exchange.write(bytes);
            return After.CLOSE;
        };
    }

    /** The request body echoed back with Content-Length (the request may be Content-Length or chunked). */
    public static Script echo() {
        return exchange -> {
            byte[] body = exchange.readBody();
            exchange.write(head(exchange, 200, "Content-Length: " + body.length));
            exchange.write(body);
            return After.KEEP_ALIVE;
        };
    }

    /** The request body echoed back as chunked, one chunk per read, for bodies of any size. */
    public static Script echoChunked() {
        return exchange -> {
            exchange.write(head(exchange, 200, "Transfer-Encoding: chunked")).flush();
            Bodies.ChunkedWriter chunks = Bodies.chunkedWriter(exchange.out());
            exchange.body().transferTo(chunks);
            chunks.finish();
            return After.KEEP_ALIVE;
        };
    }

    /** If the request expects 100-continue, sends 100 first and only then reads the body; then echoes it. */
    public static Script continueThenEcho() {
        return exchange -> {
            if ("100-continue".equalsIgnoreCase(exchange.request().header("Expect"))) {
                exchange.write("HTTP/1.1 100 Continue\r\n\r\n").flush();
            }
            return echo().respond(exchange);
        };
    }

    /** Reads the whole body streaming, answers {@code "SHA256HEX:COUNT"}: uploads of any size, never held. */
    public static Script hashBody() {
        return exchange -> {
            MessageDigest sha = sha256();
            byte[] buffer = new byte[64 * 1024];
            long count = 0;
            InputStream body = exchange.body();
            for (int n; (n = body.read(buffer)) != -1; ) {
                sha.update(buffer, 0, n);
                count += n;
            }
            return respond(exchange, 200, HexFormat.of().formatHex(sha.digest()) + ":" + count);
        };
    }

    /** {@code length} seeded bytes with Content-Length (see {@link Payloads}). */
    public static Script streamed(long seed, long length) {
        return exchange -> {
            exchange.readBody();
            exchange.write(head(exchange, 200, "Content-Length: " + length));
            if (!isHead(exchange)) {
                Payloads.write(exchange.out(), seed, length);
            }
            return After.KEEP_ALIVE;
        };
    }

    /** {@code length} seeded bytes, chunked. */
    public static Script streamedChunked(long seed, long length) {
        return exchange -> {
            exchange.readBody();
            exchange.write(head(exchange, 200, "Transfer-Encoding: chunked"));
            Bodies.ChunkedWriter chunks = Bodies.chunkedWriter(exchange.out());
            Payloads.write(chunks, seed, length);
            chunks.finish();
            return After.KEEP_ALIVE;
        };
    }

    /** A chunked body of these chunks, then these trailer lines ({@code "Name: value"}). */
    public static Script chunked(List<String> chunks, String... trailerLines) {
        return exchange -> {
            exchange.readBody();
            exchange.write(head(exchange, 200, "Transfer-Encoding: chunked"));
            Bodies.ChunkedWriter writer = Bodies.chunkedWriter(exchange.out());
            for (String chunk : chunks) {
                writer.write(chunk.getBytes(StandardCharsets.UTF_8));
            }
            writer.finish(trailerLines);
            return After.KEEP_ALIVE;
        };
    }

    /** No Content-Length, no Transfer-Encoding: the body ends when the origin closes. */
    public static Script closeDelimited(String body) {
        return exchange -> {
            exchange.readBody();
            exchange.write("HTTP/1.1 200 OK\r\n" + CONNECTION_ID + ": " + exchange.connection().id() + "\r\n\r\n");
            exchange.write(body.getBytes(StandardCharsets.UTF_8));
            return After.CLOSE;
        };
    }

    /** Interim responses (each a full head such as {@code "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"}), then {@code then}. */
    public static Script interimThen(List<String> interimHeads, Script then) {
        return exchange -> {
            for (String head : interimHeads) {
                exchange.write(head).flush();
            }
            return then.respond(exchange);
        };
    }

    /** Exactly these bytes as the response, then {@code after}. */
    public static Script raw(String response, After after) {
        return exchange -> {
            exchange.readBody();
            exchange.write(response);
            if (after == After.DONE) {
                exchange.flush();
                exchange.socket().close();
            }
            return after;
        };
    }

    /**
     * Sends {@code first}, waits for {@code go}, then sends {@code second} and closes: a response whose later part
     * reaches the proxy in a read of its own, once the test has seen the first part through.
     */
    public static Script inTwoParts(String first, CountDownLatch go, String second) {
        return exchange -> {
            exchange.readBody();
            exchange.write(first).flush();
            try {
                go.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return After.DONE;
            }
            exchange.write(second).flush();
            exchange.socket().close();
            return After.DONE;
        };
    }

    /**
     * Answers with exactly these bytes without reading the request body, then half-closes and reads until the proxy
     * closes: an upstream refusing an upload early, closing politely so that the kernel does not reset the answer.
     */
    public static Script answerBeforeBody(String response) {
        return exchange -> {
            exchange.write(response).flush();
            exchange.socket().shutdownOutput();
            exchange.rawIn().transferTo(OutputStream.nullOutputStream());
            return After.DONE;
        };
    }

    /**
     * Answers with exactly these bytes without reading any request body, then closes with a reset: an abortive close
     * right behind the answer, as servers do that refuse an upload (the unread body makes the kernel reset) or that
     * set SO_LINGER 0 to shed TIME_WAIT.
     */
    public static Script answerThenReset(String response) {
        return exchange -> {
            exchange.write(response);
            exchange.reset();
            return After.DONE;
        };
    }

    /**
     * Sends {@code response}, waits until the proxy has acknowledged all of it, then resets and counts {@code reset}
     * down: a whole answer sits in the proxy's socket behind a reset, however slowly the proxy's client reads.
     */
    public static Script answerAcknowledgedThenReset(byte[] response, Duration timeout, CountDownLatch reset) {
        return exchange -> sendAcknowledgedThenReset(exchange, response, timeout, reset);
    }

    private static After sendAcknowledgedThenReset(Exchange exchange, byte[] bytes, Duration timeout,
            CountDownLatch reset) throws IOException {
        exchange.write(bytes).flush();
        try {
            SendQueue.awaitAcknowledged(exchange.socket(), timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return After.DONE;
        }
        exchange.reset();
        reset.countDown();
        return After.DONE;
    }

    /**
     * A 101, then, once {@code switched} is counted down, {@code payload} through the tunnel, then a reset once the
     * proxy has acknowledged all of it ({@code reset} counted down after).
     */
    public static Script switchThenResetBehind(CountDownLatch switched, byte[] payload, Duration timeout,
            CountDownLatch reset) {
        return exchange -> {
            exchange.write(WEBSOCKET_SWITCH).flush();
            try {
                switched.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return After.DONE;
            }
            return sendAcknowledgedThenReset(exchange, payload, timeout, reset);
        };
    }

    /** A 101, then, once {@code go} is counted down, all the tunnel brings until it ends, into {@code received}. */
    public static Script switchThenReadLate(CountDownLatch go, CompletableFuture<byte[]> received) {
        return exchange -> {
            exchange.write(WEBSOCKET_SWITCH).flush();
            try {
                go.await();
                received.complete(exchange.rawIn().readAllBytes());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                received.completeExceptionally(e);
            }
            return After.DONE;
        };
    }

    /**
     * {@code answer} (a 101 and what follows it), then all the tunnel brings, into {@code received}, until it ends by
     * a FIN or a reset; {@code firstArrived} is counted down once {@code firstBytes} of it came.
     */
    public static Script answerThenReadAll(byte[] answer, int firstBytes, CountDownLatch firstArrived,
            CompletableFuture<byte[]> received) {
        return exchange -> {
            exchange.write(answer).flush();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            try {
                for (int n; (n = exchange.rawIn().read(buffer)) > 0; ) {
                    all.write(buffer, 0, n);
                    if (all.size() >= firstBytes) {
                        firstArrived.countDown();
                    }
                }
            } catch (SocketException e) {
                // The proxy reset the connection: what came before the reset is what the test asserts on.
            }
            received.complete(all.toByteArray());
            return After.DONE;
        };
    }

    /** Takes {@code delay} before running {@code then}: a slow upstream (the delay is the behaviour under test). */
    public static Script delayed(Duration delay, Script then) {
        return exchange -> {
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return After.DONE;
            }
            return then.respond(exchange);
        };
    }

    /** Waits for {@code go} before running {@code then}: an upstream whose answer the test releases. */
    public static Script after(CountDownLatch go, Script then) {
        return exchange -> {
            try {
                go.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return After.DONE;
            }
            return then.respond(exchange);
        };
    }

    /** Reads the request and never answers (until the origin closes): for timeouts and capacity. */
    public static Script hang() {
        return exchange -> {
            exchange.hangUntilOriginCloses();
            return After.DONE;
        };
    }

    /** Never answers; reads the connection until the proxy closes or resets it, which the origin records. */
    public static Script waitForPeerClose() {
        return exchange -> {
            exchange.rawIn().transferTo(OutputStream.nullOutputStream());
            return After.DONE;
        };
    }

    /** Reads the request head, then resets the connection without a byte of response. */
    public static Script resetBeforeHead() {
        return exchange -> {
            exchange.reset();
            return After.DONE;
        };
    }

    /** Sends part of a status-line and fields, then resets. */
    public static Script resetMidHead() {
        return exchange -> {
            exchange.readBody();
            exchange.write("HTTP/1.1 200 OK\r\nContent-Le");
            exchange.reset();
            return After.DONE;
        };
    }

    /**
     * Sends the head and {@code sent} of {@code declared} body bytes, waits for {@code go}, then resets. The wait lets
     * the test see the head arrive first: a reset right behind the data would make the kernel drop the unread data.
     */
    public static Script resetMidBody(long declared, int sent, CountDownLatch go) {
        return exchange -> resetAfter(exchange, head(exchange, 200, "Content-Length: " + declared), sent, go);
    }

    /** {@link #resetMidBody} for a body delimited by the close: only a reset can tell its truncation. */
    public static Script resetMidCloseDelimitedBody(int sent, CountDownLatch go) {
        return exchange -> resetAfter(exchange, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n", sent, go);
    }

    private static After resetAfter(Exchange exchange, String head, int sent, CountDownLatch go)
            throws IOException {
        exchange.readBody();
        exchange.write(head);
        exchange.write(new byte[sent]).flush();
        try {
            go.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        exchange.reset();
        return After.DONE;
    }

    /** 101 when asked to upgrade, then echoes raw bytes both ways until the proxy closes: a websocket-like tunnel. */
    public static Script switchingProtocols() {
        return exchange -> {
            if (!exchange.request().head().hasToken("Connection", "upgrade")
                    || exchange.request().header("Upgrade") == null) {
                return respond(exchange, 426, "upgrade required\n");
            }
            exchange.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: " + exchange.request().header("Upgrade")
                    + "\r\nConnection: Upgrade\r\n\r\n").flush();
            InputStream in = exchange.rawIn();
            OutputStream out = exchange.out();
            byte[] buffer = new byte[16 * 1024];
            for (int n; (n = in.read(buffer)) != -1; ) {
                out.write(buffer, 0, n);
                out.flush();
            }
            exchange.socket().close();
            return After.DONE;
        };
    }

    /** Answers {@code status} with a body by Content-Length, honouring HEAD. */
    static After respond(Exchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.write(head(exchange, status, "Content-Length: " + bytes.length, "Content-Type: text/plain"));
        if (!isHead(exchange)) {
            exchange.write(bytes);
        }
        return After.KEEP_ALIVE;
    }

    /** A status-line, the origin's identifying fields, these field lines, and the empty line. */
    static String head(Exchange exchange, int status, String... fieldLines) {
        StringBuilder head = new StringBuilder("HTTP/1.1 ").append(status).append(' ').append(reason(status))
                .append("\r\n").append(CONNECTION_ID).append(": ").append(exchange.connection().id()).append("\r\n")
                .append(ORIGIN_NAME).append(": ").append(exchange.originName()).append("\r\n");
        for (String line : fieldLines) {
            head.append(line).append("\r\n");
        }
        return head.append("\r\n").toString();
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 201 -> "Created";
            case 204 -> "No Content";
            case 304 -> "Not Modified";
            case 404 -> "Not Found";
            case 426 -> "Upgrade Required";
            default -> "Status";
        };
    }

    private static boolean isHead(Exchange exchange) {
        return exchange.request().method().equals("HEAD");
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}

package dev.isthmus.proxy.http;

import dev.isthmus.proxy.testing.ChildProxy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * One client pipelines tens of thousands of requests that the proxy answers itself (a direct response here; a
 * redirect, a 404 or a 503 go the same way). Each used to be answered from the end of the one before it, a few stack
 * frames deeper each time, and a few thousand overflowed the reactor thread's stack as {@code bin/isthmus} sizes it:
 * the worker stopped, and every connection on it with it. The proxy runs as a child with the launcher's JVM options,
 * because this test JVM gives its threads larger stacks.
 */
@Timeout(60)
final class HttpLocalPipelineProcessTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(10);
    private static final int DEPTH = 20_000;

    @Test
    void tensOfThousandsOfPipelinedRequestsAnsweredByTheProxyItselfAreAllAnswered(@TempDir Path dir)
            throws Exception {
        Path yaml = dir.resolve("isthmus.yaml");
        Files.writeString(yaml, """
                workers: 1
                listeners:
                  - name: web
                    address: 127.0.0.1:0
                    protocol: http
                    routes:
                      - match: { prefix: / }
                        direct_response: { status: 200, body: "local\\n" }
                """);
        try (ChildProxy proxy = ChildProxy.start(yaml, dir.resolve("stderr"))) {
            int port = proxy.awaitListening("web", WAIT);
            byte[] request = RawClient.head("GET", "/").getBytes(StandardCharsets.US_ASCII);
            byte[] pipeline = new byte[request.length * DEPTH];
            for (int i = 0; i < DEPTH; i++) {
                System.arraycopy(request, 0, pipeline, i * request.length, request.length);
            }
            try (RawClient client = RawClient.connect(port).readTimeout(READ_TIMEOUT)) {
                // The responses come back while the requests still go out: sent from a thread of their own.
                Thread sender = Thread.ofPlatform().start(() -> {
                    try {
                        client.send(pipeline);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
                for (int i = 0; i < DEPTH; i++) {
                    assertEquals("local\n", client.read("GET").bodyText(), proxy::log);
                }
                sender.join();
            }
            try (RawClient later = RawClient.connect(port).readTimeout(READ_TIMEOUT)) {
                assertEquals("local\n", later.get("/").bodyText(), "the worker still serves");
            }
        }
    }
}

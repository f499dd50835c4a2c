package dev.isthmus.proxy.server;

import dev.isthmus.proxy.config.ConfigLoader;
import dev.isthmus.proxy.config.ProxyConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A worker whose thread an error ended (one no handler could contain, such as the stack overflow a deep pipeline
 * once caused) took its listeners and connections with it; the process used to run on without it, alive but short
 * of a worker, or with one worker serving nothing at all. It now drains the others and exits 1.
 */
@Timeout(60)
final class LostWorkerTest {
    @Test
    void losingAWorkerEndsServingWithExitCodeOne() throws Exception {
        ProxyConfig config = new ConfigLoader().parse("lost-worker.yaml", """
                workers: 2
                listeners:
                  - name: web
                    address: 127.0.0.1:0
                    protocol: http
                    routes:
                      - match: { prefix: / }
                        direct_response: { status: 200, body: "up" }
                """);
        ProxyServer server = ProxyServer.start(config);
        CompletableFuture<Integer> exitCode = CompletableFuture.supplyAsync(
                () -> server.serveUntil(new CountDownLatch(1)));
        server.workers().get(1).post(() -> {
            throw new InternalError("uncontained");
        });
        assertEquals(1, exitCode.get(30, TimeUnit.SECONDS));
    }
}

package dev.isthmus.proxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.proxy.http.RawClient;
import dev.isthmus.proxy.testing.ChildProxy;
import dev.isthmus.proxy.testing.Eventually;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** SIGHUP through a real JVM, as an operator sends it: the edited file is served, a broken edit changes nothing. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ReloadProcessTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String SAYS = """
            workers: 1
            listeners:
              - name: web
                address: 127.0.0.1:0
                routes:
                  - match: { prefix: / }
                    direct_response: { status: 200, body: "%s" }
            """;

    @Test
    void sighupServesTheEditedConfigAndKeepsTheRunningOneWhenTheEditIsBroken(@TempDir Path dir) throws Exception {
        Path yaml = dir.resolve("isthmus.yaml");
        Files.writeString(yaml, SAYS.formatted("first"));
        try (ChildProxy proxy = ChildProxy.start(yaml, dir.resolve("stderr"))) {
            int port = proxy.awaitListening("web", WAIT);
            assertEquals("first", body(port));

            Files.writeString(yaml, SAYS.formatted("second"));
            proxy.signal("HUP");
            Eventually.await("the edited config served", WAIT, () -> body(port).equals("second"));
            Eventually.await("the reload logged", WAIT, () -> proxy.log().contains("config " + yaml + " reloaded"));

            Files.writeString(yaml, SAYS.formatted("third").replace("status:", "statuz:"));
            proxy.signal("HUP");
            Eventually.await("the broken edit reported", WAIT, () -> proxy.log().contains("not reloaded"));
            assertTrue(proxy.log().contains(yaml + ":7: listeners[0].routes[0].direct_response.statuz: "),
                    proxy.log());
            assertEquals("second", body(port));

            Process process = proxy.process();
            process.destroy();
            assertTrue(process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "isthmus did not drain on SIGTERM");
            assertEquals(0, process.exitValue(), proxy.log());
        }
    }

    private static String body(int port) {
        try (RawClient client = RawClient.connect(port)) {
            return client.get("/").bodyText();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}

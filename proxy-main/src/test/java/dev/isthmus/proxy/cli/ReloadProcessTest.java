package dev.isthmus.proxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.proxy.http.RawClient;
import dev.isthmus.proxy.testing.Eventually;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** SIGHUP through a real JVM, as an operator sends it: the edited file is served, a broken edit changes nothing. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ReloadProcessTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Pattern LISTENING = Pattern.compile("listener web \\(http\\) on 127\\.0\\.0\\.1:(\\d+)");
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
        Path stderr = dir.resolve("stderr");
        Files.writeString(yaml, SAYS.formatted("first"));
        Process proxy = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "dev.isthmus.proxy.Main", "--config", yaml.toString()))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(stderr.toFile())
                .start();
        try {
            int port = awaitPort(stderr);
            assertEquals("first", body(port));

            Files.writeString(yaml, SAYS.formatted("second"));
            hangUp(proxy);
            Eventually.await("the edited config served", WAIT, () -> body(port).equals("second"));
            Eventually.await("the reload logged", WAIT, () -> log(stderr).contains("config " + yaml + " reloaded"));

            Files.writeString(yaml, SAYS.formatted("third").replace("status:", "statuz:"));
            hangUp(proxy);
            Eventually.await("the broken edit reported", WAIT, () -> log(stderr).contains("not reloaded"));
            assertTrue(log(stderr).contains(yaml + ":7: listeners[0].routes[0].direct_response.statuz: "),
                    log(stderr));
            assertEquals("second", body(port));
        } finally {
            proxy.destroy();
            assertTrue(proxy.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "isthmus did not drain on SIGTERM");
        }
        assertEquals(0, proxy.exitValue(), log(stderr));
    }

    private static void hangUp(Process process) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(process.pid())).inheritIO().start();
        assertEquals(0, kill.waitFor());
    }

    private static int awaitPort(Path stderr) throws InterruptedException {
        int[] port = new int[1];
        Eventually.await("isthmus listening", WAIT, () -> {
            Matcher m = LISTENING.matcher(log(stderr));
            if (m.find()) {
                port[0] = Integer.parseInt(m.group(1));
                return true;
            }
            return false;
        });
        return port[0];
    }

    private static String body(int port) {
        try (RawClient client = RawClient.connect(port)) {
            return client.get("/").bodyText();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String log(Path stderr) {
        try {
            return Files.readString(stderr, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}

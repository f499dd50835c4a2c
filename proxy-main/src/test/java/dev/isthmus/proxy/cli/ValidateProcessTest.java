package dev.isthmus.proxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code --validate} through a real JVM, as a user or CI job would run it: exit status and output streams. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ValidateProcessTest {

    private static final long PROCESS_TIMEOUT_SECONDS = 30;

    private record Outcome(int exit, String out, String err) {
    }

    private static Outcome isthmus(Path dir, String... args) throws IOException, InterruptedException {
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(javaBin.toString(),
                "-cp", System.getProperty("java.class.path"), "dev.isthmus.proxy.Main"));
        command.addAll(List.of(args));
        Path stdout = dir.resolve("stdout");
        Path stderr = dir.resolve("stderr");
        Process process = new ProcessBuilder(command)
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile())
                .start();
        if (!process.waitFor(PROCESS_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("isthmus --validate did not exit within " + PROCESS_TIMEOUT_SECONDS + "s");
        }
        return new Outcome(process.exitValue(), Files.readString(stdout, StandardCharsets.UTF_8),
                Files.readString(stderr, StandardCharsets.UTF_8));
    }

    @Test
    void validConfigExits0(@TempDir Path dir) throws Exception {
        Outcome outcome = isthmus(dir, "--config", "../config/isthmus.yaml", "--validate");
        assertEquals(new Outcome(0, "../config/isthmus.yaml: valid\n", ""), outcome);
    }

    @Test
    void invalidConfigExits2WithLocatedErrors(@TempDir Path dir) throws Exception {
        Path yaml = dir.resolve("bad.yaml");
        Files.writeString(yaml, """
                listeners:
                  - name: web
                    address: 127.0.0.1:8080
                    routes:
                      - match: { regex: "(" }
                        direct_response: {}
                """);
        Outcome outcome = isthmus(dir, "--config", yaml.toString(), "--validate");
        assertEquals(2, outcome.exit());
        assertEquals("", outcome.out());
        assertTrue(outcome.err().startsWith(yaml + ":5: listeners[0].routes[0].match.regex: invalid regex '(': "),
                outcome.err());
    }

    @Test
    void unknownFlagExits2WithUsage(@TempDir Path dir) throws Exception {
        Outcome outcome = isthmus(dir, "--listne", "127.0.0.1:8080");
        assertEquals(2, outcome.exit());
        assertTrue(outcome.err().contains("Usage: isthmus"), outcome.err());
    }
}

package dev.isthmus.perf.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Child servers as the bench runs them, with the fallback origin (the JDK's HttpServer) as a real child process. */
@Timeout(60)
class ServerProcessTest {

    private static final Duration READY = Duration.ofSeconds(20);

    private static List<String> fallbackOrigin(int port, Path www) {
        String java = ProcessHandle.current().info().command().orElse("java");
        return List.of(java, "-cp", System.getProperty("java.class.path"), FallbackOrigin.class.getName(),
                Integer.toString(port), www.toString());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Test
    void startsServesAndRestartsTheFallbackOrigin(@TempDir Path dir) throws Exception {
        Path www = Files.createDirectories(dir.resolve("www"));
        byte[] body = new byte[100_000];
        body[99_999] = 7;
        Files.write(www.resolve("file.bin"), body);
        int port = freePort();
        try (ServerProcess server = ServerProcess.start("origin", fallbackOrigin(port, www), Map.of(),
                dir.resolve("logs/origin.log"), port, READY)) {
            HttpClient client = HttpClient.newHttpClient();
            HttpResponse<String> small = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, small.statusCode());
            assertTrue(small.body().startsWith("isthmus bench origin"));
            HttpResponse<byte[]> file = client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/file.bin")).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertArrayEquals(body, file.body());
            HttpResponse<InputStream> missing = client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/../secret")).build(), HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(404, missing.statusCode());

            long firstPid = server.pid();
            ProcessHandle first = ProcessHandle.of(firstPid).orElseThrow();
            first.destroyForcibly();
            first.onExit().get();
            assertFalse(server.isAlive());
            server.restart(READY);
            assertTrue(server.isAlive());
            assertTrue(server.pid() != firstPid);
        }
    }

    @Test
    void aServerThatExitsBeforeListeningIsAnErrorWithItsOutput(@TempDir Path dir) throws Exception {
        int port = freePort();
        IOException failure = assertThrows(IOException.class, () -> ServerProcess.start("broken",
                List.of("sh", "-c", "echo config is wrong; exit 3"), Map.of(), dir.resolve("broken.log"), port, READY));
        assertTrue(failure.getMessage().contains("exited with status 3"), failure.getMessage());
        assertTrue(failure.getMessage().contains("config is wrong"), failure.getMessage());
    }

    @Test
    void aServerThatNeverListensTimesOutAndIsStopped(@TempDir Path dir) throws Exception {
        int port = freePort();
        IOException failure = assertThrows(IOException.class, () -> ServerProcess.start("mute",
                List.of("sleep", "30"), Map.of(), dir.resolve("mute.log"), port, Duration.ofMillis(500)));
        assertTrue(failure.getMessage().contains("did not listen"), failure.getMessage());
    }
}

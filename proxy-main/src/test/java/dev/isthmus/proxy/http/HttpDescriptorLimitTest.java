package dev.isthmus.proxy.http;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A proxy at its open-files limit (a child JVM under {@code ulimit -n 256}): the clients it has accepted keep getting
 * upstream connections, because it stops accepting while a reserve of descriptors is left and keeps that reserve
 * while it waits; the clients beyond wait in the backlog and are served once descriptors free up. The reserve is
 * watched over a fixed window, as it used to wear away one descriptor per retry.
 */
@Timeout(90)
final class HttpDescriptorLimitTest {
    private static final int OPEN_FILES = 256;
    private static final int CLIENTS = 300;
    private static final int REQUESTS_ON_HELD_CONNECTIONS = 20;
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(20);
    /** The listener's mark for a limit of 256: the limit less max(64, 256 / 8). */
    private static final long HIGH_WATER = OPEN_FILES - 64;
    /** Descriptors the proxy may open past the mark meanwhile: the accepted one that crossed it, a probe. */
    private static final long SLACK = 4;
    /** Long enough for a dozen of the listener's 100 ms retries, each of which used to take one descriptor. */
    private static final Duration RESERVE_WATCH = Duration.ofMillis(1500);
    private static final long WATCH_INTERVAL_MILLIS = 50;
    private static final Pattern LISTENING = Pattern.compile("listener listen \\(http\\) on 127\\.0\\.0\\.1:(\\d+)");

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private Process proxy;

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable closeable : toClose.reversed()) {
            closeable.close();
        }
        if (proxy != null) {
            proxy.destroyForcibly().waitFor();
        }
    }

    @Test
    void acceptedClientsKeepGettingUpstreamConnectionsAtTheDescriptorLimit() throws Exception {
        HttpTestOrigin origin = new HttpTestOrigin("o");
        toClose.add(origin);
        int port = startProxy(origin.port());
        List<RawClient> held = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            RawClient client = RawClient.connect(port).readTimeout(READ_TIMEOUT);
            toClose.add(client);
            held.add(client);
        }
        long most = 0;
        for (long end = System.nanoTime() + RESERVE_WATCH.toNanos(); System.nanoTime() < end; ) {
            most = Math.max(most, openDescriptors());
            Thread.sleep(WATCH_INTERVAL_MILLIS);
        }
        assertTrue(most <= HIGH_WATER + SLACK, "the reserve above the high-water mark wore away while accepts were "
                + "paused: " + most + " descriptors open, the mark is " + HIGH_WATER);
        for (int i = 0; i < REQUESTS_ON_HELD_CONNECTIONS; i++) {
            RawResponse response = held.get(i).get("/held/" + i);
            assertEquals(200, response.status(), () -> "an accepted client got " + response);
        }
        for (RawClient client : held) {
            client.close();
        }
        try (RawClient later = RawClient.connect(port).readTimeout(READ_TIMEOUT)) {
            assertEquals("o GET /later\n", later.get("/later").bodyText(), "accepting resumed");
        }
    }

    private long openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(proxy.pid()), "fd"))) {
            return fds.count();
        }
    }

    private int startProxy(int originPort) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String command = "ulimit -n " + OPEN_FILES + " && exec '" + java + "' --enable-native-access=ALL-UNNAMED"
                + " -cp '" + System.getProperty("java.class.path") + "' dev.isthmus.proxy.Main"
                + " --listen 127.0.0.1:0 --upstream 127.0.0.1:" + originPort + " --workers 1";
        proxy = new ProcessBuilder("bash", "-c", command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        BufferedReader stderr = new BufferedReader(new InputStreamReader(proxy.getErrorStream(), StandardCharsets.UTF_8));
        for (String line = stderr.readLine(); line != null; line = stderr.readLine()) {
            Matcher m = LISTENING.matcher(line);
            if (m.find()) {
                Thread.ofPlatform().daemon().start(() -> stderr.lines().forEach(System.err::println));
                return Integer.parseInt(m.group(1));
            }
        }
        throw new IOException("the proxy exited before listening");
    }
}

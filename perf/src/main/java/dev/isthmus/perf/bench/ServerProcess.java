package dev.isthmus.perf.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A server the bench started as a child process, listening on its own loopback port; stdout and stderr go to a log
 * file whose tail explains a failure. Used from the bench's main thread (and its shutdown hook, which only closes).
 */
public final class ServerProcess implements AutoCloseable {

    private static final Duration STOP_GRACE = Duration.ofSeconds(5);
    private static final int CONNECT_ATTEMPT_MILLIS = 200;
    private static final long RETRY_PAUSE_MILLIS = 50;
    private static final int LOG_TAIL_LINES = 5;

    private final String name;
    private final List<String> command;
    private final Map<String, String> environment;
    private final Path log;
    private final int port;
    private Process process;

    private ServerProcess(String name, List<String> command, Map<String, String> environment, Path log, int port) {
        this.name = name;
        this.command = List.copyOf(command);
        this.environment = Map.copyOf(environment);
        this.log = log;
        this.port = port;
    }

    /**
     * Starts {@code command} with {@code environment} added to the bench's own, and waits until {@code port} accepts a
     * connection, at most {@code readyTimeout}.
     */
    public static ServerProcess start(String name, List<String> command, Map<String, String> environment, Path log,
                                      int port, Duration readyTimeout) throws IOException {
        ServerProcess server = new ServerProcess(name, command, environment, log, port);
        server.launch(readyTimeout);
        return server;
    }

    /** Starts the same command again after the process died (the isthmus row tolerates a crashing proxy). */
    public void restart(Duration readyTimeout) throws IOException {
        close();
        launch(readyTimeout);
    }

    private void launch(Duration readyTimeout) throws IOException {
        Files.createDirectories(log.getParent());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(environment);
        process = builder.start();
        awaitReady(readyTimeout);
    }

    // Readiness is a successful TCP connect: every server here accepts before it can serve, and the bench has no
    // other signal common to nginx, HAProxy and isthmus.
    private void awaitReady(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), CONNECT_ATTEMPT_MILLIS);
                return;
            } catch (IOException notYet) {
                if (!process.isAlive()) {
                    throw new IOException(name + " exited with status " + process.exitValue() + " before listening on port "
                            + port + ": " + logTail());
                }
                if (System.nanoTime() > deadline) {
                    close();
                    throw new IOException(name + " did not listen on port " + port + " within " + timeout.toSeconds()
                            + " s: " + logTail());
                }
                try {
                    // Waiting on the process doubles as the pause between attempts and ends it early if the server dies.
                    process.waitFor(RETRY_PAUSE_MILLIS, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while waiting for " + name, e);
                }
            }
        }
    }

    public String name() {
        return name;
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** A one-line summary of how the process ended, with the last lines of its log. */
    public String deathNotice() {
        return name + " exited with status " + (process.isAlive() ? "(running)" : process.exitValue()) + ": " + logTail();
    }

    /** The last few lines of the server's log joined on one line, for error cells. */
    public String logTail() {
        try {
            if (!Files.exists(log)) {
                return "(no output)";
            }
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            List<String> tail = lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size());
            return tail.isEmpty() ? "(no output)" : String.join(" | ", tail);
        } catch (IOException | UncheckedIOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    /** Stops the process tree: SIGTERM, then SIGKILL after a grace period. Safe to call twice. */
    @Override
    public void close() {
        if (process == null) {
            return;
        }
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroy();
        descendants.forEach(ProcessHandle::destroy);
        try {
            if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        descendants.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }
}

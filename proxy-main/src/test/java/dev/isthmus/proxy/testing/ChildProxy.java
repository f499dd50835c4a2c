package dev.isthmus.proxy.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The proxy as an operator runs it, in a child JVM on a config file, with the JVM options {@code bin/isthmus} gives
 * it: for tests that signal it (SIGHUP, SIGSTOP) as a whole process, or that need its real thread stacks. Its log goes
 * to a file, which the ports it listens on are read from.
 */
public final class ChildProxy implements AutoCloseable {
    private static final Pattern ADMIN = Pattern.compile("admin on 127\\.0\\.0\\.1:(\\d+)");
    /** bin/isthmus's defaults (ISTHMUS_JAVA_OPTS unset). */
    private static final List<String> LAUNCHER_JVM_OPTIONS = List.of("-XX:+UseSerialGC", "-Xss512k", "-Xmn32m");

    private final Process process;
    private final Path stderr;

    private ChildProxy(Process process, Path stderr) {
        this.process = process;
        this.stderr = stderr;
    }

    /** Starts {@code bin/isthmus --config yaml}'s equivalent, its standard error written to {@code stderr}. */
    public static ChildProxy start(Path yaml, Path stderr) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("--enable-native-access=ALL-UNNAMED");
        command.addAll(LAUNCHER_JVM_OPTIONS);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.isthmus.proxy.Main",
                "--config", yaml.toString()));
        Process process = new ProcessBuilder(command)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(stderr.toFile())
                .start();
        return new ChildProxy(process, stderr);
    }

    public Process process() {
        return process;
    }

    /** The port of the listener called {@code name} (of protocol http), once the log says it is listening. */
    public int awaitListening(String name, Duration timeout) throws InterruptedException {
        return awaitPort(Pattern.compile("listener " + Pattern.quote(name) + " \\(http\\) on 127\\.0\\.0\\.1:(\\d+)"),
                timeout);
    }

    public int awaitAdmin(Duration timeout) throws InterruptedException {
        return awaitPort(ADMIN, timeout);
    }

    private int awaitPort(Pattern announcement, Duration timeout) throws InterruptedException {
        int[] port = new int[1];
        Eventually.await("isthmus to log " + announcement.pattern(), timeout, () -> {
            Matcher m = announcement.matcher(log());
            if (m.find()) {
                port[0] = Integer.parseInt(m.group(1));
                return true;
            }
            return !process.isAlive();
        });
        if (port[0] == 0) {
            throw new AssertionError("isthmus exited before listening: " + log());
        }
        return port[0];
    }

    /** Everything the proxy has logged so far. */
    public String log() {
        try {
            return Files.readString(stderr, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Sends {@code SIG<name>}, as {@code kill -<name>} does. */
    public void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IOException("kill -" + name + " " + process.pid() + " failed");
        }
    }

    /** SIGKILL, which also ends a stopped process; a no-op once it has exited. */
    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }
}

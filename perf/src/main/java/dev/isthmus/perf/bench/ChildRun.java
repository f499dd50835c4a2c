package dev.isthmus.perf.bench;

import dev.isthmus.perf.load.LoadResult;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Runs a load tool's command line to completion with a deadline and reads its result line from standard output. */
final class ChildRun {

    private static final int MESSAGE_LIMIT = 400;

    private ChildRun() {
    }

    /** Runs {@code command} to completion and returns its result line. */
    static LoadResult run(List<String> command, Duration deadline) throws IOException {
        return run(command, deadline, null, () -> { });
    }

    /**
     * Runs {@code command}; {@code onMarker} runs on the calling thread when a line equal to {@code marker} appears
     * (or when the output ends without one).
     */
    static LoadResult run(List<String> command, Duration deadline, String marker, Runnable onMarker)
            throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        CompletableFuture<Void> markerSeen = new CompletableFuture<>();
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> readAll(process, marker, markerSeen));
        try {
            markerSeen.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
            onMarker.run();
            if (!process.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IOException(command.getFirst() + " did not finish within " + deadline.toSeconds() + " s");
            }
            String text = output.get();
            for (String line : text.split("\n")) {
                if (line.startsWith(LoadResult.LINE_PREFIX)) {
                    return LoadResult.parseLine(line);
                }
            }
            throw new IOException(command.getFirst() + " exited with status " + process.exitValue()
                    + " and no result: " + shorten(text));
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + command.getFirst(), e);
        } catch (ExecutionException e) {
            throw new IOException("reading the output of " + command.getFirst(), e.getCause());
        } catch (TimeoutException e) {
            process.destroyForcibly();
            throw new IOException(command.getFirst() + " did not start measuring within " + deadline.toSeconds() + " s");
        }
    }

    // Completes markerSeen at the marker line, or at the end of the output when the marker never comes (the tool
    // failed early; the caller then reports its output).
    private static String readAll(Process process, String marker, CompletableFuture<Void> markerSeen) {
        StringBuilder text = new StringBuilder();
        if (marker == null) {
            markerSeen.complete(null);
        }
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.equals(marker)) {
                    markerSeen.complete(null);
                } else {
                    text.append(line).append('\n');
                }
            }
        } catch (IOException e) {
            text.append("(output unreadable: ").append(e.getMessage()).append(')');
        } finally {
            markerSeen.complete(null);
        }
        return text.toString();
    }

    private static String shorten(String text) {
        String flat = text.strip().replace('\n', ' ');
        return flat.length() <= MESSAGE_LIMIT ? flat : "..." + flat.substring(flat.length() - MESSAGE_LIMIT);
    }
}

package dev.isthmus.perf.bench;

import dev.isthmus.perf.load.LoadResult;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Runs a load tool's command line to completion with a deadline and reads its result line from standard output. */
final class ChildRun {

    private static final int MESSAGE_LIMIT = 400;

    private ChildRun() {
    }

    static LoadResult run(List<String> command, Duration deadline) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> readAll(process));
        try {
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
        }
    }

    private static String readAll(Process process) {
        try {
            return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(output unreadable: " + e.getMessage() + ")";
        }
    }

    private static String shorten(String text) {
        String flat = text.strip().replace('\n', ' ');
        return flat.length() <= MESSAGE_LIMIT ? flat : "..." + flat.substring(flat.length() - MESSAGE_LIMIT);
    }
}

package dev.isthmus.perf.load;

import dev.isthmus.perf.report.Json;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code bin/isthmus-load}: the command line of the load generator. Prints a summary and one machine-readable
 * {@link LoadResult#LINE_PREFIX} line. Exit status 0 when at least one request completed, 1 when none did or the
 * run failed, 2 on bad usage.
 */
public final class LoadMain {

    /**
     * Printed with {@code --quiet} (the machine-readable mode) when the warm-up ends, so that a driving process can
     * snapshot the target's counters right then.
     */
    public static final String MEASURING_LINE = "ISTHMUS-LOAD-MEASURING";
    private static final int EXIT_FAILURE = 1;
    private static final int EXIT_USAGE = 2;
    private static final double MICROS_PER_NANO_SCALE = 1_000.0;

    private LoadMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        for (String arg : args) {
            if (arg.equals("-h") || arg.equals("--help")) {
                System.out.print(LoadOptions.USAGE);
                return;
            }
        }
        LoadOptions options;
        try {
            options = LoadOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("isthmus-load: " + e.getMessage());
            System.err.print(LoadOptions.USAGE);
            System.exit(EXIT_USAGE);
            return;
        }
        try {
            PrintStream out = System.out;
            LoadReport report = LoadGenerator.run(options, () -> {
                if (options.quiet()) {
                    out.println(MEASURING_LINE);
                    out.flush();
                }
            });
            if (!options.quiet()) {
                out.print(report.humanSummary());
            }
            out.println(report.toResult().toLine());
            if (options.hgrm().isPresent()) {
                writeHistogram(report, options.hgrm().get());
            }
            if (options.json().isPresent()) {
                Files.writeString(options.json().get(), Json.write(report.jsonSummary()));
            }
            if (report.requests() == 0) {
                System.exit(EXIT_FAILURE);
            }
        } catch (IOException e) {
            System.err.println("isthmus-load: " + e.getMessage());
            System.exit(EXIT_FAILURE);
        }
    }

    private static void writeHistogram(LoadReport report, Path file) throws IOException {
        try (PrintStream out = new PrintStream(Files.newOutputStream(file), false, "UTF-8")) {
            report.histogram().outputPercentileDistribution(out, MICROS_PER_NANO_SCALE);
        }
    }
}

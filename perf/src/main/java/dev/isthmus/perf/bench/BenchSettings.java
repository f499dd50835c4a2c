package dev.isthmus.perf.bench;

import dev.isthmus.perf.load.LoadOptions;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Everything a bench run is parameterised by, read from {@code --name value} arguments (the Makefile maps
 * DURATION=, ROUNDS=, WORKERS=, QUICK=, LOADGEN=, TARGETS=, RATE=, IDLE_CONNS=, CPUS= onto them).
 *
 * @param duration measured time per run
 * @param warmup unmeasured load before each run
 * @param rounds how many times every (workload, target) cell is run; the report takes the median
 * @param workers worker processes or threads for the origin and every proxy
 * @param loadThreads threads of the load generator
 * @param loadTool which tool drives the closed-loop workloads (open loop always needs isthmus-load)
 * @param targets the rows, in interleaving order
 * @param idleConnections connections opened by the idle-connections workload
 * @param openLoopRate requests per second of the open-loop workload; 0 means half of nginx's measured maximum
 * @param outDir where configs, logs, files, runs.json, report.md and plots go
 * @param isthmusLauncher bin/isthmus
 * @param isthmusMode {@code http} or {@code tcp}
 * @param perfJar the shaded perf jar, for running isthmus-load as a child process
 * @param quick true for the smoke mode (short runs, one round, fewer idle connections)
 * @param cpus which CPUs the proxies, the origin and the load generators may run on
 */
public record BenchSettings(Duration duration, Duration warmup, int rounds, int workers, int loadThreads,
                            LoadToolKind loadTool, List<Target> targets, int idleConnections, long openLoopRate,
                            Path outDir, Path isthmusLauncher, String isthmusMode, Path perfJar, boolean quick,
                            CpuLayout cpus) {

    /** Which program generates the closed-loop load. */
    public enum LoadToolKind { ISTHMUS, WRK }

    // 6 s x 4 timed workloads x 4 targets x 3 rounds, plus warm-ups, the idle workload and the load generator check,
    // keeps the default run under 10 minutes.
    private static final Duration DEFAULT_DURATION = Duration.ofSeconds(6);
    private static final Duration QUICK_DURATION = Duration.ofSeconds(2);
    // A JVM load generator needs about a second before C2 has compiled its loop, quick mode or not.
    private static final Duration DEFAULT_WARMUP = Duration.ofSeconds(1);
    private static final int DEFAULT_ROUNDS = 3;
    private static final int DEFAULT_IDLE_CONNECTIONS = 10_000;
    private static final int QUICK_IDLE_CONNECTIONS = 1_000;
    // A tcp-mode proxy holds an upstream connection beside each idle client: half the clients ask the same number of
    // descriptors of it as http mode does (10,000 clients would pass a 20,000 hard limit less isthmus's reserve).
    private static final int TCP_MODE_DESCRIPTORS_PER_CLIENT = 2;

    public BenchSettings {
        targets = List.copyOf(targets);
        if (rounds < 1 || workers < 1 || loadThreads < 1 || idleConnections < 1 || openLoopRate < 0) {
            throw new IllegalArgumentException("rounds, workers, load threads and idle connections must be >= 1, rate >= 0");
        }
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("duration must be positive");
        }
        if (!isthmusMode.equals("http") && !isthmusMode.equals("tcp")) {
            throw new IllegalArgumentException("isthmus mode must be http or tcp, not " + isthmusMode);
        }
    }

    /** Parses {@code --name value} pairs; empty values mean "default" so the Makefile can pass unset variables. */
    public static BenchSettings parse(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + args[i] + "'; options are --name value");
            }
            String name = args[i].substring(2);
            if (i + 1 < args.length) {
                options.put(name, args[++i]);
            } else {
                throw new IllegalArgumentException("option --" + name + " needs a value");
            }
        }
        boolean quick = flag(options.remove("quick"));
        Duration duration = durationOr(options.remove("duration"), quick ? QUICK_DURATION : DEFAULT_DURATION);
        Duration warmup = durationOr(options.remove("warmup"), DEFAULT_WARMUP);
        int rounds = intOr(options.remove("rounds"), quick ? 1 : DEFAULT_ROUNDS);
        int workers = intOr(options.remove("workers"), 1);
        int loadThreads = intOr(options.remove("load-threads"), 1);
        LoadToolKind tool = LoadToolKind.valueOf(valueOr(options.remove("loadgen"), "isthmus").toUpperCase(Locale.ROOT));
        List<Target> targets = new ArrayList<>();
        for (String key : valueOr(options.remove("targets"), "direct,isthmus,nginx,haproxy").split(",")) {
            targets.add(Target.fromKey(key));
        }
        String mode = valueOr(options.remove("isthmus-mode"), "http");
        int defaultIdle = (quick ? QUICK_IDLE_CONNECTIONS : DEFAULT_IDLE_CONNECTIONS)
                / (mode.equals("tcp") ? TCP_MODE_DESCRIPTORS_PER_CLIENT : 1);
        int idle = intOr(options.remove("idle-connections"), defaultIdle);
        long rate = intOr(options.remove("rate"), 0);
        Path out = Path.of(valueOr(options.remove("out"), "perf/target/bench"));
        Path launcher = Path.of(valueOr(options.remove("isthmus"), "bin/isthmus"));
        Path perfJar = Path.of(valueOr(options.remove("perf-jar"), "perf/target/isthmus-perf.jar"));
        CpuLayout cpus = CpuLayout.parse(valueOr(options.remove("cpus"), "shared"),
                Runtime.getRuntime().availableProcessors(), workers);
        if (!options.isEmpty()) {
            throw new IllegalArgumentException("unknown options " + options.keySet());
        }
        return new BenchSettings(duration, warmup, rounds, workers, loadThreads, tool, targets, idle, rate, out,
                launcher, mode, perfJar, quick, cpus);
    }

    /** Parses {@code 8}, {@code 8s}, {@code 500ms} or {@code 2m}, as isthmus-load does. */
    public static Duration parseDuration(String text) {
        return LoadOptions.duration(text);
    }

    private static boolean flag(String value) {
        return value != null && !value.isBlank() && !value.equals("0") && !value.equalsIgnoreCase("false");
    }

    private static String valueOr(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value.trim();
    }

    private static Duration durationOr(String value, Duration fallback) {
        return value == null || value.isBlank() ? fallback : parseDuration(value);
    }

    private static int intOr(String value, int fallback) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + value + "' is not a whole number", e);
        }
    }
}

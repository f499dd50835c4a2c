package dev.isthmus.perf.profile;

import dev.isthmus.perf.bench.BenchSettings;
import dev.isthmus.perf.bench.CpuLayout;
import dev.isthmus.perf.bench.Deployment;
import dev.isthmus.perf.bench.ServerProcess;
import dev.isthmus.perf.bench.Target;
import dev.isthmus.perf.load.LoadGenerator;
import dev.isthmus.perf.load.LoadOptions;
import dev.isthmus.perf.load.LoadReport;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code make profile}: runs isthmus in front of the nginx origin under isthmus-load and records a CPU flame graph
 * and an allocation flame graph with async-profiler (loaded into the proxy's JVM over the attach API), written as
 * {@code flamegraph.html} and {@code alloc.html}, plus the hottest frames as text. Exit 0 when both graphs were
 * written, 1 otherwise, 2 on bad options.
 */
public final class ProfileMain {

    private static final int EXIT_FAILURE = 1;
    private static final int EXIT_USAGE = 2;
    private static final int TOP_FRAMES = 25;
    private static final Duration LOAD_SLACK = Duration.ofSeconds(5);
    // The proxy's usual options (bin/isthmus's defaults) plus what makes a profile honest: frames between safepoints
    // resolved, and an agent loaded into the running JVM without the JDK 21+ warning.
    private static final String PROFILED_JAVA_OPTS = "-XX:+UseSerialGC -Xss512k -Xmn32m -XX:+EnableDynamicAgentLoading"
            + " -XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints";

    private ProfileMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        System.setProperty("java.awt.headless", "true");
        PrintStream log = System.out;
        ProfileSettings settings;
        try {
            settings = ProfileSettings.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("profile: " + e.getMessage());
            System.exit(EXIT_USAGE);
            return;
        }
        try {
            run(settings, log);
        } catch (IOException e) {
            System.err.println("profile: " + e.getMessage());
            System.exit(EXIT_FAILURE);
        }
    }

    private static void run(ProfileSettings settings, PrintStream log) throws IOException, InterruptedException {
        Path out = Files.createDirectories(settings.outDir().toAbsolutePath());
        Path library = AsyncProfilerLibrary.extract(out);
        BenchSettings bench = new BenchSettings(settings.duration(), Duration.ZERO, 1, settings.workers(), 1,
                BenchSettings.LoadToolKind.ISTHMUS, List.of(Target.ISTHMUS), 1, 0, out.resolve("run"),
                settings.isthmusLauncher(), settings.isthmusMode(), Path.of("unused.jar"), false,
                CpuLayout.SHARED);
        Deployment deployment = Deployment.start(bench, Map.of("ISTHMUS_JAVA_OPTS", PROFILED_JAVA_OPTS), log);
        Thread cleanup = new Thread(deployment::close, "profile-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            if (deployment.unavailable(Target.ISTHMUS).isPresent()) {
                throw new IOException("isthmus is not running: " + deployment.unavailableReason(Target.ISTHMUS));
            }
            profile(settings, deployment.server(Target.ISTHMUS), library, out, log);
        } finally {
            deployment.close();
            Runtime.getRuntime().removeShutdownHook(cleanup);
        }
    }

    private static void profile(ProfileSettings settings, ServerProcess isthmus, Path library, Path out,
                                PrintStream log) throws IOException, InterruptedException {
        Duration total = settings.warmup().plus(settings.duration().multipliedBy(2)).plus(LOAD_SLACK);
        LoadOptions load = LoadOptions.parse(new String[] {"-c", Integer.toString(settings.connections()),
                "-d", total.toMillis() + "ms", "--quiet", "http://127.0.0.1:" + isthmus.port() + settings.path()});
        log.printf("profile: %d connections on http://127.0.0.1:%d%s for %d s (mode %s)%n", settings.connections(),
                isthmus.port(), settings.path(), total.toSeconds(), settings.isthmusMode());
        CompletableFuture<LoadReport> running = CompletableFuture.supplyAsync(() -> {
            try {
                return LoadGenerator.run(load);
            } catch (IOException | InterruptedException e) {
                throw new CompletionException(e);
            }
        });
        await(running, settings.warmup());
        AsyncProfilerControl profiler = new AsyncProfilerControl(isthmus.pid(), library);
        String cpuEvent = profiler.startCpu(settings.intervalMicros(), log);
        await(running, settings.duration());
        Path cpuCollapsed = out.resolve("cpu.collapsed");
        profiler.dump(cpuCollapsed);
        Path cpuGraph = profiler.stop(out.resolve("flamegraph.html"));
        profiler.startAlloc();
        await(running, settings.duration());
        Path allocCollapsed = out.resolve("alloc.collapsed");
        profiler.dump(allocCollapsed);
        Path allocGraph = profiler.stop(out.resolve("alloc.html"));
        LoadReport report = finish(running);
        log.print(report.humanSummary());
        log.println();
        CollapsedStacks cpu = CollapsedStacks.read(cpuCollapsed);
        log.println("profile: CPU by layer (" + cpuEvent + " samples):");
        log.print(cpu.layers());
        log.println("profile: hottest frames by self time:");
        log.print(cpu.topSelf(TOP_FRAMES));
        log.println();
        log.println("profile: allocation sites by sampled bytes:");
        log.print(CollapsedStacks.read(allocCollapsed).topSelf(TOP_FRAMES));
        log.println("profile: wrote " + cpuGraph + " and " + allocGraph);
    }

    // Waits for the load to run for {@code pause}; returns early with its failure if the load generator stops.
    private static void await(CompletableFuture<LoadReport> running, Duration pause)
            throws IOException, InterruptedException {
        try {
            running.get(pause.toMillis(), TimeUnit.MILLISECONDS);
            throw new IOException("the load ended before profiling did");
        } catch (TimeoutException stillRunning) {
            // The expected outcome: the load is still on.
        } catch (ExecutionException e) {
            throw new IOException("load generator failed: " + e.getCause().getMessage(), e.getCause());
        }
    }

    private static LoadReport finish(CompletableFuture<LoadReport> running) throws IOException, InterruptedException {
        try {
            return running.get();
        } catch (ExecutionException e) {
            throw new IOException("load generator failed: " + e.getCause().getMessage(), e.getCause());
        }
    }

    /** Settings of {@code make profile}, from {@code --name value} arguments (empty values keep defaults). */
    record ProfileSettings(Duration duration, Duration warmup, int workers, int connections, String path,
                           String isthmusMode, Path isthmusLauncher, Path outDir, int intervalMicros) {

        private static final Duration DEFAULT_DURATION = Duration.ofSeconds(15);
        private static final Duration DEFAULT_WARMUP = Duration.ofSeconds(5);
        private static final int DEFAULT_CONNECTIONS = 64;
        private static final int DEFAULT_INTERVAL_MICROS = 1_000;

        static ProfileSettings parse(String[] args) {
            Map<String, String> options = new java.util.HashMap<>();
            for (int i = 0; i < args.length; i += 2) {
                if (!args[i].startsWith("--") || i + 1 >= args.length) {
                    throw new IllegalArgumentException("arguments are --name value pairs, got '" + args[i] + "'");
                }
                options.put(args[i].substring(2), args[i + 1]);
            }
            ProfileSettings settings = new ProfileSettings(
                    value(options, "duration").map(LoadOptions::duration).orElse(DEFAULT_DURATION),
                    value(options, "warmup").map(LoadOptions::duration).orElse(DEFAULT_WARMUP),
                    value(options, "workers").map(Integer::parseInt).orElse(1),
                    value(options, "connections").map(Integer::parseInt).orElse(DEFAULT_CONNECTIONS),
                    value(options, "path").orElse("/"),
                    value(options, "isthmus-mode").orElse("http"),
                    Path.of(value(options, "isthmus").orElse("bin/isthmus")),
                    Path.of(value(options, "out").orElse("perf/target/profile")),
                    value(options, "interval-us").map(Integer::parseInt).orElse(DEFAULT_INTERVAL_MICROS));
            options.keySet().removeAll(List.of("duration", "warmup", "workers", "connections", "path", "isthmus-mode",
                    "isthmus", "out", "interval-us"));
            if (!options.isEmpty()) {
                throw new IllegalArgumentException("unknown options " + options.keySet());
            }
            return settings;
        }

        private static Optional<String> value(Map<String, String> options, String key) {
            return Optional.ofNullable(options.get(key)).map(String::trim).filter(v -> !v.isEmpty());
        }
    }
}

package dev.isthmus.perf.bench;

import dev.isthmus.perf.load.LoadResult;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Runs every (workload, target) cell once per round, interleaving targets inside each workload (A B C D, A B C D)
 * so that slow drifts of the machine (thermal, page cache, noisy neighbours) hit every target alike.
 * Used from the bench's main thread.
 */
public final class BenchRunner {

    private static final double OPEN_LOOP_FRACTION = 0.5;
    private static final int SETTLE_CONNECTIONS = 64;
    private static final Duration TARGET_WARMUP = Duration.ofSeconds(4);
    private static final Duration QUICK_TARGET_WARMUP = Duration.ofSeconds(2);
    private static final long FALLBACK_RATE = 1_000;
    private static final double NANOS_PER_MICRO = 1_000;
    private static final double BYTES_PER_GB = 1e9;
    private static final double PERCENT = 100;

    private final BenchSettings settings;
    private final Deployment deployment;
    private final LoadTool closedLoopTool;
    private final LoadTool openLoopTool;
    private final List<LoadTool> checkTools;
    private final ProcessStats stats;
    private final PrintStream log;
    private final Map<Long, JvmCounters> counters = new HashMap<>();
    private long openLoopRate;

    /**
     * @param checkTools the tools compared by {@link Workload#LOADGEN_CHECK} (isthmus-load and wrk); fewer than two
     *                   skips the check
     */
    public BenchRunner(BenchSettings settings, Deployment deployment, LoadTool closedLoopTool, LoadTool openLoopTool,
                       List<LoadTool> checkTools, ProcessStats stats, PrintStream log) {
        this.settings = settings;
        this.deployment = deployment;
        this.closedLoopTool = closedLoopTool;
        this.openLoopTool = openLoopTool;
        this.checkTools = List.copyOf(checkTools);
        this.stats = stats;
        this.log = log;
        this.openLoopRate = settings.openLoopRate();
    }

    /** The open-loop rate used (fixed by the settings or chosen after the first round's small GETs). */
    public long openLoopRate() {
        return openLoopRate;
    }

    public List<RunRecord> run() {
        warmUpTargets();
        List<RunRecord> records = new ArrayList<>();
        for (int round = 1; round <= settings.rounds(); round++) {
            for (Workload workload : Workload.values()) {
                if (workload == Workload.OPEN_LOOP && openLoopRate == 0) {
                    openLoopRate = chooseOpenLoopRate(records);
                }
                if (workload == Workload.LOADGEN_CHECK) {
                    checkLoadGenerators(round, records);
                    continue;
                }
                for (Target target : settings.targets()) {
                    Optional<RunRecord.Outcome> down = deployment.unavailable(target);
                    if (down.isPresent()) {
                        if (round == 1) {
                            records.add(new RunRecord(round, target, workload, "", down.get(),
                                    deployment.unavailableReason(target), Map.of(), Optional.empty()));
                        }
                        continue;
                    }
                    RunRecord record = runCell(round, target, workload, toolFor(workload));
                    log(round, record);
                    records.add(record);
                }
            }
        }
        closeCounters();
        return records;
    }

    // Once per target before round 1, and again after the idle cell restarts it: the JVM rows (isthmus) must not
    // spend measured runs compiling, and every server's caches and pools start warm.
    private void warmUpTargets() {
        for (Target target : settings.targets()) {
            if (deployment.unavailable(target).isEmpty()) {
                warmUp(target);
            }
        }
    }

    // Small GETs and big bodies, unrecorded. isthmus's counters are attached first: starting the management agent in
    // its JVM loads classes and recompiles hot code, which cost the measured cell that attached 10-20% of its
    // requests for about 8 s.
    private void warmUp(Target target) {
        Duration each = settings.quick() ? QUICK_TARGET_WARMUP : TARGET_WARMUP;
        ServerProcess server = deployment.server(target);
        if (target == Target.ISTHMUS) {
            read(counters(server.pid()));
        }
        for (Workload workload : List.of(Workload.SMALL_GET, Workload.MIB_GET)) {
            LoadSpec spec = new LoadSpec(server.port(), workload.path(), workload.connections(),
                    settings.loadThreads(), each, Duration.ZERO, 0, false, 1);
            try {
                closedLoopTool.run(spec, () -> { });
            } catch (IOException e) {
                log.println("bench: warm-up of " + target.label() + " failed: " + e.getMessage());
            }
        }
        log.println("bench: warmed up " + target.label());
    }

    /** Debian's wrk has neither a fixed-rate mode nor pipelining: isthmus-load runs those two. */
    private LoadTool toolFor(Workload workload) {
        return workload == Workload.OPEN_LOOP || workload == Workload.PIPELINED_GET ? openLoopTool : closedLoopTool;
    }

    private void log(int round, RunRecord record) {
        log.printf(Locale.ROOT, "bench: round %d/%d %-28s %-18s %-12s %s%n", round, settings.rounds(),
                record.workload().label(), record.target().label(), record.tool(), summary(record));
    }

    private void checkLoadGenerators(int round, List<RunRecord> records) {
        if (checkTools.size() < 2 || deployment.unavailable(Target.DIRECT).isPresent()) {
            if (round == 1) {
                records.add(RunRecord.skipped(round, Target.DIRECT, Workload.LOADGEN_CHECK,
                        "needs both isthmus-load and wrk (make bench-deps)"));
            }
            return;
        }
        for (LoadTool tool : checkTools) {
            RunRecord record = runCell(round, Target.DIRECT, Workload.LOADGEN_CHECK, tool);
            log(round, record);
            records.add(record);
        }
    }

    // Half of the fastest competitor proxy's saturated rate: loaded enough to queue, far enough from the knee that
    // the percentiles describe the proxy rather than the overload.
    private long chooseOpenLoopRate(List<RunRecord> records) {
        for (Target reference : List.of(Target.NGINX, Target.HAPROXY, Target.DIRECT)) {
            Optional<Double> rps = records.stream()
                    .filter(r -> r.target() == reference && r.workload() == Workload.SMALL_GET
                            && r.outcome() == RunRecord.Outcome.OK)
                    .map(r -> r.metrics().get(Metric.REQUESTS_PER_SECOND)).findFirst();
            if (rps.isPresent()) {
                long rate = Math.max(1, Math.round(rps.get() * OPEN_LOOP_FRACTION));
                log.printf("bench: open-loop rate %d req/s (half of %s's small-GET maximum)%n", rate, reference.label());
                return rate;
            }
        }
        log.printf("bench: no small-GET maximum measured; open-loop rate falls back to %d req/s%n", FALLBACK_RATE);
        return FALLBACK_RATE;
    }

    private RunRecord runCell(int round, Target target, Workload workload, LoadTool tool) {
        String toolName = workload.isTimed() ? tool.name() : "";
        Optional<String> died = deployment.checkAlive(target);
        if (died.isPresent()) {
            return RunRecord.error(round, target, workload, toolName, "down before the run: " + died.get());
        }
        ServerProcess server = deployment.server(target);
        try {
            RunRecord record = workload.isTimed()
                    ? runLoad(round, target, workload, server, tool)
                    : runIdle(round, target, workload, server);
            if (!server.isAlive()) {
                return RunRecord.error(round, target, workload, toolName, "died during the run: " + server.deathNotice());
            }
            return record;
        } catch (IOException | RuntimeException e) {
            String why = server.isAlive() ? String.valueOf(e.getMessage()) : server.deathNotice();
            return RunRecord.error(round, target, workload, toolName, why);
        }
    }

    private RunRecord runLoad(int round, Target target, Workload workload, ServerProcess server, LoadTool tool)
            throws IOException {
        boolean open = workload == Workload.OPEN_LOOP;
        LoadSpec spec = new LoadSpec(server.port(), workload.path(), workload.connections(), settings.loadThreads(),
                settings.duration(), settings.warmup(), open ? openLoopRate : 0, workload.closesEachConnection(),
                workload.pipelineDepth());
        Optional<JvmCounters> jvm = target == Target.ISTHMUS ? counters(server.pid()) : Optional.empty();
        Snapshot before = new Snapshot(server.pid(), jvm);
        LoadResult result = tool.run(spec, before);
        Snapshot after = new Snapshot(server.pid(), jvm);
        after.run();
        long cpu = after.cpuNanos - before.cpuNanos;
        long pressure = after.pressureMicros - before.pressureMicros;
        if (result.requests() == 0) {
            return RunRecord.error(round, target, workload, tool.name(),
                    "no request completed; errors " + result.errors());
        }
        Map<Metric, Double> metrics = new EnumMap<>(Metric.class);
        metrics.put(Metric.REQUESTS_PER_SECOND, result.requestsPerSecond());
        metrics.put(Metric.BYTES_PER_SECOND, result.bytesPerSecond());
        metrics.put(Metric.P50_MICROS, (double) result.latencyMicros(50));
        metrics.put(Metric.P90_MICROS, (double) result.latencyMicros(90));
        metrics.put(Metric.P99_MICROS, (double) result.latencyMicros(99));
        metrics.put(Metric.P999_MICROS, (double) result.latencyMicros(99.9));
        metrics.put(Metric.MAX_MICROS, (double) result.latencyMicros(100));
        metrics.put(Metric.ERRORS, (double) result.totalErrors());
        metrics.put(Metric.CPU_MICROS_PER_REQUEST, cpu / NANOS_PER_MICRO / result.requests());
        if (before.pressureMicros >= 0 && after.pressureMicros >= 0) {
            metrics.put(Metric.CPU_PRESSURE_PERCENT, PERCENT * pressure * NANOS_PER_MICRO / result.durationNanos());
        }
        if (before.jvm.isPresent() && after.jvm.isPresent()) {
            metrics.put(Metric.ALLOCATED_BYTES_PER_REQUEST,
                    (double) (after.jvm.get().allocatedBytes() - before.jvm.get().allocatedBytes()) / result.requests());
            metrics.put(Metric.GC_CYCLES, (double) (after.jvm.get().gcCycles() - before.jvm.get().gcCycles()));
        }
        return RunRecord.ok(round, target, workload, tool.name(), metrics, Optional.of(result));
    }

    /** The target's counters at one moment; taken when run, which for the "before" side is when measuring starts. */
    private final class Snapshot implements Runnable {
        private final long pid;
        private final Optional<JvmCounters> source;
        private long cpuNanos;
        private long pressureMicros;
        private Optional<JvmCounters.Reading> jvm = Optional.empty();

        Snapshot(long pid, Optional<JvmCounters> source) {
            this.pid = pid;
            this.source = source;
        }

        @Override
        public void run() {
            cpuNanos = stats.cpuNanos(pid);
            pressureMicros = stats.cpuPressureMicros();
            jvm = read(source);
        }
    }

    // From a freshly started server: memory a long-running process freed earlier (nginx's proxy buffers after the big
    // bodies, say) stays resident and would silently absorb the new connections' memory.
    private RunRecord runIdle(int round, Target target, Workload workload, ServerProcess server) throws IOException {
        deployment.restart(target);
        // Readiness is a connect, which nginx's master accepts before its worker has set up; a first wave of
        // connections brings every process to its working state before the baseline is read.
        try (IdleConnections settle = IdleConnections.open(server.port(), workload.path(), SETTLE_CONNECTIONS)) {
            log.println("bench: " + target.label() + " restarted and settled with " + settle.count() + " connections");
        }
        int count = settings.idleConnections();
        long before = stats.residentBytes(server.pid());
        long after;
        try (IdleConnections idle = IdleConnections.open(server.port(), workload.path(), count)) {
            after = stats.residentBytes(server.pid());
        }
        Map<Metric, Double> metrics = new EnumMap<>(Metric.class);
        metrics.put(Metric.RESIDENT_BYTES_PER_CONNECTION, (double) (after - before) / count);
        if (round < settings.rounds()) {
            warmUp(target);
        }
        return RunRecord.ok(round, target, workload, "", metrics, Optional.empty());
    }

    private Optional<JvmCounters> counters(long pid) {
        if (!counters.containsKey(pid)) {
            try {
                counters.put(pid, JvmCounters.attach(pid));
            } catch (IOException | RuntimeException e) {
                log.println("bench: no JVM counters for isthmus (pid " + pid + "): " + e.getMessage());
                counters.put(pid, null);
            }
        }
        return Optional.ofNullable(counters.get(pid));
    }

    private Optional<JvmCounters.Reading> read(Optional<JvmCounters> jvm) {
        if (jvm.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(jvm.get().read());
        } catch (IOException e) {
            log.println("bench: reading isthmus JVM counters failed: " + e.getMessage());
            return Optional.empty();
        }
    }

    private void closeCounters() {
        for (JvmCounters each : counters.values()) {
            if (each != null) {
                try {
                    each.close();
                } catch (IOException e) {
                    // The proxy JVM already exited (a crash or a restart): its side of the connection is gone too.
                }
            }
        }
        counters.clear();
    }

    private static String summary(RunRecord record) {
        if (record.outcome() != RunRecord.Outcome.OK) {
            return record.outcome() + ": " + record.message();
        }
        Map<Metric, Double> m = record.metrics();
        if (record.workload() == Workload.IDLE_CONNECTIONS) {
            return String.format(Locale.ROOT, "%.0f B RSS/conn", m.get(Metric.RESIDENT_BYTES_PER_CONNECTION));
        }
        return String.format(Locale.ROOT, "%.0f req/s %.3f GB/s p50=%.0fus p99=%.0fus max=%.0fus errors=%.0f cpu=%.1fus/req",
                m.get(Metric.REQUESTS_PER_SECOND), m.get(Metric.BYTES_PER_SECOND) / BYTES_PER_GB, m.get(Metric.P50_MICROS),
                m.get(Metric.P99_MICROS), m.get(Metric.MAX_MICROS), m.get(Metric.ERRORS),
                m.get(Metric.CPU_MICROS_PER_REQUEST));
    }
}

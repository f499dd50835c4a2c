package dev.isthmus.perf.bench;

import dev.isthmus.perf.report.ReportBuilder;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code make bench}: starts the origin and every target, runs the interleaved rounds, writes the report.
 * Exit status 0 when a report was written (even with failed cells), 2 on bad options, 1 when nothing could run.
 */
public final class BenchMain {

    private static final int EXIT_USAGE = 2;
    private static final int EXIT_FAILURE = 1;

    private BenchMain() {
    }

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        PrintStream log = System.out;
        BenchSettings settings;
        try {
            settings = BenchSettings.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            System.exit(EXIT_USAGE);
            return;
        }
        try {
            run(settings, log);
        } catch (IOException e) {
            System.err.println("bench: " + e.getMessage());
            System.exit(EXIT_FAILURE);
        }
    }

    private static void run(BenchSettings settings, PrintStream log) throws IOException {
        List<String> missing = missingPrograms(settings);
        if (!missing.isEmpty()) {
            log.println("bench: missing " + String.join(", ", missing)
                    + " (install with 'make bench-deps'); running the rows that can run");
        }
        Path dir = settings.outDir().toAbsolutePath();
        Files.createDirectories(dir);
        if (settings.cpus().isSplit() && Executables.find("taskset").isEmpty()) {
            throw new IOException("CPUS=split needs taskset (Debian's util-linux)");
        }
        LoadTool openLoop = new IsthmusLoadTool(javaCommand(), settings.perfJar().toAbsolutePath(), settings.cpus());
        Optional<LoadTool> wrk = wrk(dir, settings.cpus());
        LoadTool closedLoop = closedLoopTool(settings, wrk, openLoop, log);
        List<LoadTool> checkTools = wrk.isPresent() ? List.of(openLoop, wrk.get()) : List.of(openLoop);
        Deployment deployment = Deployment.start(settings, log);
        Thread cleanup = new Thread(deployment::close, "bench-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        BenchRunner runner;
        List<RunRecord> records;
        try {
            runner = new BenchRunner(settings, deployment, closedLoop, openLoop, checkTools, ProcessStats.create(), log);
            records = runner.run();
        } finally {
            deployment.close();
            Runtime.getRuntime().removeShutdownHook(cleanup);
        }
        ReportBuilder report = new ReportBuilder(records, settings.targets(),
                meta(settings, closedLoop, runner.openLoopRate(), missing));
        List<Path> written = report.writeAll(dir);
        log.println();
        log.print(report.table());
        log.println();
        written.forEach(file -> log.println("bench: wrote " + file));
    }

    private static Optional<LoadTool> wrk(Path dir, CpuLayout cpus) throws IOException {
        Optional<Path> wrk = Executables.find("wrk");
        return wrk.isEmpty() ? Optional.empty() : Optional.of(WrkLoadTool.create(wrk.get().toString(), dir, cpus));
    }

    private static LoadTool closedLoopTool(BenchSettings settings, Optional<LoadTool> wrk, LoadTool isthmusLoad,
                                           PrintStream log) {
        if (settings.loadTool() == BenchSettings.LoadToolKind.WRK) {
            if (wrk.isPresent()) {
                return wrk.get();
            }
            log.println("bench: LOADGEN=wrk but wrk is not installed; using isthmus-load");
        }
        return isthmusLoad;
    }

    private static List<String> missingPrograms(BenchSettings settings) {
        List<String> missing = new ArrayList<>();
        for (String program : List.of("nginx", "haproxy")) {
            if (Executables.find(program).isEmpty()) {
                missing.add(program);
            }
        }
        if (Executables.find("wrk").isEmpty()) {
            missing.add("wrk (only for LOADGEN=wrk and the load generator check)");
        }
        return missing;
    }

    private static Map<String, Object> meta(BenchSettings settings, LoadTool closedLoop, long rate,
                                            List<String> missing) {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("date", Instant.now().toString());
        meta.put("machine", Runtime.getRuntime().availableProcessors() + " CPUs, " + cpuModel() + ", Linux "
                + System.getProperty("os.version"));
        meta.put("TCP congestion control", tcpStack());
        meta.put("rounds", settings.rounds());
        meta.put("duration per run", settings.duration().toMillis() / 1000.0 + " s (+ " + settings.warmup().toMillis()
                / 1000.0 + " s warm-up)");
        meta.put("workers per server", settings.workers());
        meta.put("CPU layout", settings.cpus().describe());
        meta.put("load generator", closedLoop.name() + " (closed loop, " + settings.loadThreads()
                + " thread(s)); isthmus-load (open loop)");
        meta.put("open-loop rate", rate + " req/s");
        meta.put("idle connections", settings.idleConnections());
        meta.put("isthmus mode", settings.isthmusMode());
        meta.put("quick mode", settings.quick());
        if (!missing.isEmpty()) {
            meta.put("missing", String.join(", ", missing));
        }
        return meta;
    }

    /**
     * The congestion control and default qdisc every flow of the bench runs under. They set the big-body numbers more
     * than any target does: BBR without the fq qdisc paces each loopback flow with its own timers, and on the 2-CPU
     * machine the bench was built on that made 1 MiB transfers 3-4x slower for every row than under cubic.
     */
    private static String tcpStack() {
        String congestion = sysctl("net/ipv4/tcp_congestion_control");
        String qdisc = sysctl("net/core/default_qdisc");
        String stack = congestion + " (default qdisc " + qdisc + ")";
        if (congestion.equals("bbr") && !qdisc.startsWith("fq")) {
            return stack + "; BBR without fq paces every loopback flow with timers: big bodies are pacing-bound";
        }
        return stack;
    }

    private static String sysctl(String name) {
        try {
            return Files.readString(Path.of("/proc/sys", name)).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("unknown CPU");
        } catch (IOException e) {
            return "unknown CPU";
        }
    }

    private static String javaCommand() {
        return ProcessHandle.current().info().command().orElse("java");
    }
}

package dev.isthmus.perf.report;

import dev.isthmus.perf.bench.Metric;
import dev.isthmus.perf.bench.RunRecord;
import dev.isthmus.perf.bench.Target;
import dev.isthmus.perf.bench.Workload;
import dev.isthmus.perf.load.ErrorKind;
import dev.isthmus.perf.load.LoadResult;
import dev.isthmus.perf.load.PercentilePoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Turns the raw runs of a bench into {@code report.md} (one table of medians with ratios), {@code runs.json} (every
 * run) and latency-percentile plots. Pure apart from {@link #writeAll}; built and used on one thread.
 */
public final class ReportBuilder {

    /** The workloads that get a latency plot, and the plot's file name. */
    public static final Map<Workload, String> PLOTS = Map.of(
            Workload.SMALL_GET, "latency-small-get",
            Workload.OPEN_LOOP, "latency-open-loop");

    /** The load generator isthmus-load is held against. */
    private static final String REFERENCE_LOAD_TOOL = "wrk";

    private final List<RunRecord> records;
    private final List<Target> targets;
    private final Map<String, Object> meta;
    private final List<String> notes = new ArrayList<>();

    /**
     * @param records every run, any order
     * @param targets the rows, in display order
     * @param meta how the bench ran (settings, machine, date), shown above the table and stored in runs.json
     */
    public ReportBuilder(List<RunRecord> records, List<Target> targets, Map<String, Object> meta) {
        this.records = List.copyOf(records);
        this.targets = List.copyOf(targets);
        this.meta = new LinkedHashMap<>(meta);
    }

    /** The median of {@code column} over the successful runs of {@code target}; empty if none has the metric. */
    public OptionalDouble median(Target target, Column column) {
        return median(okRuns(target, column.workload()), column.metric());
    }

    /** The better of the nginx and HAProxy medians for {@code column}, in the metric's own direction. */
    public OptionalDouble bestCompetitor(Column column) {
        return bestCompetitor(column, target -> median(target, column));
    }

    private OptionalDouble bestCompetitor(Column column, Function<Target, OptionalDouble> valueOf) {
        OptionalDouble best = OptionalDouble.empty();
        for (Target target : targets) {
            OptionalDouble value = target.isCompetitor() ? valueOf.apply(target) : OptionalDouble.empty();
            if (value.isPresent() && (best.isEmpty() || better(column.metric(), value.getAsDouble(), best.getAsDouble()))) {
                best = value;
            }
        }
        return best;
    }

    /** The markdown table alone: a row per target, a column per (workload, metric). */
    public String table() {
        notes.clear();
        StringBuilder out = new StringBuilder("| target |");
        for (Column column : Column.ALL) {
            out.append(' ').append(column.header()).append(" |");
        }
        out.append("\n|---|");
        out.append("---:|".repeat(Column.ALL.size()));
        out.append('\n');
        for (Target target : targets) {
            out.append("| ").append(target.label()).append(" |");
            for (Column column : Column.ALL) {
                out.append(' ').append(cell(target, column)).append(" |");
            }
            out.append('\n');
        }
        return out.toString();
    }

    /** The whole report.md: how it ran, the table, its legend, notes on errors, and the plots. */
    public String markdown() {
        StringBuilder out = new StringBuilder("# isthmus bench\n\n");
        meta.forEach((key, value) -> out.append("- ").append(key).append(": ").append(value).append('\n'));
        OptionalDouble pressure = median(records.stream().filter(r -> r.outcome() == RunRecord.Outcome.OK).toList(),
                Metric.CPU_PRESSURE_PERCENT);
        if (pressure.isPresent()) {
            out.append("- CPU pressure during the runs (Linux PSI, median share of time some task waited for a CPU;"
                            + " the bench's own load generator, origin and proxy count too): ")
                    .append(Format.value(Metric.CPU_PRESSURE_PERCENT, pressure.getAsDouble())).append('\n');
        }
        out.append('\n').append(table()).append('\n');
        out.append("""
                Each cell is the median over rounds. `(a× / b×)` after a proxy's value is its ratio to the best of \
                nginx and HAProxy for that column, then to the direct row (no proxy). For req/s and GB/s higher is \
                better; for latency, CPU µs/req and memory, lower is better. CPU µs/req is the target's own CPU time \
                (user + system, all its processes) per request. idle RSS/conn is the growth of the target's resident \
                memory per idle keep-alive connection. alloc B/req and GC cycles are isthmus's JVM counters during \
                the small-GET run (n/a elsewhere).
                """);
        if (!notes.isEmpty()) {
            out.append("\nNotes:\n\n");
            for (int i = 0; i < notes.size(); i++) {
                out.append(i + 1).append(". ").append(notes.get(i)).append('\n');
            }
        }
        out.append(roundByRound());
        out.append(loadGeneratorCheck());
        List<String> errors = errorSummary();
        if (!errors.isEmpty()) {
            out.append("\nRequests that failed during otherwise successful runs:\n\n");
            errors.forEach(line -> out.append("- ").append(line).append('\n'));
        }
        out.append("\nLatency by percentile (the run with the median p99 per target):\n\n");
        PLOTS.entrySet().stream().sorted(Map.Entry.comparingByValue()).forEach(plot ->
                out.append("- ").append(plot.getKey().label()).append(": `").append(plot.getValue()).append(".png`\n"));
        return out.toString();
    }

    /** Every run as a JSON-ready tree: meta plus one object per run with metrics and the load tool's result. */
    public Map<String, Object> runsJson() {
        List<Object> runs = new ArrayList<>();
        for (RunRecord record : records) {
            Map<String, Object> run = new LinkedHashMap<>();
            run.put("round", record.round());
            run.put("target", record.target().key());
            run.put("workload", record.workload().key());
            run.put("tool", record.tool());
            run.put("outcome", record.outcome().name().toLowerCase(java.util.Locale.ROOT));
            run.put("message", record.message());
            Map<String, Object> metrics = new LinkedHashMap<>();
            record.metrics().forEach((metric, value) -> metrics.put(metric.key(), value));
            run.put("metrics", metrics);
            record.load().ifPresent(load -> run.put("load", loadJson(load)));
            runs.add(run);
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("meta", meta);
        root.put("runs", runs);
        return root;
    }

    /** Writes report.md, runs.json and the plots into {@code dir}; returns the files written. */
    public List<Path> writeAll(Path dir) throws IOException {
        Files.createDirectories(dir);
        List<Path> written = new ArrayList<>();
        written.add(Files.writeString(dir.resolve("report.md"), markdown()));
        written.add(Files.writeString(dir.resolve("runs.json"), Json.write(runsJson())));
        for (Map.Entry<Workload, String> plot : PLOTS.entrySet()) {
            Map<String, List<PercentilePoint>> series = new LinkedHashMap<>();
            for (Target target : targets) {
                representativeRun(target, plot.getKey()).ifPresent(load -> series.put(target.label(), load.percentiles()));
            }
            if (!series.isEmpty()) {
                written.add(LatencyPlot.write(plot.getKey().label() + ": latency by percentile", series,
                        dir.resolve(plot.getValue() + ".png")));
            }
        }
        return written;
    }

    /**
     * The throughput columns round by round, and isthmus's ratio to the better of nginx and HAProxy in each round. A
     * round runs every target in turn, so a same-round ratio is the comparison least moved by the machine drifting
     * between rounds, which the medians of a noisy machine hide. Empty with fewer than two rounds.
     */
    public String roundByRound() {
        int rounds = records.stream().mapToInt(RunRecord::round).max().orElse(0);
        if (rounds < 2) {
            return "";
        }
        List<Column> columns = Column.ALL.stream().filter(c -> c.metric() == Metric.REQUESTS_PER_SECOND
                || c.metric() == Metric.BYTES_PER_SECOND)
                .filter(c -> targets.stream().anyMatch(t -> median(t, c).isPresent())).toList();
        StringBuilder out = new StringBuilder("\n## Round by round\n\nEach round's value, rounds 1 to ")
                .append(rounds).append(" in order; the last row is isthmus's ratio to the better of nginx and HAProxy ")
                .append("in the same round.\n\n| target |");
        columns.forEach(column -> out.append(' ').append(column.header()).append(" |"));
        out.append("\n|---|").append("---:|".repeat(columns.size())).append('\n');
        for (Target target : targets) {
            out.append("| ").append(target.label()).append(" |");
            for (Column column : columns) {
                out.append(' ').append(perRound(rounds, round -> {
                    OptionalDouble value = roundValue(target, column, round);
                    return value.isPresent() ? Format.value(column.metric(), value.getAsDouble()) : "–";
                })).append(" |");
            }
            out.append('\n');
        }
        if (targets.contains(Target.ISTHMUS) && targets.stream().anyMatch(Target::isCompetitor)) {
            out.append("| isthmus / better proxy |");
            for (Column column : columns) {
                out.append(' ').append(perRound(rounds, round -> {
                    OptionalDouble isthmus = roundValue(Target.ISTHMUS, column, round);
                    OptionalDouble best = bestCompetitor(column, target -> roundValue(target, column, round));
                    return isthmus.isPresent() && best.isPresent() && best.getAsDouble() > 0
                            ? Format.ratio(isthmus.getAsDouble() / best.getAsDouble()) : "–";
                })).append(" |");
            }
            out.append('\n');
        }
        return out.toString();
    }

    /** Rounds 1 to {@code rounds}, each as {@code cell} gives it, in order: {@code a / b / c}. */
    private static String perRound(int rounds, IntFunction<String> cell) {
        return IntStream.rangeClosed(1, rounds).mapToObj(cell).collect(Collectors.joining(" / "));
    }

    private OptionalDouble roundValue(Target target, Column column, int round) {
        return median(okRuns(target, column.workload()).stream().filter(r -> r.round() == round).toList(),
                column.metric());
    }

    /**
     * The load generator check: each tool's median small-GET result against the origin alone. isthmus-load is fit to
     * measure the proxies when it drives the origin at least as hard as wrk does.
     */
    public String loadGeneratorCheck() {
        List<RunRecord> checks = records.stream().filter(r -> r.workload() == Workload.LOADGEN_CHECK).toList();
        if (checks.isEmpty()) {
            return "";
        }
        StringBuilder out = new StringBuilder("\n## Load generator check\n\n")
                .append(Workload.LOADGEN_CHECK.label()).append(", median of rounds:\n\n");
        List<String> tools = checks.stream().map(RunRecord::tool).filter(t -> !t.isEmpty()).distinct().toList();
        if (tools.isEmpty()) {
            return out.append("skipped: ").append(checks.getFirst().message()).append('\n').toString();
        }
        String referenceTool = tools.contains(REFERENCE_LOAD_TOOL) ? REFERENCE_LOAD_TOOL : tools.getFirst();
        OptionalDouble reference = median(checks.stream().filter(r -> r.tool().equals(referenceTool)).toList(),
                Metric.REQUESTS_PER_SECOND);
        out.append("| tool | req/s | vs ").append(referenceTool).append(" | p50 | p99 |\n|---|---:|---:|---:|---:|\n");
        for (String tool : tools) {
            List<RunRecord> runs = checks.stream().filter(r -> r.tool().equals(tool)).toList();
            OptionalDouble rps = median(runs, Metric.REQUESTS_PER_SECOND);
            out.append("| ").append(tool).append(" | ")
                    .append(medianText(runs, Metric.REQUESTS_PER_SECOND)).append(" | ")
                    .append(rps.isPresent() && reference.isPresent() && reference.getAsDouble() > 0
                            ? Format.ratio(rps.getAsDouble() / reference.getAsDouble()) : "–").append(" | ")
                    .append(medianText(runs, Metric.P50_MICROS)).append(" | ")
                    .append(medianText(runs, Metric.P99_MICROS)).append(" |\n");
        }
        return out.toString();
    }

    private static String medianText(List<RunRecord> runs, Metric metric) {
        OptionalDouble median = median(runs, metric);
        if (median.isEmpty()) {
            return runs.isEmpty() ? "–" : "error: " + runs.getFirst().message();
        }
        return Format.value(metric, median.getAsDouble());
    }

    private static OptionalDouble median(List<RunRecord> runs, Metric metric) {
        double[] values = runs.stream().filter(r -> r.outcome() == RunRecord.Outcome.OK)
                .map(r -> r.metrics().get(metric)).filter(v -> v != null && Double.isFinite(v))
                .mapToDouble(Double::doubleValue).sorted().toArray();
        if (values.length == 0) {
            return OptionalDouble.empty();
        }
        int middle = values.length / 2;
        return OptionalDouble.of(values.length % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2);
    }

    // The run whose p99 is the median of the target's runs: a real distribution rather than a blend of several.
    private Optional<LoadResult> representativeRun(Target target, Workload workload) {
        List<LoadResult> loads = okRuns(target, workload).stream().flatMap(r -> r.load().stream())
                .filter(load -> !load.percentiles().isEmpty())
                .sorted(Comparator.comparingLong(load -> load.latencyMicros(99))).toList();
        return loads.isEmpty() ? Optional.empty() : Optional.of(loads.get((loads.size() - 1) / 2));
    }

    private String cell(Target target, Column column) {
        List<RunRecord> runs = runs(target, column.workload());
        List<RunRecord> failures = runs.stream().filter(r -> r.outcome() != RunRecord.Outcome.OK).toList();
        OptionalDouble value = median(target, column);
        if (value.isEmpty()) {
            if (runs.isEmpty()) {
                return "–";
            }
            return failures.size() < runs.size() ? "n/a" : note(failures.getFirst());
        }
        String text = Format.value(column.metric(), value.getAsDouble());
        if (column.compared() && target.isProxy()) {
            OptionalDouble best = bestCompetitor(column);
            OptionalDouble direct = median(Target.DIRECT, column);
            String vsBest = best.isPresent() && best.getAsDouble() != 0
                    ? Format.ratio(value.getAsDouble() / best.getAsDouble()) : "–";
            String vsDirect = direct.isPresent() && direct.getAsDouble() != 0
                    ? Format.ratio(value.getAsDouble() / direct.getAsDouble()) : "–";
            text += " (" + vsBest + " / " + vsDirect + ")";
        }
        if (!failures.isEmpty()) {
            text += " [" + failures.size() + " of " + runs.size() + " runs: " + note(failures.getFirst()) + "]";
        }
        return text;
    }

    // Failures become numbered notes below the table so that cells stay short; identical messages share a number.
    private String note(RunRecord failure) {
        String kind = failure.outcome() == RunRecord.Outcome.SKIPPED ? "skipped" : "error";
        String message = failure.target().label() + ", " + kind + ": " + failure.message();
        int index = notes.indexOf(message);
        if (index < 0) {
            notes.add(message);
            index = notes.size() - 1;
        }
        return kind + " [" + (index + 1) + "]";
    }

    private List<String> errorSummary() {
        List<String> lines = new ArrayList<>();
        for (RunRecord record : records) {
            record.load().filter(load -> load.totalErrors() > 0).ifPresent(load -> {
                Map<String, Long> kinds = new LinkedHashMap<>();
                for (ErrorKind kind : ErrorKind.values()) {
                    if (load.errors().get(kind) > 0) {
                        kinds.put(kind.key(), load.errors().get(kind));
                    }
                }
                lines.add(record.target().label() + ", " + record.workload().label() + ", round " + record.round()
                        + ": " + kinds + " of " + (load.requests() + load.totalErrors()));
            });
        }
        return lines;
    }

    private List<RunRecord> runs(Target target, Workload workload) {
        return records.stream().filter(r -> r.target() == target && r.workload() == workload).toList();
    }

    private List<RunRecord> okRuns(Target target, Workload workload) {
        return runs(target, workload).stream().filter(r -> r.outcome() == RunRecord.Outcome.OK).toList();
    }

    private static boolean better(Metric metric, double candidate, double incumbent) {
        return metric.higherIsBetter() ? candidate > incumbent : candidate < incumbent;
    }

    private static Map<String, Object> loadJson(LoadResult load) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("requests", load.requests());
        json.put("bytes", load.bytes());
        json.put("duration_nanos", load.durationNanos());
        Map<String, Object> errors = new LinkedHashMap<>();
        load.errors().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(entry -> errors.put(entry.getKey().key(), entry.getValue()));
        json.put("errors", errors);
        List<Object> points = new ArrayList<>();
        for (PercentilePoint point : load.percentiles()) {
            points.add(List.of(point.percentile(), point.micros()));
        }
        json.put("percentiles_micros", points);
        return json;
    }
}

package dev.isthmus.perf.report;

import dev.isthmus.perf.bench.Metric;
import dev.isthmus.perf.bench.RunRecord;
import dev.isthmus.perf.bench.Target;
import dev.isthmus.perf.bench.Workload;
import dev.isthmus.perf.load.LoadResult;
import dev.isthmus.perf.load.PercentilePoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Smoke test of the report builder on canned runs: medians, ratios, failure notes, and the files it writes. */
@Timeout(30)
class ReportBuilderTest {

    private static final List<Target> TARGETS = List.of(Target.DIRECT, Target.ISTHMUS, Target.NGINX, Target.HAPROXY);
    private static final Column SMALL_RPS = new Column(Workload.SMALL_GET, Metric.REQUESTS_PER_SECOND, true);
    private static final Column SMALL_P99 = new Column(Workload.SMALL_GET, Metric.P99_MICROS, true);

    @Test
    void mediansRatiosAndNotes(@TempDir Path dir) throws IOException {
        List<RunRecord> records = new ArrayList<>();
        double[][] rps = {{100_000, 120_000, 110_000}, {60_000, 80_000, 70_000}, {50_000, 40_000, 45_000}};
        Target[] measured = {Target.DIRECT, Target.NGINX, Target.HAPROXY};
        for (int t = 0; t < measured.length; t++) {
            for (int round = 1; round <= 3; round++) {
                records.add(smallGet(round, measured[t], rps[t][round - 1], 1_000 * (t + 1) + round));
            }
        }
        records.add(RunRecord.error(1, Target.ISTHMUS, Workload.SMALL_GET, "wrk", "connect: ECONNREFUSED (111)"));
        records.add(smallGet(2, Target.ISTHMUS, 90_000, 900));
        records.add(smallGet(3, Target.ISTHMUS, 100_000, 800));
        records.add(RunRecord.skipped(1, Target.HAPROXY, Workload.IDLE_CONNECTIONS, "haproxy not installed"));
        for (int round = 1; round <= 2; round++) {
            for (String tool : List.of("isthmus-load", "wrk")) {
                records.add(RunRecord.ok(round, Target.DIRECT, Workload.LOADGEN_CHECK, tool,
                        Map.of(Metric.REQUESTS_PER_SECOND, tool.equals("wrk") ? 100_000.0 + round : 120_000.0 + round,
                                Metric.P50_MICROS, 300.0, Metric.P99_MICROS, 900.0), Optional.empty()));
            }
        }

        ReportBuilder report = new ReportBuilder(records, TARGETS, Map.of("rounds", 3));

        assertEquals(110_000, report.median(Target.DIRECT, SMALL_RPS).orElseThrow());
        assertEquals(95_000, report.median(Target.ISTHMUS, SMALL_RPS).orElseThrow(), "even count: mean of the middle two");
        assertEquals(70_000, report.bestCompetitor(SMALL_RPS).orElseThrow(), "higher req/s is better");
        assertEquals(2_002, report.bestCompetitor(SMALL_P99).orElseThrow(), "lower p99 is better");

        String table = report.table();
        assertTrue(table.contains("95,000 (1.36× / 0.86×)"), table);
        assertTrue(table.contains("[1 of 3 runs: error [1]]"), table);
        String markdown = report.markdown();
        assertTrue(markdown.contains("1. isthmus, error: connect: ECONNREFUSED (111)"), markdown);
        assertTrue(markdown.contains("count too): 2%"), "median pressure of all runs: " + markdown);
        assertTrue(markdown.contains("haproxy, skipped: haproxy not installed"), markdown);
        assertTrue(markdown.contains("| isthmus-load | 120,002 | 1.20× | 300 µs | 900 µs |"), markdown);
        assertTrue(markdown.contains("| wrk | 100,002 | 1.00× | 300 µs | 900 µs |"), markdown);
        assertTrue(markdown.contains("| nginx | 60,000 / 80,000 / 70,000 |"), "each round in order: " + markdown);
        assertTrue(markdown.contains("| isthmus | – / 90,000 / 100,000 |"), "a failed round shows as such: " + markdown);
        assertTrue(markdown.contains("| target | small GET req/s |\n"), "columns without a run are left out: " + markdown);
        assertTrue(markdown.contains("| isthmus / better proxy | – / 1.13× / 1.43× |"),
                "the ratio to the better competitor of the same round: " + markdown);

        List<Path> written = report.writeAll(dir);
        assertTrue(written.contains(dir.resolve("report.md")));
        assertTrue(written.contains(dir.resolve("latency-small-get.png")), written.toString());
        assertTrue(Files.size(dir.resolve("latency-small-get.png")) > 0);
        String json = Files.readString(dir.resolve("runs.json"));
        assertEquals(records.size(), json.split("\"round\"").length - 1, "one JSON object per run");
        assertTrue(json.contains("\"message\": \"connect: ECONNREFUSED (111)\""), json);
    }

    private static RunRecord smallGet(int round, Target target, double rps, long p99) {
        List<PercentilePoint> points = List.of(new PercentilePoint(50, p99 / 2), new PercentilePoint(99, p99),
                new PercentilePoint(99.9, p99 * 2), new PercentilePoint(100, p99 * 3));
        LoadResult load = new LoadResult((long) rps * 10, (long) rps * 1_000, 10_000_000_000L, Map.of(), points);
        return RunRecord.ok(round, target, Workload.SMALL_GET, "isthmus-load",
                Map.of(Metric.REQUESTS_PER_SECOND, rps, Metric.P99_MICROS, (double) p99, Metric.CPU_PRESSURE_PERCENT,
                        (double) round), Optional.of(load));
    }
}

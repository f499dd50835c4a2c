package dev.isthmus.perf.bench;

import dev.isthmus.perf.load.LoadResult;
import dev.isthmus.perf.load.PercentilePoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The order of a bench run's loads, against a real deployment (the origin as a child process) with a load tool that
 * records what it was asked to run instead of generating load.
 */
@Timeout(120)
class BenchRunnerTest {

    private static final class RecordingTool implements LoadTool {
        final List<LoadSpec> specs = new ArrayList<>();

        @Override
        public String name() {
            return "recording";
        }

        @Override
        public LoadResult run(LoadSpec spec, Runnable onMeasureStart) {
            specs.add(spec);
            onMeasureStart.run();
            return new LoadResult(1_000, 1_000_000, Duration.ofSeconds(1).toNanos(), Map.of(),
                    List.of(new PercentilePoint(50, 100), new PercentilePoint(100, 200)));
        }
    }

    private static boolean isWarmUp(LoadSpec spec) {
        return spec.warmup().isZero() && spec.rate() == 0;
    }

    @Test
    void everyRoundButTheLastWarmsTheTargetAgainAfterTheIdleCellRestartedIt(@TempDir Path dir) throws Exception {
        BenchSettings settings = BenchSettings.parse(new String[] {"--quick", "true", "--rounds", "2",
                "--targets", "direct", "--idle-connections", "10", "--out", dir.toString()});
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        RecordingTool tool = new RecordingTool();
        try (Deployment deployment = Deployment.start(settings, quiet)) {
            new BenchRunner(settings, deployment, tool, tool, List.of(), ProcessStats.create(), quiet).run();
        }
        List<Boolean> warmUps = tool.specs.stream().map(BenchRunnerTest::isWarmUp).toList();
        // Warm-up (small GET, 1 MiB); round 1's seven timed cells, its idle cell (a restart), warm-up again;
        // round 2's seven timed cells and its idle cell, after which nothing is measured.
        assertEquals(List.of(true, true, false, false, false, false, false, false, false, true, true, false, false,
                false, false, false, false, false), warmUps, "warm-up runs among " + tool.specs);
    }
}

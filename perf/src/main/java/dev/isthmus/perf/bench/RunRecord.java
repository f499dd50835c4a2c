package dev.isthmus.perf.bench;

import dev.isthmus.perf.load.LoadResult;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * One cell of one round: what happened when {@code target} ran {@code workload}.
 *
 * @param round 1-based round number
 * @param target the row
 * @param workload the column group
 * @param tool the load tool that drove the run ({@code isthmus-load}, {@code wrk}), empty when none did
 * @param outcome whether it produced numbers
 * @param message why not, for {@link Outcome#ERROR} and {@link Outcome#SKIPPED}; empty otherwise
 * @param metrics the numbers, for {@link Outcome#OK}
 * @param load the load tool's full result, when a load tool ran
 */
public record RunRecord(int round, Target target, Workload workload, String tool, Outcome outcome, String message,
                        Map<Metric, Double> metrics, Optional<LoadResult> load) {

    /** Whether a run produced numbers. */
    public enum Outcome { OK, ERROR, SKIPPED }

    public RunRecord {
        metrics = metrics.isEmpty() ? Map.of() : Collections.unmodifiableMap(new EnumMap<>(metrics));
    }

    public static RunRecord ok(int round, Target target, Workload workload, String tool, Map<Metric, Double> metrics,
                               Optional<LoadResult> load) {
        return new RunRecord(round, target, workload, tool, Outcome.OK, "", metrics, load);
    }

    public static RunRecord error(int round, Target target, Workload workload, String tool, String message) {
        return new RunRecord(round, target, workload, tool, Outcome.ERROR, message, Map.of(), Optional.empty());
    }

    public static RunRecord skipped(int round, Target target, Workload workload, String reason) {
        return new RunRecord(round, target, workload, "", Outcome.SKIPPED, reason, Map.of(), Optional.empty());
    }
}

package dev.isthmus.perf.report;

import dev.isthmus.perf.bench.Metric;
import dev.isthmus.perf.bench.Workload;

import java.util.List;

/**
 * A column of the report table: one metric of one workload.
 *
 * @param workload the workload whose runs fill it
 * @param metric the number shown
 * @param compared whether the cell carries ratios (not for counters that only isthmus has)
 */
public record Column(Workload workload, Metric metric, boolean compared) {

    /** The report's columns, left to right. */
    public static final List<Column> ALL = List.of(
            new Column(Workload.SMALL_GET, Metric.REQUESTS_PER_SECOND, true),
            new Column(Workload.SMALL_GET, Metric.P50_MICROS, true),
            new Column(Workload.SMALL_GET, Metric.P99_MICROS, true),
            new Column(Workload.SMALL_GET, Metric.CPU_MICROS_PER_REQUEST, true),
            new Column(Workload.MEDIUM_GET, Metric.REQUESTS_PER_SECOND, true),
            new Column(Workload.MEDIUM_GET, Metric.CPU_MICROS_PER_REQUEST, true),
            new Column(Workload.MIB_GET, Metric.BYTES_PER_SECOND, true),
            new Column(Workload.BIG_GET, Metric.BYTES_PER_SECOND, true),
            new Column(Workload.NEW_CONNECTION_GET, Metric.REQUESTS_PER_SECOND, true),
            new Column(Workload.NEW_CONNECTION_GET, Metric.CPU_MICROS_PER_REQUEST, true),
            new Column(Workload.PIPELINED_GET, Metric.REQUESTS_PER_SECOND, true),
            new Column(Workload.PIPELINED_GET, Metric.CPU_MICROS_PER_REQUEST, true),
            new Column(Workload.OPEN_LOOP, Metric.P50_MICROS, true),
            new Column(Workload.OPEN_LOOP, Metric.P99_MICROS, true),
            new Column(Workload.OPEN_LOOP, Metric.P999_MICROS, true),
            new Column(Workload.OPEN_LOOP, Metric.MAX_MICROS, true),
            new Column(Workload.IDLE_CONNECTIONS, Metric.RESIDENT_BYTES_PER_CONNECTION, true),
            new Column(Workload.SMALL_GET, Metric.ALLOCATED_BYTES_PER_REQUEST, false),
            new Column(Workload.SMALL_GET, Metric.GC_CYCLES, false));

    public String header() {
        return switch (workload) {
            case SMALL_GET -> "small GET " + metric.label();
            case MEDIUM_GET -> "16 KiB " + metric.label();
            case MIB_GET -> "1 MiB " + metric.label();
            case BIG_GET -> "64 MiB " + metric.label();
            case NEW_CONNECTION_GET -> "new conn GET " + metric.label();
            case PIPELINED_GET -> "pipelined GET " + metric.label();
            case OPEN_LOOP -> "open loop " + metric.label();
            case IDLE_CONNECTIONS -> "idle " + metric.label();
            case LOADGEN_CHECK -> "load generator check " + metric.label();
        };
    }
}

package dev.isthmus.perf.report;

import dev.isthmus.perf.bench.Metric;

import java.util.Locale;

/** How each metric reads in a table cell: latencies in µs or ms, throughput in GB/s, memory in KiB. */
final class Format {

    private static final double MICROS_PER_MILLI = 1_000;
    private static final double BYTES_PER_GB = 1e9;
    private static final double BYTES_PER_KIB = 1024;

    private Format() {
    }

    static String value(Metric metric, double value) {
        return switch (metric) {
            case REQUESTS_PER_SECOND -> String.format(Locale.ROOT, "%,.0f", value);
            case BYTES_PER_SECOND -> String.format(Locale.ROOT, "%.2f", value / BYTES_PER_GB);
            case P50_MICROS, P90_MICROS, P99_MICROS, P999_MICROS, MAX_MICROS -> latency(value);
            case CPU_MICROS_PER_REQUEST -> String.format(Locale.ROOT, "%.1f", value);
            case RESIDENT_BYTES_PER_CONNECTION -> String.format(Locale.ROOT, "%.1f KiB", value / BYTES_PER_KIB);
            case ALLOCATED_BYTES_PER_REQUEST -> String.format(Locale.ROOT, "%.1f", value);
            case ERRORS, GC_CYCLES -> String.format(Locale.ROOT, "%.0f", value);
            case CPU_PRESSURE_PERCENT -> String.format(Locale.ROOT, "%.0f%%", value);
        };
    }

    static String latency(double micros) {
        return micros < MICROS_PER_MILLI
                ? String.format(Locale.ROOT, "%.0f µs", micros)
                : String.format(Locale.ROOT, "%.2f ms", micros / MICROS_PER_MILLI);
    }

    static String ratio(double ratio) {
        return String.format(Locale.ROOT, "%.2f×", ratio);
    }
}

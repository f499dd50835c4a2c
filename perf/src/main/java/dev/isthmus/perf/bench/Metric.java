package dev.isthmus.perf.bench;

import java.util.Locale;

/** A number a run yields, with its unit and which direction is better (ratios are read in that light). */
public enum Metric {
    REQUESTS_PER_SECOND("req/s", true),
    BYTES_PER_SECOND("GB/s", true),
    P50_MICROS("p50", false),
    P90_MICROS("p90", false),
    P99_MICROS("p99", false),
    P999_MICROS("p99.9", false),
    MAX_MICROS("max", false),
    ERRORS("errors", false),
    CPU_MICROS_PER_REQUEST("CPU µs/req", false),
    RESIDENT_BYTES_PER_CONNECTION("RSS/conn", false),
    ALLOCATED_BYTES_PER_REQUEST("alloc B/req", false),
    GC_CYCLES("GC cycles", false),
    /**
     * Share of the run's wall time during which some task on the machine waited for a CPU (Linux PSI,
     * {@code /proc/pressure/cpu} "some"): how much the machine itself, not the target, was the limit.
     */
    CPU_PRESSURE_PERCENT("CPU pressure %", false);

    private final String label;
    private final boolean higherIsBetter;

    Metric(String label, boolean higherIsBetter) {
        this.label = label;
        this.higherIsBetter = higherIsBetter;
    }

    public String label() {
        return label;
    }

    public boolean higherIsBetter() {
        return higherIsBetter;
    }

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}

package dev.isthmus.proxy.http;

import org.HdrHistogram.Histogram;

import java.util.concurrent.TimeUnit;

/**
 * How long one HTTP listener's requests took, from the request head parsed to the last byte of the response written
 * to the client, in microseconds of the reactor's clock (refreshed once per event-loop turn). One per reactor,
 * recorded on its thread without allocating; the admin endpoint sums copies taken on each reactor's own thread.
 * Counts are exact; which side of a bucket bound a value falls on is exact to within HdrHistogram's resolution
 * (two significant digits: 1%).
 */
public final class RequestDurations {
    /** Longer requests (tunnels aside, which are not counted) are recorded as this long. */
    private static final long HIGHEST_MICROS = TimeUnit.HOURS.toMicros(1);
    private static final int SIGNIFICANT_DIGITS = 2;
    private static final long NANOS_PER_MICRO = 1_000;

    private final Histogram micros = new Histogram(HIGHEST_MICROS, SIGNIFICANT_DIGITS);
    private long sumMicros;

    void record(long nanos) {
        long value = Math.clamp(nanos / NANOS_PER_MICRO, 0, HIGHEST_MICROS);
        micros.recordValue(value);
        sumMicros += value;
    }

    /** Adds what {@code other} recorded; on {@code other}'s reactor thread. */
    public void add(RequestDurations other) {
        micros.add(other.micros);
        sumMicros += other.sumMicros;
    }

    public long count() {
        return micros.getTotalCount();
    }

    /** Requests that took at most {@code bound} microseconds (a Prometheus bucket's cumulative count). */
    public long countAtMost(long bound) {
        return micros.getCountBetweenValues(0, Math.min(bound, HIGHEST_MICROS));
    }

    public long sumMicros() {
        return sumMicros;
    }
}

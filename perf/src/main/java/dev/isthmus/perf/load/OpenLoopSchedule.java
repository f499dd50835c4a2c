package dev.isthmus.perf.load;

/**
 * The fixed schedule of an open-loop run: request {@code i} of a thread is due at {@code start + i * interval}, no
 * matter when earlier responses came back. Latency is measured from that due time, not from when the request could
 * actually be written, which is the coordinated-omission correction wrk2 introduced: a stalled server then shows up
 * in the percentiles instead of silently lowering the request rate. Immutable.
 */
public final class OpenLoopSchedule {

    private static final double NANOS_PER_SECOND = 1e9;

    private final long startNanos;
    private final double intervalNanos;

    /** A schedule of {@code ratePerSecond} requests per second starting at {@code startNanos} (System.nanoTime). */
    public OpenLoopSchedule(long startNanos, double ratePerSecond) {
        if (!(ratePerSecond > 0)) {
            throw new IllegalArgumentException("rate must be positive, got " + ratePerSecond);
        }
        this.startNanos = startNanos;
        this.intervalNanos = NANOS_PER_SECOND / ratePerSecond;
    }

    /** When request {@code index} (0-based) is due. */
    public long dueNanos(long index) {
        return startNanos + (long) (index * intervalNanos);
    }

    /** How many requests are due at {@code nowNanos} in total (sent or not). */
    public long dueCount(long nowNanos) {
        return nowNanos < startNanos ? 0 : (long) ((nowNanos - startNanos) / intervalNanos) + 1;
    }
}

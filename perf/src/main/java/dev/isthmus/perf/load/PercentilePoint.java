package dev.isthmus.perf.load;

/**
 * One point of a latency distribution: {@code percentile} per cent of requests completed within {@code micros}.
 *
 * @param percentile in [0, 100]
 * @param micros latency in microseconds
 */
public record PercentilePoint(double percentile, long micros) {
    public PercentilePoint {
        if (!(percentile >= 0 && percentile <= 100) || micros < 0) {
            throw new IllegalArgumentException("bad percentile point " + percentile + ":" + micros);
        }
    }
}

package dev.isthmus.perf.load;

import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The merged outcome of a load run: counters, errors by kind, and the latency histogram (nanoseconds).
 *
 * @param options what was run
 * @param histogram every recorded latency, in nanoseconds
 * @param requests completed responses (any status)
 * @param bytes response bytes, heads included
 * @param errors failed requests by kind (a STATUS error is also a completed request)
 * @param durationNanos measured wall time
 * @param firstError the first failure's description, if any failed
 */
public record LoadReport(LoadOptions options, Histogram histogram, long requests, long bytes,
                         Map<ErrorKind, Long> errors, long durationNanos, Optional<String> firstError) {

    /** The percentiles reported in the result line and plotted; 100 is the maximum. */
    public static final double[] PERCENTILES = {0, 10, 20, 30, 40, 50, 60, 70, 75, 80, 85, 90, 92.5, 95, 96, 97, 98,
            99, 99.5, 99.9, 99.95, 99.99, 99.999, 100};
    private static final double NANOS_PER_MICRO = 1_000;
    private static final double NANOS_PER_SECOND = 1e9;
    private static final double BYTES_PER_MB = 1e6;

    public LoadResult toResult() {
        List<PercentilePoint> points = new ArrayList<>();
        if (histogram.getTotalCount() > 0) {
            for (double percentile : PERCENTILES) {
                long nanos = percentile == 100 ? histogram.getMaxValue() : histogram.getValueAtPercentile(percentile);
                points.add(new PercentilePoint(percentile, Math.round(nanos / NANOS_PER_MICRO)));
            }
        }
        return new LoadResult(requests, bytes, durationNanos, new EnumMap<>(errors), points);
    }

    /** A few lines for people, in the spirit of wrk's output. */
    public String humanSummary() {
        LoadResult result = toResult();
        double seconds = durationNanos / NANOS_PER_SECOND;
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "isthmus-load: %s %s:%d%s, %d connection(s), %d thread(s), %s, %.2f s%n",
                options.method(), options.host(), options.port(), options.path(), options.connections(),
                options.threads(), options.isOpenLoop() ? "open loop at " + options.rate() + " req/s" : "closed loop"
                        + (options.pipeline() > 1 ? ", pipeline " + options.pipeline() : ""), seconds));
        out.append(String.format(Locale.ROOT, "  requests  %,d (%,.1f req/s)%n", requests, result.requestsPerSecond()));
        out.append(String.format(Locale.ROOT, "  bytes     %,d (%,.1f MB/s)%n", bytes, result.bytesPerSecond() / BYTES_PER_MB));
        out.append("  errors   ");
        for (ErrorKind kind : ErrorKind.values()) {
            out.append(' ').append(kind.key()).append(' ').append(errors.get(kind));
        }
        out.append('\n');
        firstError.ifPresent(first -> out.append("  first error: ").append(first).append('\n'));
        if (histogram.getTotalCount() > 0) {
            out.append(String.format(Locale.ROOT, "  latency   p50 %s  p90 %s  p99 %s  p99.9 %s  max %s%n",
                    micros(result.latencyMicros(50)), micros(result.latencyMicros(90)), micros(result.latencyMicros(99)),
                    micros(result.latencyMicros(99.9)), micros(result.latencyMicros(100))));
        }
        return out.toString();
    }

    /** The JSON summary written by {@code --json}. */
    public Map<String, Object> jsonSummary() {
        LoadResult result = toResult();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("url", "http://" + options.host() + ":" + options.port() + options.path());
        json.put("method", options.method());
        json.put("connections", options.connections());
        json.put("threads", options.threads());
        json.put("pipeline", options.pipeline());
        json.put("mode", options.isOpenLoop() ? "open" : "closed");
        json.put("rate", options.rate());
        json.put("duration_seconds", durationNanos / NANOS_PER_SECOND);
        json.put("requests", requests);
        json.put("requests_per_second", result.requestsPerSecond());
        json.put("bytes", bytes);
        json.put("bytes_per_second", result.bytesPerSecond());
        Map<String, Object> errorJson = new LinkedHashMap<>();
        for (ErrorKind kind : ErrorKind.values()) {
            errorJson.put(kind.key(), errors.get(kind));
        }
        json.put("errors", errorJson);
        Map<String, Object> latency = new LinkedHashMap<>();
        for (PercentilePoint point : result.percentiles()) {
            latency.put(point.percentile() == 100 ? "max" : "p" + trim(point.percentile()), point.micros());
        }
        json.put("latency_micros", latency);
        return json;
    }

    private static String micros(long micros) {
        return micros < NANOS_PER_MICRO ? micros + " µs" : String.format(Locale.ROOT, "%.2f ms", micros / NANOS_PER_MICRO);
    }

    private static String trim(double percentile) {
        return percentile == Math.rint(percentile) ? Long.toString((long) percentile) : Double.toString(percentile);
    }
}

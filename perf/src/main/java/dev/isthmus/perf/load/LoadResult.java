package dev.isthmus.perf.load;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What one load run measured, whichever tool produced it (isthmus-load or wrk through its Lua hook).
 * Both tools print it as one line starting with {@link #LINE_PREFIX} so the bench reads them the same way.
 *
 * @param requests completed requests (responses fully read, any status)
 * @param bytes response bytes read, heads included
 * @param durationNanos measured wall time
 * @param errors failed requests by kind
 * @param percentiles the latency distribution, ascending by percentile
 */
public record LoadResult(long requests, long bytes, long durationNanos, Map<ErrorKind, Long> errors,
                         List<PercentilePoint> percentiles) {

    public static final String LINE_PREFIX = "ISTHMUS-LOAD-RESULT";
    private static final double NANOS_PER_SECOND = 1e9;
    private static final long NANOS_PER_MICRO = 1_000;

    public LoadResult {
        EnumMap<ErrorKind, Long> all = new EnumMap<>(ErrorKind.class);
        for (ErrorKind kind : ErrorKind.values()) {
            all.put(kind, errors.getOrDefault(kind, 0L));
        }
        errors = Map.copyOf(all);
        percentiles = List.copyOf(percentiles);
    }

    public double requestsPerSecond() {
        return durationNanos == 0 ? 0 : requests * NANOS_PER_SECOND / durationNanos;
    }

    public double bytesPerSecond() {
        return durationNanos == 0 ? 0 : bytes * NANOS_PER_SECOND / durationNanos;
    }

    public long totalErrors() {
        return errors.values().stream().mapToLong(Long::longValue).sum();
    }

    /** The latency at {@code percentile} in microseconds: the first point at or above it, or -1 with no points. */
    public long latencyMicros(double percentile) {
        for (PercentilePoint point : percentiles) {
            if (point.percentile() >= percentile) {
                return point.micros();
            }
        }
        return percentiles.isEmpty() ? -1 : percentiles.getLast().micros();
    }

    /** This result as one line: {@code ISTHMUS-LOAD-RESULT key=value ...}, the format {@link #parseLine} reads. */
    public String toLine() {
        StringBuilder line = new StringBuilder(LINE_PREFIX)
                .append(" requests=").append(requests)
                .append(" bytes=").append(bytes)
                .append(" durationMicros=").append(durationNanos / NANOS_PER_MICRO);
        for (ErrorKind kind : ErrorKind.values()) {
            line.append(' ').append(kind.key()).append('=').append(errors.get(kind));
        }
        line.append(" percentiles=");
        for (int i = 0; i < percentiles.size(); i++) {
            PercentilePoint point = percentiles.get(i);
            line.append(i == 0 ? "" : ",").append(formatPercentile(point.percentile())).append(':').append(point.micros());
        }
        return line.toString();
    }

    /** Reads a line made by {@link #toLine} (or by wrk's Lua hook); throws IllegalArgumentException naming what is wrong. */
    public static LoadResult parseLine(String line) {
        String[] fields = line.trim().split(" ");
        if (fields.length == 0 || !fields[0].equals(LINE_PREFIX)) {
            throw new IllegalArgumentException("not a load result line: " + line);
        }
        Map<String, String> values = new java.util.HashMap<>();
        for (String field : Arrays.asList(fields).subList(1, fields.length)) {
            int equals = field.indexOf('=');
            if (equals <= 0) {
                throw new IllegalArgumentException("bad field '" + field + "' in load result line");
            }
            values.put(field.substring(0, equals), field.substring(equals + 1));
        }
        EnumMap<ErrorKind, Long> errors = new EnumMap<>(ErrorKind.class);
        for (ErrorKind kind : ErrorKind.values()) {
            errors.put(kind, number(values, kind.key()));
        }
        List<PercentilePoint> points = new ArrayList<>();
        String list = values.getOrDefault("percentiles", "");
        for (String pair : list.isEmpty() ? new String[0] : list.split(",")) {
            int colon = pair.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("bad percentile point '" + pair + "'");
            }
            points.add(new PercentilePoint(Double.parseDouble(pair.substring(0, colon)),
                    Long.parseLong(pair.substring(colon + 1))));
        }
        return new LoadResult(number(values, "requests"), number(values, "bytes"),
                number(values, "durationMicros") * NANOS_PER_MICRO, errors, points);
    }

    private static long number(Map<String, String> values, String key) {
        String value = values.get(key);
        if (value == null) {
            throw new IllegalArgumentException("load result line lacks '" + key + "'");
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("load result field '" + key + "' is not a number: " + value, e);
        }
    }

    private static String formatPercentile(double percentile) {
        return percentile == Math.rint(percentile)
                ? Long.toString((long) percentile)
                : String.format(Locale.ROOT, "%s", percentile);
    }
}

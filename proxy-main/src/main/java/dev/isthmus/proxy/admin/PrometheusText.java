package dev.isthmus.proxy.admin;

/**
 * Writes metrics in the Prometheus text exposition format (version 0.0.4): per family a {@code # HELP} and a
 * {@code # TYPE} line, then its samples, each family's samples together as the format requires. Label values are
 * escaped; names are the caller's constants. Not thread-safe: one page is written by one thread.
 */
public final class PrometheusText {
    /** The media type scrapers ask for and get. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    /** What a family's samples measure, in the format's words. */
    public enum Type {
        COUNTER("counter"),
        GAUGE("gauge"),
        /** Samples named {@code _bucket} (cumulative, by {@code le}), {@code _sum} and {@code _count}. */
        HISTOGRAM("histogram");

        private final String text;

        Type(String text) {
            this.text = text;
        }
    }

    private final StringBuilder out = new StringBuilder(4096);
    private String family;

    /** Starts a family; the samples that follow belong to it. */
    public PrometheusText family(String name, Type type, String help) {
        family = name;
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type.text).append('\n');
        return this;
    }

    /** A sample of the current family; {@code labels} alternate names and values. */
    public PrometheusText sample(long value, String... labels) {
        return sample("", value, labels);
    }

    /** A sample named the family's name plus {@code suffix} ({@code _bucket}, {@code _count} of a histogram). */
    public PrometheusText sample(String suffix, long value, String... labels) {
        startSample(suffix, labels);
        out.append(value).append('\n');
        return this;
    }

    /** A sample with a fractional value, as a histogram's {@code _sum} in seconds. */
    public PrometheusText sample(String suffix, double value, String... labels) {
        startSample(suffix, labels);
        out.append(value).append('\n');
        return this;
    }

    private void startSample(String suffix, String... labels) {
        if (family == null) {
            throw new IllegalStateException("a sample needs a family first");
        }
        if (labels.length % 2 != 0) {
            throw new IllegalArgumentException("labels come in name, value pairs");
        }
        out.append(family).append(suffix);
        for (int i = 0; i < labels.length; i += 2) {
            out.append(i == 0 ? '{' : ',').append(labels[i]).append("=\"");
            escape(labels[i + 1]);
            out.append('"');
        }
        if (labels.length > 0) {
            out.append('}');
        }
        out.append(' ');
    }

    private void escape(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '"' -> out.append("\\\"");
                case '\n' -> out.append("\\n");
                default -> out.append(c);
            }
        }
    }

    @Override
    public String toString() {
        return out.toString();
    }
}

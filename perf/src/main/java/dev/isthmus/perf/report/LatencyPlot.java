package dev.isthmus.perf.report;

import dev.isthmus.perf.load.PercentilePoint;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A latency-by-percentile chart in the style of HdrHistogram's plotter: the x axis is log10(1/(1-p)), so p90, p99,
 * p99.9 and p99.99 are evenly spaced and the tail is as visible as the median. (The transform is done here on a
 * linear axis because XChart's own log axis ignores a custom tick-label formatter.)
 */
public final class LatencyPlot {

    private static final int WIDTH = 1000;
    private static final int HEIGHT = 560;
    private static final double HUNDRED = 100;
    // p100 is the maximum; on a 1/(1-p) axis it sits at infinity, so it is drawn at p99.999's position or beyond.
    private static final double LAST_DRAWN_PERCENTILE = 99.999;
    private static final double MICROS_PER_MILLI = 1_000;
    private static final int TICK_SPACING_PIXELS = 150;
    // The histogram's 0 µs (a response within the first microsecond) cannot sit on a log axis; it is drawn at 1 µs.
    private static final long SMALLEST_MICROS = 1;

    private LatencyPlot() {
    }

    /** Draws one line per series name (a target) and saves a PNG at {@code file} (".png" is added by XChart). */
    public static Path write(String title, Map<String, List<PercentilePoint>> series, Path file) throws IOException {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle("percentile").yAxisTitle("latency (ms)").build();
        chart.getStyler().setXAxisMin(0.0);
        chart.getStyler().setXAxisMax(axis(LAST_DRAWN_PERCENTILE));
        chart.getStyler().setXAxisTickMarkSpacingHint(TICK_SPACING_PIXELS);
        // Log latency: a 30 µs median and a 30 ms tail on one readable chart.
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setxAxisTickLabelsFormattingFunction(LatencyPlot::percentileLabel);
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNW);
        for (Map.Entry<String, List<PercentilePoint>> entry : series.entrySet()) {
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (PercentilePoint point : entry.getValue()) {
                double percentile = Math.min(point.percentile(), LAST_DRAWN_PERCENTILE);
                if (!x.isEmpty() && axis(percentile) <= x.getLast()) {
                    continue;
                }
                x.add(axis(percentile));
                y.add(Math.max(SMALLEST_MICROS, point.micros()) / MICROS_PER_MILLI);
            }
            if (!x.isEmpty()) {
                chart.addSeries(entry.getKey(), x, y).setMarker(SeriesMarkers.NONE);
            }
        }
        String name = file.toString().endsWith(".png") ? file.toString().substring(0, file.toString().length() - 4)
                : file.toString();
        BitmapEncoder.saveBitmap(chart, name, BitmapEncoder.BitmapFormat.PNG);
        return Path.of(name + ".png");
    }

    private static double axis(double percentile) {
        return Math.log10(HUNDRED / (HUNDRED - percentile));
    }

    private static String percentileLabel(double axis) {
        double percentile = HUNDRED - HUNDRED / Math.pow(10, axis);
        return String.format(Locale.ROOT, "%s%%", trim(percentile));
    }

    private static String trim(double value) {
        String text = String.format(Locale.ROOT, "%.4f", value);
        return text.replaceAll("0+$", "").replaceAll("\\.$", "");
    }
}

package org.cpylock.bench;

import org.cpylock.CPython;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/** Draws lockbench's acquisitions against thread counts, one line per row, as a PNG image. */
final class LockBenchChart {
    private LockBenchChart() {
    }

    /** FILE.png for the platform-thread rows, FILE-virtual.png for the virtual-thread rows (logarithmic axis). */
    static void write(LockBench.Options options, Map<LockBench.Row, Map<Integer, LockBench.Result>> results)
            throws IOException {
        System.setProperty("java.awt.headless", "true");
        Path file = options.chart().toAbsolutePath();
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        String name = file.toString();
        String base = name.toLowerCase(Locale.ROOT).endsWith(".png") ? name.substring(0, name.length() - 4) : name;
        save(chart(options, results, false), base);
        save(chart(options, results, true), base + "-virtual");
    }

    private static XYChart chart(LockBench.Options options, Map<LockBench.Row, Map<Integer, LockBench.Result>> results,
                                 boolean virtual) {
        XYChart chart = new XYChartBuilder()
                .width(900)
                .height(560)
                .title("lockbench: CPython " + CPython.version() + ", " + CPython.flavour().id()
                        + " flavour, critical section length " + options.criticalSectionLength())
                .xAxisTitle(virtual ? "virtual threads" : "threads")
                .yAxisTitle("acquisitions (kHz)")
                .build();
        chart.getStyler().setXAxisDecimalPattern("#");
        chart.getStyler().setYAxisDecimalPattern("#,###");
        chart.getStyler().setXAxisLogarithmic(virtual);
        results.forEach((row, byThreads) -> {
            if (row.virtual == virtual) {
                double[] threads = byThreads.keySet().stream().mapToDouble(Integer::doubleValue).toArray();
                double[] kHz = byThreads.values().stream().mapToDouble(LockBench.Result::kiloHertz).toArray();
                chart.addSeries(row.label, threads, kHz).setMarker(SeriesMarkers.CIRCLE);
            }
        });
        return chart;
    }

    private static void save(XYChart chart, String base) throws IOException {
        if (!chart.getSeriesMap().isEmpty()) {
            BitmapEncoder.saveBitmap(chart, base, BitmapEncoder.BitmapFormat.PNG);
        }
    }
}

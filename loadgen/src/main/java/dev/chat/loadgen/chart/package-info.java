/**
 * Charts of a run for people, each one self-contained HTML page with inline SVG (no scripts, no network), written
 * beside the run's text report: a drill's or chaos run's {@link dev.chat.loadgen.measure.Timeline}
 * ({@link dev.chat.loadgen.chart.ChartPage}), and the benchmark's runs read from its JSON summary
 * ({@link dev.chat.loadgen.chart.BenchChartPage}, {@link dev.chat.loadgen.chart.BenchRunReader}). It reads the
 * measurements only; measuring belongs to {@code dev.chat.loadgen.measure} and {@code dev.chat.loadgen.bench}.
 */
package dev.chat.loadgen.chart;

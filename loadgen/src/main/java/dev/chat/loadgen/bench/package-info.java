/**
 * The benchmark ({@code scripts/bench}): a controller and worker processes driving paired users at a fixed rate
 * ({@link Engine}, {@link WorkerCore}), latency histograms, the traffic second by second ({@link PerSecond}), the
 * servers' CPU and memory read from {@code /proc}, JFR hot spots, {@code --compare}'s alternating A/B runs with
 * ratios, and {@code bench-chart}, the chart of the JSON summaries (drawn by {@code dev.chat.loadgen.chart}). Figures only: it asserts nothing, and no
 * timed test depends on it.
 */
package dev.chat.loadgen.bench;

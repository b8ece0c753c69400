/**
 * The benchmark ({@code scripts/bench}): a controller and worker processes driving paired users at a fixed rate
 * ({@link Engine}, {@link WorkerCore}), latency histograms, the servers' CPU and memory read from {@code /proc},
 * JFR hot spots, and {@code --compare}'s alternating A/B runs with ratios. Figures only: it asserts nothing, and no
 * timed test depends on it.
 */
package dev.chat.loadgen.bench;

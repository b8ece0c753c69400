package dev.chat.loadgen.chart;

import java.util.List;

/**
 * What the benchmark's chart draws of one run ({@code loadgen bench --json}): its ramp steps or its latency by
 * quantile, and its traffic second by second. Numbers are NaN where the run did not measure them.
 *
 * @param label     the run's name in the legend (e.g. "work 2")
 * @param side      for an A/B comparison, the name of the side the run belongs to (e.g. "main (1a2b3c4d)"); null
 *                  for a lone run
 * @param mode      "steady" or "ramp"
 * @param p99Target ramp: the p99 send-to-delivery a step had to stay under, ms
 * @param steps     ramp: the steps in order
 * @param ack       steady: send-to-ack latency by quantile over the measured window
 * @param delivery  steady: send-to-delivery latency by quantile over the measured window
 * @param seconds   the traffic second by second from its start (empty in summaries written before it was recorded)
 * @param windows   the measured windows on the same clock (steady: one; ramp: one per step)
 */
public record BenchRun(String label, String side, String mode, double p99Target, List<Step> steps, List<Quantile> ack,
        List<Quantile> delivery, List<Second> seconds, List<Window> windows) {

    /** One ramp step: the rate offered, what was sent and delivered per second, and send-to-delivery p50/p99 (ms). */
    public record Step(double offered, double sentPerSecond, double deliveredPerSecond, double p50, double p99,
            boolean pass) {
    }

    /** The latency in ms at quantile {@code q} (0.5 the median, 1 the maximum). */
    public record Quantile(double q, double millis) {
    }

    /** Second {@code t} of the traffic: messages first sent and shown in it, and the p50/p99 of those shown (ms). */
    public record Second(int t, long sent, long delivered, double p50, double p99) {
    }

    /** A measured window, from and to in seconds on the per-second clock. */
    public record Window(String name, double from, double to) {
    }

    public boolean ramp() {
        return "ramp".equals(mode);
    }
}

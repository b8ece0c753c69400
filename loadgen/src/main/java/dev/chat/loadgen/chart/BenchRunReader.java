package dev.chat.loadgen.chart;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/** Reads a {@link BenchRun} from the benchmark's JSON summary ({@code loadgen bench --json}). */
public final class BenchRunReader {
    private BenchRunReader() {
    }

    /**
     * The run in {@code summary}; refuses (IllegalArgumentException, saying why) a summary of a mode that has nothing
     * to chart (idle, ready) or with neither a measured window nor a ramp step.
     */
    public static BenchRun read(JsonNode summary, String label, String side) {
        String mode = summary.path("mode").asText("");
        if (!mode.equals("steady") && !mode.equals("ramp")) {
            throw new IllegalArgumentException("a " + (mode.isEmpty() ? "summary without a mode" : mode + " run")
                    + " has no chart: only steady and ramp runs do");
        }
        List<BenchRun.Step> steps = new ArrayList<>();
        for (JsonNode s : summary.path("ramp")) {
            steps.add(new BenchRun.Step(num(s.path("offered")), num(s.path("sentPerSecond")), num(s.path("deliveredPerSecond")),
                    num(s.path("sendToDelivery").path("p50")), num(s.path("sendToDelivery").path("p99")),
                    s.path("pass").asBoolean(false)));
        }
        JsonNode measured = summary.path("measured");
        if (mode.equals("ramp") ? steps.isEmpty() : measured.isMissingNode()) {
            throw new IllegalArgumentException("the " + mode + " run has no " + (mode.equals("ramp") ? "step" : "measured window")
                    + " (did it fail before measuring? see its \"error\")");
        }
        List<BenchRun.Second> seconds = new ArrayList<>();
        for (JsonNode s : summary.path("timeline").path("seconds")) {
            seconds.add(new BenchRun.Second(s.path("t").asInt(), s.path("sent").asLong(), s.path("delivered").asLong(),
                    num(s.path("deliveryP50")), num(s.path("deliveryP99"))));
        }
        List<BenchRun.Window> windows = new ArrayList<>();
        for (JsonNode w : summary.path("timeline").path("windows")) {
            windows.add(new BenchRun.Window(w.path("name").asText(), num(w.path("from")), num(w.path("to"))));
        }
        return new BenchRun(label, side, mode, num(summary.path("p99TargetMillis")), steps,
                curve(measured.path("sendToAck")), curve(measured.path("sendToDelivery")), seconds, windows);
    }

    /** The latency curve; from the percentiles alone in summaries written before the curve was. */
    private static List<BenchRun.Quantile> curve(JsonNode latency) {
        List<BenchRun.Quantile> out = new ArrayList<>();
        if (latency.has("curve")) {
            for (JsonNode p : latency.path("curve")) {
                out.add(new BenchRun.Quantile(p.path(0).asDouble(), p.path(1).asDouble()));
            }
            return out;
        }
        String[] keys = {"p50", "p90", "p99", "p999", "max"};
        double[] qs = {0.5, 0.9, 0.99, 0.999, 1};
        for (int i = 0; i < keys.length; i++) {
            if (latency.path(keys[i]).isNumber()) {
                out.add(new BenchRun.Quantile(qs[i], latency.path(keys[i]).asDouble()));
            }
        }
        return out;
    }

    private static double num(JsonNode n) {
        return n.isNumber() ? n.asDouble() : Double.NaN;
    }
}

package dev.chat.loadgen.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.chat.loadgen.measure.Latency;

class SoakReportTest {
    private static final String HEADER = "sample\tt\tlive\tring\tchat-node-1-heap\tchat-node-1-meta\tchat-node-1-fds\tchat-node-1-threads\tchat-node-1-rss";

    private static List<String> samples(String... rows) {
        List<String> out = new java.util.ArrayList<>(List.of(HEADER));
        out.addAll(List.of(rows));
        return out;
    }

    private static final List<String> STEADY_WINDOWS = List.of("window 1 10.0 500 1.2 9.0 8.0", "window 2 20.0 500 1.3 11.0 8.5",
            "window 3 30.0 500 1.2 10.0 8.1", "window 4 40.0 500 1.1 12.0 8.0");

    private static SoakReport.Verdict verdict(SoakReport r, String series) {
        return r.verdicts().stream().filter(v -> v.series().startsWith(series)).findFirst().orElseThrow();
    }

    @Test
    void flatSeriesPassAndTheWarmupIsLeftOut() {
        // The warm-up sample (t=0) is far below; only first-after-warm-up (t=10) against last (t=40) counts.
        SoakReport r = new SoakReport(samples("1\t0\t100\t100\t2.0\t40\t60\t20\t150", "2\t10\t100\t100\t12.0\t48\t96\t28\t180",
                "3\t20\t100\t100\t12.5\t48\t97\t28\t180", "4\t30\t100\t100\t12.2\t48\t96\t28\t180",
                "5\t40\t100\t100\t13.0\t49\t98\t29\t181"), STEADY_WINDOWS, 10, 10);
        assertTrue(r.pass(), r.verdicts().toString());
        assertEquals(12.0, verdict(r, "chat-node-1 heap").first());
        assertEquals(13.0, verdict(r, "chat-node-1 heap").last());
        assertEquals(12.0, verdict(r, "well-behaved p99").last());
        JsonNode json = r.toJson();
        assertTrue(json.get("pass").asBoolean());
        assertEquals(5, json.get("samples").size());
        assertTrue(json.get("samples").get(0).get("warmup").asBoolean());
        assertEquals(96, json.get("samples").get(1).get("services").get("chat-node-1").get("fds").asInt());
        assertEquals(9.0, json.get("samples").get(1).get("wellBehaved").get("p99Ms").asDouble());
    }

    @Test
    void growthPastItsBoundIsNotFlat() {
        // Descriptors 96 -> 120 (allowed max(10, 9.6) = 10), heap 12 -> 30 (allowed 10), threads 28 -> 40 (allowed 5).
        SoakReport r = new SoakReport(samples("1\t10\t100\t100\t12.0\t48\t96\t28\t180", "2\t20\t100\t100\t20.0\t48\t108\t34\t180",
                "3\t30\t100\t100\t30.0\t48\t120\t40\t180"), STEADY_WINDOWS, 10, 10);
        assertFalse(r.pass());
        assertFalse(verdict(r, "chat-node-1 heap").flat());
        assertFalse(verdict(r, "chat-node-1 file descriptors").flat());
        assertFalse(verdict(r, "chat-node-1 threads").flat());
        assertFalse(r.toJson().get("pass").asBoolean());
    }

    @Test
    void aSlowerOrStalledWellBehavedP99IsNotFlat() {
        List<String> rows = samples("1\t10\t100\t100\t12\t48\t96\t28\t180", "2\t20\t100\t100\t12\t48\t96\t28\t180",
                "3\t30\t100\t100\t12\t48\t96\t28\t180");
        SoakReport slower = new SoakReport(rows, List.of("window 1 10.0 500 1.2 9.0 8.0", "window 2 20.0 500 1.3 20.0 8.5",
                "window 3 30.0 500 1.2 600.0 8.1"), 5, 10);
        assertFalse(verdict(slower, "well-behaved p99").flat()); // allowed max(27, 509)
        SoakReport stalled = new SoakReport(rows, List.of("window 1 10.0 500 1.2 9.0 8.0", "window 2 20.0 0 NaN NaN NaN",
                "window 3 30.0 500 1.2 10.0 8.1"), 5, 10);
        assertFalse(verdict(stalled, "well-behaved p99").flat());
        assertTrue(verdict(stalled, "well-behaved p99").note().contains("delivered nothing"));
        SoakReport within = new SoakReport(rows, List.of("window 1 10.0 500 1.2 9.0 8.0", "window 2 20.0 500 1.3 20.0 8.5",
                "window 3 30.0 500 1.2 400.0 8.1"), 5, 10);
        assertTrue(verdict(within, "well-behaved p99").flat());
    }

    @Test
    void tooFewSamplesAfterTheWarmupFail() {
        SoakReport r = new SoakReport(samples("1\t0\t100\t100\t12\t48\t96\t28\t180"), STEADY_WINDOWS, 10, 10);
        assertFalse(r.pass());
    }

    @Test
    void latencyWindowsTakeTheValuesSinceAnEarlierCount() {
        Latency l = new Latency();
        for (int i = 1; i <= 100; i++) {
            l.record(1_000_000L * i); // 1..100 ms
        }
        int mark = l.count();
        assertTrue(Double.isNaN(l.percentileMillisSince(mark, 0.99)));
        for (int i = 0; i < 10; i++) {
            l.record(500_000_000L); // 500 ms each
        }
        assertEquals(500.0, l.percentileMillisSince(mark, 0.50));
        assertEquals(99.0, l.percentileMillisSince(0, 0.90));
    }
}

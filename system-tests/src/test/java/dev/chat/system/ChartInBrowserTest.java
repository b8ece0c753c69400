package dev.chat.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

import dev.chat.loadgen.chart.BenchChartPage;
import dev.chat.loadgen.chart.BenchRun;
import dev.chat.loadgen.chart.ChartPage;
import dev.chat.loadgen.measure.Timeline;

/**
 * The run chart that scripts/chaos and scripts/drill write (chart.html beside report.txt) renders in a real
 * browser: Debian's Chromium opens the file as an operator would, with no network, and every part of the chart
 * is laid out with a size: the SVG, the three panels' lines, one band per fault and the VIP owner strip. The same
 * for the chart scripts/bench writes beside its report (an A/B ramp here: both sides, every step, every window).
 */
@ResourceLock(Lanes.SHARED_STACK)
class ChartInBrowserTest {
    /** A run as loadgen records it: 60 s, 40 clients, a node stop that drops 8 of them, a VIP takeover. */
    private static Timeline run() {
        List<Timeline.Second> seconds = new ArrayList<>();
        for (int s = 0; s < 60; s++) {
            boolean down = s >= 20 && s < 24;
            seconds.add(new Timeline.Second(s, down ? 32 : 40, down ? 9 : 13 + s % 2, down ? 7 : 13,
                    s == 21 ? Double.NaN : down ? 2_400 : 18 + s % 5));
        }
        return new Timeline("chaos run chart-in-browser", seconds,
                List.of(new Timeline.Band("node-stop", 20.1, 30.2), new Timeline.Band("node-kill", 42, 43.5)),
                List.of(new Timeline.Owner(0, 21, "proxy-a"), new Timeline.Owner(21, 22.4, null),
                        new Timeline.Owner(22.4, 60, "proxy-b")));
    }

    @Test
    void theChartRendersInChromium() throws Exception {
        Path dir = Files.createDirectories(LocalStack.projectRoot().resolve("system-tests/target/charts"));
        Path file = dir.resolve("chart.html");
        ChartPage.write(file, run());
        Map<String, Object> seen = renderInChromium(file, "chart.png", """
                return {
                  svg: size(document.querySelector('svg#chart')),
                  panels: all('g.panel').filter(size).length,
                  bands: all('rect.fault').length,
                  bandsSized: all('rect.fault').filter(size).length,
                  bandNames: all('g.fault').map(g => g.getAttribute('data-name')).join(','),
                  lines: all('path.series').length,
                  linesDrawn: all('path.series').filter(p => p.getTotalLength() > 0 && size(p)).length,
                  owners: all('rect.owner').filter(size).length,
                  ticks: all('text.tick').filter(size).length,
                  title: document.title
                };""");
        assertEquals(Boolean.TRUE, seen.get("svg"), "the SVG has a size: " + seen);
        assertEquals(4L, seen.get("panels"), "three panels and the VIP strip: " + seen);
        assertEquals(2L, seen.get("bands"), "one band per fault: " + seen);
        assertEquals(2L, seen.get("bandsSized"), "every band has a size: " + seen);
        assertEquals("node-stop,node-kill", seen.get("bandNames"));
        assertEquals(4L, seen.get("lines"), "connected, acked, shown, p99: " + seen);
        assertEquals(4L, seen.get("linesDrawn"), "every line drawn with a length: " + seen);
        assertEquals(3L, seen.get("owners"), "proxy-a, nobody, proxy-b: " + seen);
        assertTrue(((Number) seen.get("ticks")).intValue() > 6, "axis labels laid out: " + seen);
        assertEquals("chaos run chart-in-browser", seen.get("title"));
    }

    /** A ramp of 4 steps, 10 s each, as loadgen's bench records it; {@code slower} scales its latencies. */
    private static BenchRun ramp(String label, String side, double slower) {
        List<BenchRun.Step> steps = new ArrayList<>();
        List<BenchRun.Second> seconds = new ArrayList<>();
        List<BenchRun.Window> windows = new ArrayList<>();
        for (int k = 1; k <= 4; k++) {
            steps.add(new BenchRun.Step(1000 * k, 1000 * k, k < 4 ? 1000 * k : 3100, 5 * k * slower, 20 * k * k * slower, k < 3));
            windows.add(new BenchRun.Window(1000 * k + "/s", 10 * k - 8, 10 * k));
        }
        for (int t = 0; t < 40; t++) {
            seconds.add(new BenchRun.Second(t, 1000L * (t / 10 + 1), 1000L * (t / 10 + 1), 5 + t % 3, 20 + t * slower));
        }
        return new BenchRun(label, side, "ramp", 100, steps, List.of(), List.of(), seconds, windows);
    }

    @Test
    void theBenchmarksChartRendersInChromium() throws Exception {
        Path dir = Files.createDirectories(LocalStack.projectRoot().resolve("system-tests/target/charts"));
        Path file = dir.resolve("bench-chart.html");
        BenchChartPage.write(file, "bench ramp in a browser", List.of(ramp("main 1", "main", 1), ramp("work 1", "work", 1.5)));
        Map<String, Object> seen = renderInChromium(file, "bench-chart.png", """
                return {
                  svg: size(document.querySelector('svg#chart')),
                  panels: all('g.panel').filter(size).map(g => g.id).join(','),
                  steps: all('circle.step').filter(size).length,
                  windows: all('rect.window').filter(size).length,
                  lines: all('path.series').length,
                  linesDrawn: all('path.series').filter(p => p.getTotalLength() > 0 && size(p)).length,
                  target: all('line.target').length,
                  ticks: all('text.tick').filter(size).length,
                  title: document.title
                };""");
        assertEquals(Boolean.TRUE, seen.get("svg"), "the SVG has a size: " + seen);
        assertEquals("throughput,latency,rate,p99", seen.get("panels"), "four panels laid out: " + seen);
        assertEquals(16L, seen.get("steps"), "2 runs x 4 steps x 2 panels: " + seen);
        assertEquals(4L, seen.get("windows"), "one shaded window per step: " + seen);
        // Per run: delivered and sent, p99 and p50 per step; delivered and sent, p99 and p50 per second.
        assertEquals(16L, seen.get("lines"), seen.toString());
        assertEquals(16L, seen.get("linesDrawn"), "every line drawn with a length: " + seen);
        assertEquals(1L, seen.get("target"), seen.toString());
        assertTrue(((Number) seen.get("ticks")).intValue() > 20, "axis labels laid out: " + seen);
        assertEquals("bench ramp in a browser", seen.get("title"));
    }

    /**
     * Opens {@code file} in Chromium as an operator would (a file URL, no network), waits for the chart's SVG, saves a
     * screenshot as {@code png} beside the file and answers what {@code measure} returns: JavaScript run in the page,
     * with {@code size(e)} (laid out with a width and a height) and {@code all(selector)} (an array) at hand.
     */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> renderInChromium(Path file, String png, String measure) throws Exception {
        try (WebBrowser b = WebBrowser.open(png.replace(".png", ""), WebBrowser.DESKTOP)) {
            b.get(file.toUri().toString());
            b.waitFor("the chart's SVG", () -> b.js("return document.querySelector('svg#chart') !== null;"));
            Map<String, Object> seen = (Map<String, Object>) b.js("""
                    const size = e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
                    const all = s => Array.from(document.querySelectorAll(s));
                    """ + measure);
            b.screenshot(file.resolveSibling(png));
            return seen;
        }
    }
}

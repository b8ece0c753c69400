package dev.chat.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.chat.loadgen.chart.ChartPage;
import dev.chat.loadgen.measure.Timeline;

/**
 * The run chart that scripts/chaos and scripts/drill write (chart.html beside report.txt) renders in a real
 * browser: Debian's Chromium opens the file as an operator would, with no network, and every part of the chart
 * is laid out with a size: the SVG, the three panels' lines, one band per fault and the VIP owner strip.
 */
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
        try (WebBrowser b = WebBrowser.open("chart", WebBrowser.DESKTOP)) {
            b.get(file.toUri().toString());
            b.waitFor("the chart's SVG", () -> b.js("return document.querySelector('svg#chart') !== null;"));
            @SuppressWarnings("unchecked")
            Map<String, Object> seen = (Map<String, Object>) b.js("""
                    const size = e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
                    const all = s => Array.from(document.querySelectorAll(s));
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
            b.screenshot(dir.resolve("chart.png"));
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
    }
}

package dev.chat.loadgen.chart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import com.fasterxml.jackson.databind.ObjectMapper;

/** The benchmark's chart: its data, read back from the page as a browser would lay it out. */
class BenchChartPageTest {
    private static BenchRun ramp(String label, String side, double slowdown) {
        List<BenchRun.Step> steps = new ArrayList<>();
        for (int k = 1; k <= 5; k++) {
            double offered = 500 * k;
            double delivered = k < 5 ? offered : 2100;
            double p99 = 10 * k * k * slowdown;
            steps.add(new BenchRun.Step(offered, offered, delivered, p99 / 4, p99, k < 4));
        }
        List<BenchRun.Second> seconds = new ArrayList<>();
        for (int t = 0; t < 50; t++) {
            long rate = 500L * (t / 10 + 1);
            seconds.add(new BenchRun.Second(t, rate, t == 12 ? 0 : rate, t == 12 ? Double.NaN : 3, t == 12 ? Double.NaN : 9 + t));
        }
        List<BenchRun.Window> windows = new ArrayList<>();
        for (int k = 0; k < 5; k++) {
            windows.add(new BenchRun.Window((500 * (k + 1)) + "/s", 10 * k + 2, 10 * k + 9.5));
        }
        return new BenchRun(label, side, "ramp", 100, steps, List.of(), List.of(), seconds, windows);
    }

    private static BenchRun steady(String label, String side) {
        List<BenchRun.Quantile> ack = List.of(new BenchRun.Quantile(0.5, 4), new BenchRun.Quantile(0.9, 12),
                new BenchRun.Quantile(0.99, 34), new BenchRun.Quantile(0.999, 53), new BenchRun.Quantile(1, 89));
        List<BenchRun.Quantile> delivery = List.of(new BenchRun.Quantile(0.5, 5), new BenchRun.Quantile(0.9, 15),
                new BenchRun.Quantile(0.99, 44), new BenchRun.Quantile(0.999, 64), new BenchRun.Quantile(1, 102));
        List<BenchRun.Second> seconds = new ArrayList<>();
        for (int t = 0; t < 60; t++) {
            seconds.add(new BenchRun.Second(t, 1000, 1000, 5, 40));
        }
        return new BenchRun(label, side, "steady", Double.NaN, List.of(), ack, delivery, seconds,
                List.of(new BenchRun.Window("measured", 30.0, 60.0)));
    }

    private static Document parse(String html) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(false);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(html.getBytes(StandardCharsets.UTF_8)));
    }

    private static List<Element> all(Document d, String tag, String cls) {
        List<Element> out = new ArrayList<>();
        NodeList l = d.getElementsByTagName(tag);
        for (int i = 0; i < l.getLength(); i++) {
            Element e = (Element) l.item(i);
            if (cls == null || e.getAttribute("class").equals(cls)) {
                out.add(e);
            }
        }
        return out;
    }

    private static Element panel(Document d, String id) {
        return all(d, "g", "panel").stream().filter(e -> e.getAttribute("id").equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("no panel " + id));
    }

    private static List<Element> paths(Element panel, String run, String series) {
        List<Element> out = new ArrayList<>();
        NodeList l = panel.getElementsByTagName("path");
        for (int i = 0; i < l.getLength(); i++) {
            Element e = (Element) l.item(i);
            if (e.getAttribute("data-run").equals(run) && e.getAttribute("data-series").equals(series)) {
                out.add(e);
            }
        }
        return out;
    }

    /** The points of a path, {x, y} in pixels. */
    private static List<double[]> points(Element path) {
        String[] parts = path.getAttribute("d").replaceAll("[ML]", " ").trim().split("\\s+");
        List<double[]> p = new ArrayList<>();
        for (int k = 0; k < parts.length; k += 2) {
            p.add(new double[] {Double.parseDouble(parts[k]), Double.parseDouble(parts[k + 1])});
        }
        return p;
    }

    private static double[] frame(Element panel) {
        Element f = (Element) panel.getElementsByTagName("rect").item(0);
        double x = Double.parseDouble(f.getAttribute("x"));
        double y = Double.parseDouble(f.getAttribute("y"));
        return new double[] {x, y, x + Double.parseDouble(f.getAttribute("width")), y + Double.parseDouble(f.getAttribute("height"))};
    }

    @Test
    void isWellFormedSelfContainedAndEscapesTheTitle() throws Exception {
        String html = BenchChartPage.html("bench <ramp> & co", List.of(ramp("run", null, 1)));
        Document d = parse(html);
        assertEquals("bench <ramp> & co", d.getElementsByTagName("title").item(0).getTextContent());
        assertEquals(1, d.getElementsByTagName("svg").getLength());
        assertEquals(0, d.getElementsByTagName("script").getLength(), "no script");
        assertFalse(html.replace("http://www.w3.org/", "").contains("http://"), "nothing loaded from anywhere");
        assertFalse(html.contains("https://"));
    }

    @Test
    void aRampDrawsDeliveredAgainstOfferedAndEachStepsLatencyAgainstTheTarget() throws Exception {
        Document d = parse(BenchChartPage.html("ramp", List.of(ramp("run", null, 1))));
        // One marker per step in each of the two step panels, at the step's figures; filled only when it passed.
        Element rate = panel(d, "throughput");
        List<Element> steps = all(d, "circle", "step");
        assertEquals(10, steps.size());
        Element fifth = steps.get(4);
        assertEquals("2500", fifth.getAttribute("data-offered"));
        assertEquals("2100", fifth.getAttribute("data-delivered"));
        assertEquals("false", fifth.getAttribute("data-pass"));
        assertEquals("#ffffff", fifth.getAttribute("fill"), "a missed step is hollow");
        assertNotEquals("#ffffff", steps.get(0).getAttribute("fill"));
        // Both axes of the throughput panel run from 0 to 3000 (a round number above 2500 offered): the delivered
        // line sits on the diagonal until the last step, which falls below it.
        assertEquals("3000", rate.getAttribute("data-axis-max"));
        double[] f = frame(rate);
        List<double[]> delivered = points(paths(rate, "run", "delivered").get(0));
        assertEquals(5, delivered.size());
        for (int k = 0; k < 4; k++) {
            double[] p = delivered.get(k);
            double offered = 500 * (k + 1);
            assertEquals(f[0] + (f[2] - f[0]) * offered / 3000, p[0], 0.06, "x of step " + k);
            assertEquals(f[3] - (f[3] - f[1]) * offered / 3000, p[1], 0.06, "y of step " + k);
        }
        assertTrue(delivered.get(4)[1] > f[3] - (f[3] - f[1]) * 2500 / 3000.0, "the saturated step is below the diagonal");
        assertEquals(600.0, BenchChartPage.roomy(500));
        assertEquals(5000.0, BenchChartPage.roomy(4000));
        assertEquals(1.0, BenchChartPage.roomy(0));
        // The latency panel: p99 10, 40, 90, 160, 250 ms against the 100 ms target, on an axis to 500.
        Element latency = panel(d, "latency");
        assertEquals("250", latency.getAttribute("data-max"));
        assertEquals("500", latency.getAttribute("data-axis-max"));
        Element target = all(d, "line", "target").get(0);
        assertEquals("100", target.getAttribute("data-ms"));
        double[] lf = frame(latency);
        assertEquals(lf[3] - (lf[3] - lf[1]) * 100 / 500, Double.parseDouble(target.getAttribute("y1")), 0.06);
        List<double[]> p99 = points(paths(latency, "run", "p99").get(0));
        assertTrue(p99.get(2)[1] > Double.parseDouble(target.getAttribute("y1")), "90 ms is under the target line");
        assertTrue(p99.get(3)[1] < Double.parseDouble(target.getAttribute("y1")), "160 ms is over it");
    }

    @Test
    void secondBySecondPanelsShadeEachMeasuredWindowAndBreakWhereNothingWasShown() throws Exception {
        Document d = parse(BenchChartPage.html("ramp", List.of(ramp("run", null, 1))));
        List<Element> windows = all(d, "rect", "window");
        assertEquals(5, windows.size(), "one band per step");
        assertEquals("500/s", ((Element) windows.get(0).getParentNode()).getAttribute("data-name"));
        Element rate = panel(d, "rate");
        double[] f = frame(rate);
        // The first window, from 2 s to 9.5 s on a 50-s axis.
        assertEquals(f[0] + (f[2] - f[0]) * 2 / 50, Double.parseDouble(windows.get(0).getAttribute("x")), 0.06);
        assertEquals((f[2] - f[0]) * 7.5 / 50, Double.parseDouble(windows.get(0).getAttribute("width")), 0.11);
        assertEquals(50, points(paths(rate, "run", "sent").get(0)).size(), "a point per second");
        // Second 12 showed nothing: the p99 line has two runs of points, 12 and 37 long.
        Element p99 = paths(panel(d, "p99"), "run", "p99").get(0);
        assertEquals(2, p99.getAttribute("d").split("M").length - 1);
        assertEquals(49, points(p99).size());
    }

    @Test
    void aSteadyRunDrawsItsLatencyByQuantileOnLogScales() throws Exception {
        Document d = parse(BenchChartPage.html("steady", List.of(steady("run", null))));
        assertEquals(0, all(d, "circle", "step").size());
        Element curve = panel(d, "curve");
        assertEquals("true", curve.getAttribute("data-log"));
        assertEquals("1000", curve.getAttribute("data-axis-max"), "4 to 102 ms: decades 1 to 1000");
        double[] f = frame(curve);
        List<double[]> delivery = points(paths(curve, "run", "delivery").get(0));
        assertEquals(5, delivery.size());
        // Equal steps between 50%, 90%, 99%, 99.9% (each a tenth of the rest), the maximum at the right edge.
        double step = delivery.get(2)[0] - delivery.get(1)[0];
        assertEquals(step, delivery.get(3)[0] - delivery.get(2)[0], 0.11);
        assertEquals(f[2], delivery.get(4)[0], 0.06);
        // 10 ms would sit one decade (a third of the panel) above 1 ms; 44 ms is log10(44) decades up.
        assertEquals(f[3] - (f[3] - f[1]) * Math.log10(44) / 3, delivery.get(2)[1], 0.06);
        assertEquals(1, paths(curve, "run", "ack").size());
        assertEquals(1, all(d, "rect", "window").size());
        assertEquals(60, points(paths(panel(d, "rate"), "run", "delivered").get(0)).size());
    }

    @Test
    void anABComparisonDrawsEveryRunOfBothSidesToTheSameScalesOneColourPerSide() throws Exception {
        List<BenchRun> runs = List.of(ramp("main 1", "main", 1), ramp("work 1", "work", 2), ramp("work 2", "work", 2),
                ramp("main 2", "main", 1));
        Document d = parse(BenchChartPage.html("A/B", runs));
        Element latency = panel(d, "latency");
        assertEquals("500", latency.getAttribute("data-max"), "the slower side's 500 ms sets the scale");
        assertEquals("500", latency.getAttribute("data-axis-max"));
        String main = paths(latency, "main 1", "p99").get(0).getAttribute("stroke");
        String work = paths(latency, "work 1", "p99").get(0).getAttribute("stroke");
        assertNotEquals(main, work);
        assertEquals(main, paths(latency, "main 2", "p99").get(0).getAttribute("stroke"));
        assertEquals(work, paths(latency, "work 2", "p99").get(0).getAttribute("stroke"));
        assertEquals(40, all(d, "circle", "step").size(), "4 runs x 5 steps x 2 panels");
        String legend = all(d, "text", "legend").get(0).getTextContent();
        assertTrue(legend.contains("main") && legend.contains("work"), legend);
        // The same p99 at the same step lies at the same height for every run of a side, higher for the slower one.
        double y1 = points(paths(latency, "main 1", "p99").get(0)).get(1)[1];
        double y2 = points(paths(latency, "work 1", "p99").get(0)).get(1)[1];
        assertTrue(y2 < y1, "work's 80 ms above main's 40 ms");
    }

    @Test
    void refusesNothingToDrawAndModesThatShareNoAxis() {
        assertThrows(IllegalArgumentException.class, () -> BenchChartPage.html("x", List.of()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BenchChartPage.html("x", List.of(ramp("a", null, 1), steady("b", null))));
        assertTrue(e.getMessage().contains("different modes"), e.getMessage());
    }

    @Test
    void readsTheBenchSummaryAndSummariesWrittenBeforeThePerSecondRecord() throws Exception {
        ObjectMapper json = new ObjectMapper();
        BenchRun r = BenchRunReader.read(json.readTree("""
                {"mode":"ramp","p99TargetMillis":100,
                 "ramp":[{"offered":1000,"sentPerSecond":999.5,"deliveredPerSecond":998,"pass":true,
                          "sendToDelivery":{"n":15000,"p50":3.1,"p99":42.5}},
                         {"offered":2000,"sentPerSecond":1990,"deliveredPerSecond":1200,"pass":false,
                          "sendToDelivery":{"n":0}}],
                 "timeline":{"seconds":[{"t":0,"sent":990,"delivered":980,"deliveryP50":3,"deliveryP99":40},
                                        {"t":1,"sent":1000,"delivered":0}],
                             "windows":[{"name":"1000/s","from":5.01,"to":20.02}]}}"""), "run", null);
        assertTrue(r.ramp());
        assertEquals(100, r.p99Target());
        assertEquals(2, r.steps().size());
        assertEquals(42.5, r.steps().get(0).p99());
        assertTrue(Double.isNaN(r.steps().get(1).p99()), "no samples: NaN, not 0");
        assertEquals(2, r.seconds().size());
        assertTrue(Double.isNaN(r.seconds().get(1).p99()));
        assertEquals(new BenchRun.Window("1000/s", 5.01, 20.02), r.windows().get(0));

        // A steady summary from before the curve and the per-second record: the percentiles make the curve.
        BenchRun old = BenchRunReader.read(json.readTree("""
                {"mode":"steady","measured":{"sendToAck":{"n":3,"p50":4.0,"p90":12.2,"p99":34.0,"p999":53.5,"max":89.5},
                 "sendToDelivery":{"n":3,"p50":5.2,"p90":15.8,"p99":44.8,"p999":64.8,"max":102.3}}}"""), "old", "main");
        assertEquals(List.of(0.5, 0.9, 0.99, 0.999, 1.0), old.delivery().stream().map(BenchRun.Quantile::q).toList());
        assertEquals(102.3, old.delivery().get(4).millis());
        assertTrue(old.seconds().isEmpty());
        String html = BenchChartPage.html("old", List.of(old));
        assertTrue(html.contains("no per-second record"), "the page says what it lacks");
        assertFalse(html.contains("id=\"rate\""));

        IllegalArgumentException idle = assertThrows(IllegalArgumentException.class,
                () -> BenchRunReader.read(json.readTree("{\"mode\":\"idle\"}"), "x", null));
        assertTrue(idle.getMessage().contains("only steady and ramp"), idle.getMessage());
        IllegalArgumentException failed = assertThrows(IllegalArgumentException.class,
                () -> BenchRunReader.read(json.readTree("{\"mode\":\"steady\",\"error\":\"x\"}"), "x", null));
        assertTrue(failed.getMessage().contains("no measured window"), failed.getMessage());
    }
}

package dev.chat.loadgen.chart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

import dev.chat.loadgen.measure.Timeline;

class ChartPageTest {
    private static Timeline sample() {
        List<Timeline.Second> seconds = new ArrayList<>();
        for (int s = 0; s < 40; s++) {
            boolean down = s >= 10 && s < 14;
            seconds.add(new Timeline.Second(s, down ? 37 : 50, down ? 0 : 48 + s % 3, down ? 0 : 47,
                    down ? Double.NaN : 12.5 + (s == 15 ? 2_340 : 0)));
        }
        return new Timeline("chaos <run> & co", seconds,
                List.of(new Timeline.Band("node-stop", 10.2, 13.9), new Timeline.Band("redis-restart", 25, 27.5)),
                List.of(new Timeline.Owner(0, 12, "proxy-a"), new Timeline.Owner(12, 12.8, null),
                        new Timeline.Owner(12.8, 40, "proxy-b")));
    }

    private static Document parse(String html) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(false);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(html.getBytes(StandardCharsets.UTF_8)));
    }

    private static List<Element> byClass(Document d, String tag, String cls) {
        List<Element> out = new ArrayList<>();
        NodeList l = d.getElementsByTagName(tag);
        for (int i = 0; i < l.getLength(); i++) {
            Element e = (Element) l.item(i);
            if (e.getAttribute("class").equals(cls)) {
                out.add(e);
            }
        }
        return out;
    }

    private static Element panel(Document d, String id) {
        return byClass(d, "g", "panel").stream().filter(e -> e.getAttribute("id").equals(id)).findFirst().orElseThrow();
    }

    @Test
    void isWellFormedSelfContainedAndEscapesTheTitle() throws Exception {
        String html = ChartPage.html(sample());
        Document d = parse(html);
        assertEquals("html", d.getDocumentElement().getTagName());
        assertEquals("chaos <run> & co", d.getElementsByTagName("title").item(0).getTextContent());
        assertEquals(1, d.getElementsByTagName("svg").getLength());
        assertEquals(0, d.getElementsByTagName("script").getLength(), "no script");
        assertFalse(html.contains("http://") && html.replace("http://www.w3.org/", "").contains("http://"),
                "nothing loaded from anywhere (only the XML namespaces name a URL)");
        assertFalse(html.contains("https://"));
    }

    @Test
    void drawsOneBandPerFault() throws Exception {
        Document d = parse(ChartPage.html(sample()));
        List<Element> bands = byClass(d, "rect", "fault");
        assertEquals(2, bands.size());
        // The first band starts and ends where its seconds fall on the time axis.
        Element first = bands.get(0);
        double x = Double.parseDouble(first.getAttribute("x"));
        double w = Double.parseDouble(first.getAttribute("width"));
        assertEquals(ChartPage.x(10.2, 40), x, 0.06);
        assertEquals(ChartPage.x(13.9, 40) - ChartPage.x(10.2, 40), w, 0.11);
    }

    @Test
    void scalesEachAxisToItsData() throws Exception {
        Document d = parse(ChartPage.html(sample()));
        assertEquals("50", panel(d, "connected").getAttribute("data-max"));
        assertEquals("50", panel(d, "connected").getAttribute("data-axis-max"));
        assertEquals("50", panel(d, "rate").getAttribute("data-max"));
        assertEquals("2352.5", panel(d, "p99").getAttribute("data-max"));
        assertEquals("5000", panel(d, "p99").getAttribute("data-axis-max"));
        // Every point lies inside its panel's frame, and the highest point of a panel reaches at least 40% of it.
        for (String id : List.of("connected", "rate", "p99")) {
            Element p = panel(d, id);
            Element frame = (Element) p.getElementsByTagName("rect").item(0);
            double top = Double.parseDouble(frame.getAttribute("y"));
            double bottom = top + Double.parseDouble(frame.getAttribute("height"));
            double left = Double.parseDouble(frame.getAttribute("x"));
            double right = left + Double.parseDouble(frame.getAttribute("width"));
            double highest = bottom;
            NodeList paths = p.getElementsByTagName("path");
            assertTrue(paths.getLength() > 0, id + " has a line");
            for (int i = 0; i < paths.getLength(); i++) {
                String[] parts = ((Element) paths.item(i)).getAttribute("d").replaceAll("[ML]", " ").trim().split("\\s+");
                for (int k = 0; k < parts.length; k += 2) {
                    double px = Double.parseDouble(parts[k]);
                    double py = Double.parseDouble(parts[k + 1]);
                    assertTrue(px >= left && px <= right, id + ": x " + px + " in the frame");
                    assertTrue(py >= top && py <= bottom, id + ": y " + py + " in the frame");
                    highest = Math.min(highest, py);
                }
            }
            assertTrue(bottom - highest >= 0.4 * (bottom - top), id + ": the largest value fills the panel");
        }
        // The p99 line breaks where nothing was shown: two runs of points.
        Element p99 = (Element) panel(d, "p99").getElementsByTagName("path").item(0);
        assertEquals(2, p99.getAttribute("d").split("M").length - 1);
    }

    @Test
    void drawsWhoAnsweredOnTheVip() throws Exception {
        Document d = parse(ChartPage.html(sample()));
        List<String> owners = byClass(d, "rect", "owner").stream().map(e -> e.getAttribute("data-proxy")).toList();
        assertEquals(List.of("proxy-a", "nobody", "proxy-b"), owners);
    }

    @Test
    void leavesTheVipStripOutWhenTheRunDidNotProbeIt() throws Exception {
        Timeline t = sample();
        Document d = parse(ChartPage.html(new Timeline(t.title(), t.seconds(), t.bands(), List.of())));
        assertEquals(0, byClass(d, "rect", "owner").size());
        assertEquals(2, byClass(d, "rect", "fault").size());
    }
}

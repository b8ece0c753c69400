package dev.chat.loadgen.chart;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

import dev.chat.loadgen.measure.Timeline;

/**
 * A {@link Timeline} as one HTML page with an inline SVG: three panels sharing the time axis (clients connected;
 * sends acked and messages shown per second; send-to-shown p99 per second), a strip of who answered on the virtual
 * IP when the run probed it, and each fault as one shaded band across all of them. The page is well-formed XML
 * (XHTML syntax), has no script and loads nothing, so it opens from a file anywhere and tests can parse it.
 */
public final class ChartPage {
    static final int WIDTH = 1000;
    static final int LEFT = 70;
    static final int RIGHT = 20;
    static final int TOP = 30;
    static final int PANEL = 150;
    static final int GAP = 30;
    static final int STRIP = 24;
    private static final String[] OWNER_COLOURS = {"#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#9c755f"};

    private ChartPage() {
    }

    /** Writes the page to {@code file} (replacing it); the parent directory must exist. */
    public static void write(Path file, Timeline t) throws IOException {
        Files.writeString(file, html(t), StandardCharsets.UTF_8);
    }

    /** The page: every series of {@code t} drawn to scales that fit its largest value. */
    public static String html(Timeline t) {
        int n = t.length();
        boolean strip = !t.owners().isEmpty();
        int plotBottom = TOP + 3 * PANEL + 2 * GAP;
        int height = plotBottom + (strip ? GAP + STRIP : 0) + 50;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"chart\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                        + "data-seconds=\"%d\">\n", WIDTH, height, WIDTH, height, n));
        svg.append("<rect x=\"0\" y=\"0\" width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
        // Bands first, so the lines are drawn over them.
        int bandBottom = strip ? plotBottom + GAP + STRIP : plotBottom;
        for (Timeline.Band b : t.bands()) {
            double x0 = x(b.from(), n);
            double x1 = x(Math.max(b.from(), b.to()), n);
            svg.append(String.format(Locale.ROOT,
                    "<g class=\"fault\" data-name=\"%s\"><rect class=\"fault\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
                            + "fill=\"#e15759\" fill-opacity=\"0.15\"><title>%s: %.1f s to %.1f s</title></rect>"
                            + "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" fill=\"#b03030\">%s</text></g>\n",
                    esc(b.name()), x0, TOP, Math.max(1.0, x1 - x0), bandBottom - TOP, esc(b.name()), b.from(), b.to(),
                    x0 + 2, TOP - 6, esc(b.name())));
        }
        panel(svg, "connected", "clients connected", 0, n, t.seconds(),
                List.of(new Series("connected", "#4e79a7", s -> s.connected())));
        panel(svg, "rate", "messages per second", 1, n, t.seconds(),
                List.of(new Series("acked", "#59a14f", s -> s.acked()), new Series("shown", "#f28e2b", s -> s.delivered())));
        panel(svg, "p99", "send\u2192shown p99 (ms)", 2, n, t.seconds(),
                List.of(new Series("p99", "#b07aa1", s -> s.p99Millis())));
        if (strip) {
            ownerStrip(svg, t.owners(), n, plotBottom + GAP);
        }
        xAxis(svg, n, bandBottom);
        svg.append("</svg>\n");

        StringBuilder page = new StringBuilder();
        page.append("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n")
                .append("<meta charset=\"utf-8\"/>\n<title>").append(esc(t.title())).append("</title>\n")
                .append("<style>body{font-family:sans-serif;margin:16px;color:#222}svg text{font-family:sans-serif}</style>\n")
                .append("</head>\n<body>\n<h1 style=\"font-size:18px\">").append(esc(t.title())).append("</h1>\n")
                .append("<p style=\"font-size:13px\">").append(n)
                .append(" s, one point a second; shaded bands are the faults")
                .append(strip ? "; the bottom strip is who answered on the virtual IP" : "")
                .append(". Messages per second: green acked to their sender, orange shown to their recipient.</p>\n")
                .append(svg)
                .append("</body>\n</html>\n");
        return page.toString();
    }

    private record Series(String name, String colour, ToDoubleFunction<Timeline.Second> value) {
    }

    /** One panel: its frame, y axis from 0 to a round number at or above the largest value, and its lines. */
    private static void panel(StringBuilder svg, String id, String label, int index, int n, List<Timeline.Second> seconds,
            List<Series> series) {
        int top = TOP + index * (PANEL + GAP);
        double max = 0;
        for (Series s : series) {
            for (Timeline.Second sec : seconds) {
                double v = s.value().applyAsDouble(sec);
                if (Double.isFinite(v)) {
                    max = Math.max(max, v);
                }
            }
        }
        double top_ = niceCeiling(max);
        svg.append(String.format(Locale.ROOT, "<g class=\"panel\" id=\"%s\" data-max=\"%s\" data-axis-max=\"%s\">\n", id,
                num(max), num(top_)));
        svg.append(String.format(Locale.ROOT,
                "<rect class=\"frame\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>\n",
                LEFT, top, WIDTH - LEFT - RIGHT, PANEL));
        for (int k = 0; k <= 2; k++) {
            double v = top_ * k / 2;
            double y = top + PANEL - PANEL * v / top_;
            svg.append(String.format(Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                            + "<text class=\"tick\" x=\"%d\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%s</text>\n",
                    LEFT, y, WIDTH - RIGHT, y, LEFT - 6, y + 4, num(v)));
        }
        svg.append(String.format(Locale.ROOT, "<text class=\"label\" x=\"%d\" y=\"%d\" font-size=\"12\">%s", LEFT + 6,
                top + 14, esc(label)));
        if (series.size() > 1) {
            for (Series s : series) {
                svg.append(String.format(Locale.ROOT, " <tspan fill=\"%s\">\u25a0 %s</tspan>", s.colour(), esc(s.name())));
            }
        }
        svg.append("</text>\n");
        for (Series s : series) {
            StringBuilder d = new StringBuilder();
            boolean pen = false;
            for (Timeline.Second sec : seconds) {
                double v = s.value().applyAsDouble(sec);
                if (!Double.isFinite(v)) {
                    pen = false;
                    continue;
                }
                double px = x(sec.at() + 0.5, n);
                double py = top + PANEL - PANEL * v / top_;
                d.append(pen ? " L" : (d.length() == 0 ? "M" : " M")).append(String.format(Locale.ROOT, "%.1f %.1f", px, py));
                pen = true;
            }
            if (d.length() > 0) {
                // A lone point has no length; a round cap still shows it as a dot.
                svg.append(String.format(Locale.ROOT,
                        "<path class=\"series\" data-series=\"%s\" d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.8\" "
                                + "stroke-linecap=\"round\" stroke-linejoin=\"round\"/>\n", esc(s.name()), d, s.colour()));
            }
        }
        svg.append("</g>\n");
    }

    /** Who answered on the virtual IP, one coloured run per answer (grey: nobody). */
    private static void ownerStrip(StringBuilder svg, List<Timeline.Owner> owners, int n, int top) {
        Map<String, String> colours = new LinkedHashMap<>();
        svg.append("<g class=\"panel\" id=\"vip\">\n");
        for (Timeline.Owner o : owners) {
            String colour = o.proxy() == null ? "#bbbbbb"
                    : colours.computeIfAbsent(o.proxy(), k -> OWNER_COLOURS[colours.size() % OWNER_COLOURS.length]);
            double x0 = x(o.from(), n);
            double x1 = x(Math.max(o.from(), o.to()), n);
            String who = o.proxy() == null ? "nobody" : o.proxy();
            svg.append(String.format(Locale.ROOT,
                    "<rect class=\"owner\" data-proxy=\"%s\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\">"
                            + "<title>%s: %.1f s to %.1f s</title></rect>\n",
                    esc(who), x0, top, Math.max(1.0, x1 - x0), STRIP, colour, esc(who), o.from(), o.to()));
        }
        List<String> legend = new ArrayList<>();
        colours.forEach((proxy, colour) -> legend.add(String.format(Locale.ROOT, "<tspan fill=\"%s\">\u25a0 %s</tspan>",
                colour, esc(proxy))));
        svg.append(String.format(Locale.ROOT, "<text class=\"label\" x=\"%d\" y=\"%d\" font-size=\"12\">VIP owner %s</text>\n",
                LEFT, top - 6, String.join(" ", legend)));
        svg.append("</g>\n");
    }

    private static void xAxis(StringBuilder svg, int n, int bottom) {
        int step = 1;
        for (int s : new int[] {1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600}) {
            step = s;
            if (n / s <= 12) {
                break;
            }
        }
        svg.append("<g class=\"axis\" id=\"time\">\n");
        for (int s = 0; s <= n; s += step) {
            svg.append(String.format(Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#999\"/>"
                            + "<text class=\"tick\" x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">%d</text>\n",
                    x(s, n), bottom, x(s, n), bottom + 5, x(s, n), bottom + 18, s));
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\">"
                + "seconds since the start</text>\n</g>\n", (LEFT + WIDTH - RIGHT) / 2, bottom + 36));
    }

    /** The x of {@code seconds} on a time axis {@code n} seconds long. */
    static double x(double seconds, int n) {
        return LEFT + (WIDTH - LEFT - RIGHT) * Math.max(0, Math.min(n, seconds)) / n;
    }

    /** The smallest of 1, 2, 5 times a power of ten at or above {@code v} (1 for nothing). */
    static double niceCeiling(double v) {
        if (!(v > 0)) {
            return 1;
        }
        double magnitude = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * magnitude >= v) {
                return m * magnitude;
            }
        }
        return 10 * magnitude;
    }

    static String num(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : String.format(Locale.ROOT, Math.abs(v) >= 1 ? "%.1f" : "%.3f", v);
    }

    static String esc(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}

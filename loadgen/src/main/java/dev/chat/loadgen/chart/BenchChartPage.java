package dev.chat.loadgen.chart;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleUnaryOperator;

/**
 * The benchmark's runs ({@link BenchRun}) as one HTML page with an inline SVG, in the way of {@link ChartPage}:
 * well-formed XHTML, no script, nothing loaded. A ramp gets delivered against offered msgs/s and send-to-delivery
 * p50/p99 per step (with the p99 target); a steady run its send-to-ack and send-to-delivery latency by quantile over
 * the measured window. Both then get their traffic second by second (msgs/s sent and delivered, p50/p99 of the
 * messages shown in each second) with the measured windows shaded. Several runs (an A/B comparison) share the
 * panels: each side has one colour, each run one line, so both sides are drawn to the same scales.
 */
public final class BenchChartPage {
    static final int WIDTH = ChartPage.WIDTH;
    static final int LEFT = ChartPage.LEFT;
    static final int RIGHT = ChartPage.RIGHT;
    static final int TOP = 40;
    static final int PANEL = 200;
    static final int GAP = 70;
    /** One colour per figure when there is one run; per side (or per run without sides) when there are several. */
    private static final String[] RUN_COLOURS = {"#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#9c755f", "#e15759"};
    private static final String REF_COLOUR = "#4e79a7";
    private static final String WORK_COLOUR = "#f28e2b";
    private static final String DASHED = "6 4";
    private static final String DOTTED = "2 3";

    private BenchChartPage() {
    }

    /** Writes the page to {@code file} (replacing it); the parent directory must exist. */
    public static void write(Path file, String title, List<BenchRun> runs) throws IOException {
        Files.writeString(file, html(title, runs), StandardCharsets.UTF_8);
    }

    /**
     * The page: every panel scaled to the largest value of any run. Refuses (IllegalArgumentException) no runs, or
     * runs of different modes (a ramp and a steady run share no axis).
     */
    public static String html(String title, List<BenchRun> runs) {
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("no run to chart");
        }
        String mode = runs.get(0).mode();
        for (BenchRun r : runs) {
            if (!r.mode().equals(mode)) {
                throw new IllegalArgumentException("runs of different modes (" + mode + ", " + r.mode() + ") share no chart");
            }
        }
        boolean ramp = runs.get(0).ramp();
        boolean timeline = runs.stream().anyMatch(r -> !r.seconds().isEmpty());
        int top = ramp ? 2 : 1;
        int panels = top + (timeline ? 2 : 0);
        int height = TOP + panels * (PANEL + GAP) + 10;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"chart\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                        + "data-mode=\"%s\" data-runs=\"%d\">\n", WIDTH, height, WIDTH, height, ChartPage.esc(mode), runs.size()));
        svg.append("<rect x=\"0\" y=\"0\" width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
        if (ramp) {
            rampPanels(svg, runs);
        } else {
            curvePanel(svg, runs, 0);
        }
        if (timeline) {
            secondsPanels(svg, runs, top);
        }
        svg.append("</svg>\n");

        StringBuilder page = new StringBuilder();
        page.append("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n")
                .append("<meta charset=\"utf-8\"/>\n<title>").append(ChartPage.esc(title)).append("</title>\n")
                .append("<style>body{font-family:sans-serif;margin:16px;color:#222}svg text{font-family:sans-serif}</style>\n")
                .append("</head>\n<body>\n<h1 style=\"font-size:18px\">").append(ChartPage.esc(title)).append("</h1>\n")
                .append("<p style=\"font-size:13px\">").append(ChartPage.esc(caption(runs, ramp, timeline))).append("</p>\n")
                .append(svg)
                .append("</body>\n</html>\n");
        return page.toString();
    }

    private static String caption(List<BenchRun> runs, boolean ramp, boolean timeline) {
        StringBuilder c = new StringBuilder();
        if (runs.size() > 1) {
            c.append(runs.size()).append(" runs, one line each");
            if (runs.stream().anyMatch(r -> r.side() != null)) {
                c.append(", one colour per side");
            }
            c.append(". ");
        }
        c.append(ramp ? "Ramp: each point is a step's measured window (filled: the step passed). "
                : "Steady: latency by quantile over the measured window (log scale; the last point is the maximum). ");
        if (timeline) {
            c.append("Below, the traffic second by second from its start; shaded: the measured window")
                    .append(ramp ? "s, one per step." : ".");
        } else {
            c.append("This summary has no per-second record.");
        }
        return c.toString();
    }

    // ------------------------------------------------------------------ ramp

    private static void rampPanels(StringBuilder svg, List<BenchRun> runs) {
        double maxOffered = 0;
        double maxRate = 0;
        double maxMs = 0;
        double target = Double.NaN;
        for (BenchRun r : runs) {
            for (BenchRun.Step s : r.steps()) {
                maxOffered = max(maxOffered, s.offered());
                maxRate = max(maxRate, max(s.offered(), max(s.deliveredPerSecond(), s.sentPerSecond())));
                maxMs = max(maxMs, max(s.p99(), s.p50()));
            }
            if (Double.isFinite(r.p99Target())) {
                target = r.p99Target();
                maxMs = max(maxMs, target);
            }
        }
        // Both axes of the throughput panel alike, so that "delivered = offered" is the diagonal.
        double xMax = roomy(Math.max(maxOffered, maxRate));
        Frame rate = new Frame("throughput", 0, 0, xMax, xMax, false);
        rate.open(svg, "msgs/s: delivered (solid) and sent (dotted) per step; grey dashed: delivered = offered", maxRate);
        svg.append(String.format(Locale.ROOT,
                "<line class=\"offered\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#999\" stroke-dasharray=\"%s\"/>\n",
                rate.x(0), rate.y(0), rate.x(xMax), rate.y(Math.min(xMax, rate.yMax)), DASHED));
        Frame latency = new Frame("latency", 1, 0, xMax, ChartPage.niceCeiling(maxMs), false);
        for (int i = 0; i < runs.size(); i++) {
            BenchRun r = runs.get(i);
            String colour = colour(runs, i, 0);
            rate.line(svg, r.label(), "delivered", colour, null, points(r.steps(), BenchRun.Step::offered, BenchRun.Step::deliveredPerSecond));
            rate.line(svg, r.label(), "sent", colour, DOTTED, points(r.steps(), BenchRun.Step::offered, BenchRun.Step::sentPerSecond));
            for (BenchRun.Step s : r.steps()) {
                rate.marker(svg, r.label(), colour, s.offered(), s.deliveredPerSecond(), s.pass(), s);
            }
        }
        rate.close(svg, legend(runs));
        latency.open(svg, "send\u2192delivery per step, ms: p99 (solid), p50 (dashed)"
                + (Double.isFinite(target) ? "; red: the p99 target" : ""), maxMs);
        if (Double.isFinite(target)) {
            svg.append(String.format(Locale.ROOT,
                    "<line class=\"target\" data-ms=\"%s\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e15759\" "
                            + "stroke-dasharray=\"%s\"/>\n", ChartPage.num(target), latency.x(0), latency.y(target),
                    latency.x(xMax), latency.y(target), DASHED));
        }
        for (int i = 0; i < runs.size(); i++) {
            BenchRun r = runs.get(i);
            String colour = colour(runs, i, 3);
            latency.line(svg, r.label(), "p99", colour, null, points(r.steps(), BenchRun.Step::offered, BenchRun.Step::p99));
            latency.line(svg, r.label(), "p50", colour, DASHED, points(r.steps(), BenchRun.Step::offered, BenchRun.Step::p50));
            for (BenchRun.Step s : r.steps()) {
                latency.marker(svg, r.label(), colour, s.offered(), s.p99(), s.pass(), s);
            }
        }
        latency.close(svg, null);
        latency.xAxis(svg, xMax, v -> v, "msgs/s offered (the step's total rate)");
        rate.xAxis(svg, xMax, v -> v, "msgs/s offered (the step's total rate)");
    }

    // ------------------------------------------------------------------ steady

    /** Where quantile q lies on the curve's axis: 0.9 one step right of 0.5, 0.99 two, ...; the maximum last. */
    static double quantileX(double q, double maxX) {
        return q >= 1 ? maxX : Math.log10(1 / (1 - q));
    }

    private static void curvePanel(StringBuilder svg, List<BenchRun> runs, int index) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = 0;
        double tail = 0.5;
        for (BenchRun r : runs) {
            for (List<BenchRun.Quantile> c : List.of(r.ack(), r.delivery())) {
                for (BenchRun.Quantile q : c) {
                    if (q.millis() > 0) {
                        lo = Math.min(lo, q.millis());
                        hi = Math.max(hi, q.millis());
                    }
                    if (q.q() < 1) {
                        tail = Math.max(tail, q.q());
                    }
                }
            }
        }
        if (!(hi > 0)) {
            lo = 1;
            hi = 10;
        }
        double maxX = Math.ceil(quantileX(tail, 0)) + 0.5;
        double yLo = Math.floor(Math.log10(lo));
        double yHi = Math.max(yLo + 1, Math.ceil(Math.log10(hi)));
        Frame f = new Frame("curve", index, Math.log10(2), maxX, yHi, true);
        f.yMin = yLo;
        f.open(svg, "latency by quantile over the measured window, ms (log): send\u2192delivery (solid), send\u2192ack (dashed)", hi);
        for (int i = 0; i < runs.size(); i++) {
            BenchRun r = runs.get(i);
            f.line(svg, r.label(), "delivery", colour(runs, i, 1), null, curve(r.delivery(), maxX));
            f.line(svg, r.label(), "ack", colour(runs, i, 2), DASHED, curve(r.ack(), maxX));
        }
        f.close(svg, legend(runs));
        // Quantile ticks, then the maximum.
        String[] names = {"50%", "90%", "99%", "99.9%", "99.99%", "99.999%"};
        double[] qs = {0.5, 0.9, 0.99, 0.999, 0.9999, 0.99999};
        StringBuilder axis = new StringBuilder("<g class=\"axis\" id=\"curve-axis\">\n");
        for (int k = 0; k < qs.length; k++) {
            double x = quantileX(qs[k], maxX);
            if (x <= maxX - 0.5 + 1e-9) {
                f.xTick(axis, x, names[k]);
            }
        }
        f.xTick(axis, maxX, "max");
        axis.append(f.xLabel("quantile (log scale of 1 / (1 - q))")).append("</g>\n");
        svg.append(axis);
    }

    private static List<double[]> curve(List<BenchRun.Quantile> c, double maxX) {
        List<double[]> p = new ArrayList<>();
        for (BenchRun.Quantile q : c) {
            if (q.millis() > 0) {
                p.add(new double[] {quantileX(q.q(), maxX), Math.log10(q.millis())});
            }
        }
        return p;
    }

    // ------------------------------------------------------------------ second by second

    private static void secondsPanels(StringBuilder svg, List<BenchRun> runs, int index) {
        int n = 1;
        double maxRate = 0;
        double maxMs = 0;
        for (BenchRun r : runs) {
            for (BenchRun.Second s : r.seconds()) {
                n = Math.max(n, s.t() + 1);
                maxRate = max(maxRate, max(s.sent(), s.delivered()));
                maxMs = max(maxMs, s.p99());
            }
        }
        Frame rate = new Frame("rate", index, 0, n, ChartPage.niceCeiling(maxRate), false);
        Frame p99 = new Frame("p99", index + 1, 0, n, ChartPage.niceCeiling(maxMs), false);
        // The windows of the first run with any, under the lines (several runs' windows differ by milliseconds).
        List<BenchRun.Window> windows = runs.stream().map(BenchRun::windows).filter(w -> !w.isEmpty()).findFirst()
                .orElse(List.of());
        for (BenchRun.Window w : windows) {
            double x0 = rate.x(Math.max(0, w.from()));
            double x1 = rate.x(Math.min(n, w.to()));
            int top = rate.top;
            int bottom = p99.top + PANEL;
            svg.append(String.format(Locale.ROOT,
                    "<g class=\"window\" data-name=\"%s\"><rect class=\"window\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
                            + "fill=\"#59a14f\" fill-opacity=\"0.10\"><title>%s: %.1f s to %.1f s</title></rect></g>\n",
                    ChartPage.esc(w.name()), x0, top, Math.max(1.0, x1 - x0), bottom - top, ChartPage.esc(w.name()), w.from(), w.to()));
        }
        rate.open(svg, "msgs/s each second: delivered (solid), sent (dotted)", maxRate);
        for (int i = 0; i < runs.size(); i++) {
            BenchRun r = runs.get(i);
            rate.line(svg, r.label(), "delivered", colour(runs, i, 1), null,
                    secondPoints(r.seconds(), s -> (double) s.delivered()));
            rate.line(svg, r.label(), "sent", colour(runs, i, 0), DOTTED, secondPoints(r.seconds(), s -> (double) s.sent()));
        }
        rate.close(svg, runs.size() > 1 ? legend(runs) : null);
        rate.xAxis(svg, n, v -> v, "seconds since the traffic started");
        p99.open(svg, "send\u2192delivery of the messages shown each second, ms: p99 (solid), p50 (dashed)", maxMs);
        for (int i = 0; i < runs.size(); i++) {
            BenchRun r = runs.get(i);
            p99.line(svg, r.label(), "p99", colour(runs, i, 3), null, secondPoints(r.seconds(), BenchRun.Second::p99));
            p99.line(svg, r.label(), "p50", colour(runs, i, 3), DASHED, secondPoints(r.seconds(), BenchRun.Second::p50));
        }
        p99.close(svg, null);
        p99.xAxis(svg, n, v -> v, "seconds since the traffic started");
    }

    private static List<double[]> secondPoints(List<BenchRun.Second> seconds,
            java.util.function.ToDoubleFunction<BenchRun.Second> v) {
        List<double[]> p = new ArrayList<>();
        for (BenchRun.Second s : seconds) {
            // In the middle of its second; NaN (nothing shown) breaks the line.
            p.add(new double[] {s.t() + 0.5, v.applyAsDouble(s)});
        }
        return p;
    }

    private static List<double[]> points(List<BenchRun.Step> steps, java.util.function.ToDoubleFunction<BenchRun.Step> x,
            java.util.function.ToDoubleFunction<BenchRun.Step> y) {
        List<double[]> p = new ArrayList<>();
        for (BenchRun.Step s : steps) {
            p.add(new double[] {x.applyAsDouble(s), y.applyAsDouble(s)});
        }
        return p;
    }

    // ------------------------------------------------------------------ drawing

    /**
     * The colour of figure {@code figure} of run {@code run}: the figure's own with one run; with several, the
     * run's side (the first side named blue, the second orange), or the run's own without sides.
     */
    static String colour(List<BenchRun> runs, int run, int figure) {
        if (runs.size() == 1) {
            return RUN_COLOURS[figure % RUN_COLOURS.length];
        }
        String side = runs.get(run).side();
        if (side != null) {
            List<String> sides = runs.stream().map(BenchRun::side).filter(x -> x != null).distinct().toList();
            int k = sides.indexOf(side);
            return k == 0 ? REF_COLOUR : k == 1 ? WORK_COLOUR : RUN_COLOURS[(k + 2) % RUN_COLOURS.length];
        }
        return RUN_COLOURS[run % RUN_COLOURS.length];
    }

    /** The runs by colour, when there are several; null otherwise. */
    private static List<String[]> legend(List<BenchRun> runs) {
        if (runs.size() == 1) {
            return null;
        }
        List<String[]> l = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < runs.size(); i++) {
            BenchRun r = runs.get(i);
            String name = r.side() != null ? r.side() : r.label();
            if (!seen.contains(name)) {
                seen.add(name);
                l.add(new String[] {colour(runs, i, 0), name});
            }
        }
        return l;
    }

    /**
     * A round number a little above {@code v} (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten, at least
     * 5 % above), so that the highest step is not drawn on the frame.
     */
    static double roomy(double v) {
        if (!(v > 0)) {
            return 1;
        }
        double want = v * 1.05;
        double magnitude = Math.pow(10, Math.floor(Math.log10(want)));
        for (double m : new double[] {1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10}) {
            if (m * magnitude >= want) {
                return m * magnitude;
            }
        }
        return 10 * magnitude;
    }

    private static double max(double a, double b) {
        return Double.isFinite(b) ? Math.max(a, b) : a;
    }

    /** One panel's frame and scales: x from xMin to xMax, y from yMin to yMax, both linear (the caller logs for log). */
    static final class Frame {
        final String id;
        final int top;
        final double xMin;
        final double xMax;
        final double yMax;
        double yMin;
        final boolean logY;

        Frame(String id, int index, double xMin, double xMax, double yMax, boolean logY) {
            this.id = id;
            this.top = TOP + index * (PANEL + GAP);
            this.xMin = xMin;
            this.xMax = xMax;
            this.yMax = yMax;
            this.logY = logY;
        }

        double x(double v) {
            return LEFT + (WIDTH - LEFT - RIGHT) * (Math.max(xMin, Math.min(xMax, v)) - xMin) / (xMax - xMin);
        }

        double y(double v) {
            double c = Math.max(yMin, Math.min(yMax, v));
            return top + PANEL - PANEL * (c - yMin) / (yMax - yMin);
        }

        void open(StringBuilder svg, String label, double dataMax) {
            svg.append(String.format(Locale.ROOT,
                    "<g class=\"panel\" id=\"%s\" data-max=\"%s\" data-axis-max=\"%s\" data-log=\"%s\">\n", id,
                    ChartPage.num(dataMax), ChartPage.num(logY ? Math.pow(10, yMax) : yMax), logY));
            svg.append(String.format(Locale.ROOT,
                    "<rect class=\"frame\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>\n",
                    LEFT, top, WIDTH - LEFT - RIGHT, PANEL));
            if (logY) {
                for (double e = yMin; e <= yMax + 1e-9; e++) {
                    yTick(svg, e, ChartPage.num(Math.pow(10, e)));
                }
            } else {
                for (int k = 0; k <= 4; k++) {
                    double v = yMin + (yMax - yMin) * k / 4;
                    yTick(svg, v, ChartPage.num(v));
                }
            }
            svg.append(String.format(Locale.ROOT, "<text class=\"label\" x=\"%d\" y=\"%d\" font-size=\"12\">%s</text>\n",
                    LEFT, top - 8, ChartPage.esc(label)));
        }

        private void yTick(StringBuilder svg, double v, String text) {
            double y = y(v);
            svg.append(String.format(Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                            + "<text class=\"tick\" x=\"%d\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%s</text>\n",
                    LEFT, y, WIDTH - RIGHT, y, LEFT - 6, y + 4, text));
        }

        /** A line through {@code points} ({x, y} in data units); a non-finite y breaks it. */
        void line(StringBuilder svg, String run, String series, String colour, String dash, List<double[]> points) {
            StringBuilder d = new StringBuilder();
            boolean pen = false;
            for (double[] p : points) {
                if (!Double.isFinite(p[0]) || !Double.isFinite(p[1])) {
                    pen = false;
                    continue;
                }
                d.append(pen ? " L" : (d.length() == 0 ? "M" : " M"))
                        .append(String.format(Locale.ROOT, "%.1f %.1f", x(p[0]), y(p[1])));
                pen = true;
            }
            if (d.length() == 0) {
                return;
            }
            svg.append(String.format(Locale.ROOT,
                    "<path class=\"series\" data-run=\"%s\" data-series=\"%s\" d=\"%s\" fill=\"none\" stroke=\"%s\" "
                            + "stroke-width=\"1.8\" stroke-linecap=\"round\" stroke-linejoin=\"round\"%s/>\n",
                    ChartPage.esc(run), series, d, colour, dash == null ? "" : " stroke-dasharray=\"" + dash + "\""));
        }

        /** A ramp step's point: filled when the step passed, hollow otherwise. */
        void marker(StringBuilder svg, String run, String colour, double x, double y, boolean pass, BenchRun.Step s) {
            if (!Double.isFinite(y)) {
                return;
            }
            svg.append(String.format(Locale.ROOT,
                    "<circle class=\"step\" data-run=\"%s\" data-offered=\"%s\" data-delivered=\"%s\" data-p99=\"%s\" "
                            + "data-pass=\"%s\" cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\" stroke=\"%s\" stroke-width=\"1.5\">"
                            + "<title>%s: %s msgs/s offered, %s delivered, p50 %s ms, p99 %s ms%s</title></circle>\n",
                    ChartPage.esc(run), ChartPage.num(s.offered()), ChartPage.num(round(s.deliveredPerSecond())),
                    ChartPage.num(round(s.p99())), pass, x(x), y(y), pass ? colour : "#ffffff", colour, ChartPage.esc(run),
                    ChartPage.num(s.offered()), ChartPage.num(round(s.deliveredPerSecond())), ChartPage.num(round(s.p50())),
                    ChartPage.num(round(s.p99())), pass ? "" : " (missed)"));
        }

        void close(StringBuilder svg, List<String[]> legend) {
            if (legend != null) {
                StringBuilder l = new StringBuilder();
                for (String[] e : legend) {
                    l.append(String.format(Locale.ROOT, "<tspan fill=\"%s\">\u25a0 %s</tspan> ", e[0], ChartPage.esc(e[1])));
                }
                svg.append(String.format(Locale.ROOT,
                        "<text class=\"legend\" x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"end\">%s</text>\n",
                        WIDTH - RIGHT - 6, top + 16, l.toString().trim()));
            }
            svg.append("</g>\n");
        }

        void xAxis(StringBuilder svg, double max, DoubleUnaryOperator label, String name) {
            double step = ChartPage.niceCeiling(max / 10);
            StringBuilder a = new StringBuilder(String.format(Locale.ROOT, "<g class=\"axis\" id=\"%s-axis\">\n", id));
            for (double v = xMin; v <= max + 1e-9; v += step) {
                xTick(a, v, ChartPage.num(label.applyAsDouble(v)));
            }
            a.append(xLabel(name)).append("</g>\n");
            svg.append(a);
        }

        void xTick(StringBuilder a, double v, String text) {
            int bottom = top + PANEL;
            a.append(String.format(Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#999\"/>"
                            + "<text class=\"tick\" x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">%s</text>\n",
                    x(v), bottom, x(v), bottom + 5, x(v), bottom + 18, ChartPage.esc(text)));
        }

        String xLabel(String name) {
            return String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\">%s</text>\n",
                    (LEFT + WIDTH - RIGHT) / 2, top + PANEL + 34, ChartPage.esc(name));
        }
    }

    private static double round(double v) {
        return Double.isFinite(v) ? Math.round(v * 10) / 10.0 : v;
    }
}

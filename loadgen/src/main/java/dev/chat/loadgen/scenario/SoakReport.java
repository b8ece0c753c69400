package dev.chat.loadgen.scenario;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The soak's JSON report (scripts/soak, {@code report.json}): every sample with the well-behaved clients' p99 of
 * the latency window that ended nearest to it, and each service's heap after GC, open file descriptors and
 * threads; then one verdict per series.
 * <p>
 * A series is <b>flat</b> when its last sample is within a bound of its first sample after the warm-up:
 * <ul>
 * <li>heap after GC: grew by at most max(10 MB, 15 %); file descriptors: max(10, 10 %); threads: max(5, 10 %)
 * (the soak's allowances, docs/reliability.md);
 * <li>well-behaved p99 (send to delivered): at most max(3 × first, first + 500 ms), and every window after the
 * warm-up delivered something (a stall delivers nothing and has no p99 to compare).
 * </ul>
 * The report passes when every series is flat.
 */
final class SoakReport {
    static final double HEAP_ABS_MB = 10, HEAP_REL = 0.15;
    static final double FDS_ABS = 10, FDS_REL = 0.10;
    static final double THREADS_ABS = 5, THREADS_REL = 0.10;
    static final double P99_FACTOR = 3, P99_ABS_MS = 500;

    /** One latency window of loadgen soak's {@code --window-file}. */
    record Window(int n, double endSeconds, long delivered, double p50Ms, double p99Ms, double ackP99Ms) {
    }

    /** One verdict: a series, its first and last value after the warm-up, how much it may grow, whether it held. */
    record Verdict(String series, double first, double last, double allowed, boolean flat, String note) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] SERIES = {"heap", "fds", "threads"};

    private final List<String> header;
    private final List<String[]> rows;
    private final List<Window> windows;
    private final double warmupSeconds;
    private final double windowSeconds;

    /**
     * @param samplesTsv scripts/soak's samples.tsv: a header line ({@code sample t ... SVC-heap SVC-fds SVC-threads
     *        ...}) then one row per sample, "-" for a value not taken
     * @param windowLines loadgen soak's window file, "window N END_S DELIVERED P50 P99 ACK_P99"
     */
    SoakReport(List<String> samplesTsv, List<String> windowLines, double warmupSeconds, double windowSeconds) {
        if (samplesTsv.isEmpty()) {
            throw new IllegalArgumentException("no samples");
        }
        this.header = List.of(samplesTsv.get(0).split("\t"));
        this.rows = new ArrayList<>();
        for (String line : samplesTsv.subList(1, samplesTsv.size())) {
            if (!line.isBlank()) {
                rows.add(line.split("\t"));
            }
        }
        this.windows = new ArrayList<>();
        for (String line : windowLines) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 7 && f[0].equals("window")) {
                windows.add(new Window(Integer.parseInt(f[1]), Double.parseDouble(f[2]), Long.parseLong(f[3]),
                        Double.parseDouble(f[4]), Double.parseDouble(f[5]), Double.parseDouble(f[6])));
            }
        }
        this.warmupSeconds = warmupSeconds;
        this.windowSeconds = windowSeconds;
    }

    /** The services with samples, in the order of the header. */
    List<String> services() {
        List<String> out = new ArrayList<>();
        for (String h : header) {
            if (h.endsWith("-heap")) {
                out.add(h.substring(0, h.length() - "-heap".length()));
            }
        }
        return out;
    }

    private double value(String[] row, String column) {
        int i = header.indexOf(column);
        if (i < 0 || i >= row.length || row[i].equals("-") || row[i].isBlank()) {
            return Double.NaN;
        }
        return Double.parseDouble(row[i]);
    }

    private double t(String[] row) {
        return value(row, "t");
    }

    /** The window that ended nearest to time t (within half a window and 3 s of slack), or null. */
    Window windowAt(double t) {
        Window best = null;
        for (Window w : windows) {
            if (Math.abs(w.endSeconds() - t) <= windowSeconds / 2 + 3
                    && (best == null || Math.abs(w.endSeconds() - t) < Math.abs(best.endSeconds() - t))) {
                best = w;
            }
        }
        return best;
    }

    /** Every verdict, services first (heap, descriptors, threads each), then the well-behaved p99. */
    List<Verdict> verdicts() {
        List<String[]> after = rows.stream().filter(r -> t(r) >= warmupSeconds).toList();
        List<Verdict> out = new ArrayList<>();
        for (String svc : services()) {
            out.add(grew(after, svc + "-heap", svc + " heap after GC (MB)", HEAP_ABS_MB, HEAP_REL));
            out.add(grew(after, svc + "-fds", svc + " file descriptors", FDS_ABS, FDS_REL));
            out.add(grew(after, svc + "-threads", svc + " threads", THREADS_ABS, THREADS_REL));
        }
        List<Window> late = windows.stream().filter(w -> w.endSeconds() > warmupSeconds).toList();
        String series = "well-behaved p99 send->delivered (ms)";
        if (late.size() < 2) {
            out.add(new Verdict(series, Double.NaN, Double.NaN, Double.NaN, false,
                    "fewer than 2 latency windows after the warm-up"));
        } else {
            Window first = late.get(0);
            Window last = late.get(late.size() - 1);
            long stalled = late.stream().filter(w -> w.delivered() == 0).count();
            double allowed = Math.max(first.p99Ms() * P99_FACTOR, first.p99Ms() + P99_ABS_MS);
            boolean flat = stalled == 0 && !Double.isNaN(last.p99Ms()) && last.p99Ms() <= allowed;
            out.add(new Verdict(series, first.p99Ms(), last.p99Ms(), allowed, flat,
                    stalled == 0 ? "windows " + first.n() + " to " + last.n()
                            : stalled + " window(s) after the warm-up delivered nothing"));
        }
        return out;
    }

    private Verdict grew(List<String[]> after, String column, String series, double abs, double rel) {
        if (after.size() < 2) {
            return new Verdict(series, Double.NaN, Double.NaN, Double.NaN, false, "fewer than 2 samples after the warm-up");
        }
        double first = value(after.get(0), column);
        double last = value(after.get(after.size() - 1), column);
        if (Double.isNaN(first) || Double.isNaN(last)) {
            return new Verdict(series, first, last, Double.NaN, false, "not sampled (the process was not running?)");
        }
        double allowed = Math.max(abs, first * rel);
        return new Verdict(series, first, last, allowed, last - first <= allowed, "");
    }

    boolean pass() {
        return verdicts().stream().allMatch(Verdict::flat);
    }

    /** The whole report as JSON: settings, bounds, samples, verdicts, pass. */
    ObjectNode toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("warmupSeconds", warmupSeconds);
        root.put("windowSeconds", windowSeconds);
        ObjectNode bounds = root.putObject("bounds");
        bounds.put("flat", "the last sample after the warm-up against the first one after it");
        bounds.put("heapAfterGc", "grew by at most max(10 MB, 15 %)");
        bounds.put("fileDescriptors", "grew by at most max(10, 10 %)");
        bounds.put("threads", "grew by at most max(5, 10 %)");
        bounds.put("wellBehavedP99", "at most max(3 x first, first + 500 ms); every window after the warm-up delivered something");
        ArrayNode samples = root.putArray("samples");
        for (String[] r : rows) {
            ObjectNode s = samples.addObject();
            s.put("sample", (int) value(r, "sample"));
            s.put("t", t(r));
            s.put("warmup", t(r) < warmupSeconds);
            put(s, "liveSockets", value(r, "live"));
            Window w = windowAt(t(r));
            if (w != null) {
                ObjectNode wb = s.putObject("wellBehaved");
                wb.put("window", w.n());
                wb.put("delivered", w.delivered());
                put(wb, "p50Ms", w.p50Ms());
                put(wb, "p99Ms", w.p99Ms());
                put(wb, "ackP99Ms", w.ackP99Ms());
            }
            ObjectNode svcs = s.putObject("services");
            for (String svc : services()) {
                ObjectNode o = svcs.putObject(svc);
                put(o, "heapAfterGcMb", value(r, svc + "-heap"));
                put(o, "fds", value(r, svc + "-fds"));
                put(o, "threads", value(r, svc + "-threads"));
            }
        }
        ArrayNode ws = root.putArray("windows");
        for (Window w : windows) {
            ObjectNode o = ws.addObject();
            o.put("window", w.n());
            o.put("endSeconds", w.endSeconds());
            o.put("delivered", w.delivered());
            put(o, "p50Ms", w.p50Ms());
            put(o, "p99Ms", w.p99Ms());
            put(o, "ackP99Ms", w.ackP99Ms());
        }
        ArrayNode vs = root.putArray("verdicts");
        Map<String, Boolean> seen = new LinkedHashMap<>();
        for (Verdict v : verdicts()) {
            ObjectNode o = vs.addObject();
            o.put("series", v.series());
            put(o, "first", v.first());
            put(o, "last", v.last());
            put(o, "allowed", v.allowed());
            o.put("flat", v.flat());
            if (!v.note().isEmpty()) {
                o.put("note", v.note());
            }
            seen.put(v.series(), v.flat());
        }
        root.put("pass", !seen.isEmpty() && !seen.containsValue(false));
        return root;
    }

    private static void put(ObjectNode o, String field, double v) {
        if (Double.isNaN(v)) {
            o.putNull(field);
        } else {
            o.put(field, Math.round(v * 10) / 10.0);
        }
    }
}

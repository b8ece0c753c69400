package dev.chat.loadgen.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The A/B table of {@code scripts/bench --compare}: the same figures from the JSON summaries of runs of a reference
 * build and of the working tree, run alternately in one invocation, each run's figure beside the other side's and
 * the ratio of the sides' medians (working tree / reference). Figures only count beside a baseline measured
 * minutes apart on the same machine, so this prints no absolute verdict.
 */
@Command(name = "bench-compare", mixinStandardHelpOptions = true,
        description = "Prints the figures of bench --json summaries of two builds side by side, with the ratio of medians.")
public final class BenchCompareCommand implements Callable<Integer> {
    @Option(names = "--ref", required = true, split = ",", paramLabel = "FILE", description = "summaries of the reference build's runs")
    List<Path> ref;

    @Option(names = "--work", required = true, split = ",", paramLabel = "FILE", description = "summaries of the working tree's runs")
    List<Path> work;

    @Option(names = "--ref-label", defaultValue = "ref", description = "name of the reference (default: ${DEFAULT-VALUE})")
    String refLabel;

    @Option(names = "--work-label", defaultValue = "work", description = "name of the working tree (default: ${DEFAULT-VALUE})")
    String workLabel;

    private static final Map<String, Function<JsonNode, Double>> FIGURES = new LinkedHashMap<>();

    static {
        FIGURES.put("WAL bytes / msg", s -> num(store(s).path("walBytesPerMessage")));
        FIGURES.put("WAL records / msg", s -> num(store(s).path("walRecordsPerMessage")));
        FIGURES.put("WAL full-page images / msg", s -> num(store(s).path("walFullPageImagesPerMessage")));
        FIGURES.put("PostgreSQL CPU µs / msg (/proc)", s -> num(store(s).path("pgCpuMicrosPerMessage")));
        FIGURES.put("statement µs / msg (pg_stat_statements)", s -> num(store(s).path("statementMicrosPerMessage")));
        FIGURES.put("delivered msgs/s", s -> num(s.path("measured").path("deliveredPerSecond")));
        FIGURES.put("send→delivery p50 ms", s -> num(s.path("measured").path("sendToDelivery").path("p50")));
        FIGURES.put("send→delivery p99 ms", s -> num(s.path("measured").path("sendToDelivery").path("p99")));
        FIGURES.put("send→ack p50 ms", s -> num(s.path("measured").path("sendToAck").path("p50")));
        FIGURES.put("send→ack p99 ms", s -> num(s.path("measured").path("sendToAck").path("p99")));
        FIGURES.put("ramp: highest msgs/s with p99 < target", s -> num(s.path("highestSustained")));
        FIGURES.put("ramp: highest msgs/s delivered in full", s -> num(s.path("highestKeptUp")));
        // The replicated topology's PostgreSQL is two members, each Patroni (pg-N) and its server (pg-N-server).
        FIGURES.put("postgres cores", s -> sum(usage(s), "postgres|" + BenchCommand.POSTGRES_MEMBER));
        FIGURES.put("chat nodes cores", s -> sum(usage(s), "chat-node.*"));
        FIGURES.put("chat nodes JIT compiler cores", s -> sumOf(usage(s).path("componentJitCores"), "chat-node.*"));
        FIGURES.put("machine busy cores", s -> num(usage(s).path("machineBusyCores")));
        FIGURES.put("lost + shown twice", s -> s.path("whole").isMissingNode() ? Double.NaN
                : s.path("whole").path("lost").asDouble() + s.path("whole").path("shownTwice").asDouble());
    }

    /** steady: the summary's store; ramp: the first step's (the lowest rate, the one every build passes). */
    private static JsonNode store(JsonNode s) {
        return s.has("store") ? s.path("store") : s.path("ramp").path(0).path("store");
    }

    /** The cores of the components whose names match {@code names}; NaN when none is there. */
    private static double sum(JsonNode usage, String names) {
        return sumOf(usage.path("componentCores"), names);
    }

    private static double sumOf(JsonNode cores, String names) {
        double sum = 0;
        boolean any = false;
        for (var it = cores.fields(); it.hasNext();) {
            var e = it.next();
            if (e.getKey().matches(names)) {
                sum += e.getValue().asDouble();
                any = true;
            }
        }
        return any ? sum : Double.NaN;
    }

    private static JsonNode usage(JsonNode s) {
        return s.has("usage") ? s.path("usage") : s.path("ramp").path(0).path("usage");
    }

    private static double num(JsonNode n) {
        return n.isNumber() ? n.asDouble() : Double.NaN;
    }

    @Override
    public Integer call() throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> a = new ArrayList<>();
        List<JsonNode> b = new ArrayList<>();
        for (Path p : ref) {
            a.add(json.readTree(p.toFile()));
        }
        for (Path p : work) {
            b.add(json.readTree(p.toFile()));
        }
        print(System.out, a, b);
        return 0;
    }

    void print(PrintStream out, List<JsonNode> a, List<JsonNode> b) {
        out.printf(Locale.ROOT, "compare   %s (%d runs) against %s (%d runs); ratio = median %s / median %s%n", workLabel,
                b.size(), refLabel, a.size(), workLabel, refLabel);
        out.printf(Locale.ROOT, "  %-42s %-28s %-28s %7s%n", "figure", refLabel, workLabel, "ratio");
        for (Map.Entry<String, Function<JsonNode, Double>> f : FIGURES.entrySet()) {
            List<Double> x = a.stream().map(f.getValue()).toList();
            List<Double> y = b.stream().map(f.getValue()).toList();
            if (x.stream().allMatch(v -> v.isNaN()) && y.stream().allMatch(v -> v.isNaN())) {
                continue;
            }
            double mx = median(x);
            double my = median(y);
            String ratio = Double.isNaN(mx) || Double.isNaN(my) || mx == 0 ? "-" : String.format(Locale.ROOT, "%.2f", my / mx);
            out.printf(Locale.ROOT, "  %-42s %-28s %-28s %7s%n", f.getKey(), join(x), join(y), ratio);
        }
        out.printf(Locale.ROOT, "  %-42s %-28s %-28s%n", "load average before each run", loads(a), loads(b));
    }

    private static String loads(List<JsonNode> runs) {
        return String.join(" / ", runs.stream().map(r -> r.path("loadBefore").asText("?").split(" ")[0]).toList());
    }

    private static String join(List<Double> v) {
        return String.join(" / ", v.stream().map(d -> d.isNaN() ? "-"
                : Math.abs(d) >= 100 ? String.format(Locale.ROOT, "%.0f", d) : String.format(Locale.ROOT, "%.2f", d)).toList());
    }

    static double median(List<Double> values) {
        List<Double> v = values.stream().filter(d -> !d.isNaN()).sorted().toList();
        if (v.isEmpty()) {
            return Double.NaN;
        }
        int n = v.size();
        return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
    }
}

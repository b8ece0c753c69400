package dev.chat.loadgen.scenario;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.chat.loadgen.report.PromText;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Which component a fault should hit: the one whose metric (by default {@code chat_sockets_open}, the sockets a
 * chat node holds) is highest, read from each one's Prometheus endpoint now. Prints {@code NAME VALUE}; a component
 * that does not answer counts 0, and of equals the first named wins. scripts/chaos asks it before node-kill and
 * node-stop, so that the choice is made here and not by arithmetic in the script.
 */
@Command(name = "busiest", mixinStandardHelpOptions = true,
        description = "Print the component whose metric is highest (NAME VALUE), from each one's Prometheus endpoint.")
public final class BusiestCommand implements Callable<Integer> {
    @Option(names = "--metrics", required = true, paramLabel = "NAME=URL", description = "a candidate and its metrics URL")
    List<String> candidates = new ArrayList<>();

    @Option(names = "--metric", defaultValue = "chat_sockets_open", paramLabel = "NAME",
            description = "the metric compared (default: ${DEFAULT-VALUE})")
    String metric;

    @Override
    public Integer call() {
        Map<String, String> texts = new LinkedHashMap<>();
        for (String c : candidates) {
            int eq = c.indexOf('=');
            if (eq <= 0) {
                System.err.println("loadgen busiest: --metrics must be NAME=URL, not '" + c + "'");
                return 2;
            }
            texts.put(c.substring(0, eq), RunChecks.fetch(c.substring(eq + 1)));
        }
        Map.Entry<String, Long> best = pick(texts, metric);
        System.out.println(best.getKey() + " " + best.getValue());
        return 0;
    }

    /** The name whose text has the highest value of {@code metric} (absent: 0; equals: the first). */
    static Map.Entry<String, Long> pick(Map<String, String> texts, String metric) {
        String bestName = null;
        long best = Long.MIN_VALUE;
        for (Map.Entry<String, String> e : texts.entrySet()) {
            String v = PromText.sum(e.getValue(), metric);
            long n = v.equals("-") ? 0 : (long) Double.parseDouble(v);
            if (n > best) {
                best = n;
                bestName = e.getKey();
            }
        }
        if (bestName == null) {
            throw new IllegalArgumentException("no candidate");
        }
        return Map.entry(bestName, best);
    }
}

package dev.chat.loadgen.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.chat.loadgen.chart.BenchChartPage;
import dev.chat.loadgen.chart.BenchRun;
import dev.chat.loadgen.chart.BenchRunReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The benchmark's chart ({@link BenchChartPage}) from its JSON summaries: one run's, or both sides of an A/B
 * comparison ({@code scripts/bench --compare}) drawn to the same scales. It reads the files only.
 */
@Command(name = "bench-chart", mixinStandardHelpOptions = true,
        description = {"Writes the chart of bench --json summaries: one self-contained HTML page (inline SVG, no script).",
                "One run: bench-chart --out FILE RUN.json. A/B: bench-chart --out FILE --ref A.json,... --work B.json,..."})
public final class BenchChartCommand implements Callable<Integer> {
    @Option(names = "--out", required = true, paramLabel = "FILE", description = "the page to write (replaced)")
    Path out;

    @Option(names = "--title", paramLabel = "TEXT", description = "the page's title (default: from the runs)")
    String title;

    @Option(names = "--ref", split = ",", paramLabel = "FILE", description = "A/B: summaries of the reference side's runs")
    List<Path> ref = new ArrayList<>();

    @Option(names = "--work", split = ",", paramLabel = "FILE", description = "A/B: summaries of the working tree's runs")
    List<Path> work = new ArrayList<>();

    @Option(names = "--ref-label", defaultValue = "ref", description = "name of the reference side (default: ${DEFAULT-VALUE})")
    String refLabel;

    @Option(names = "--work-label", defaultValue = "work", description = "name of the working tree's side (default: ${DEFAULT-VALUE})")
    String workLabel;

    @Parameters(paramLabel = "RUN.json", description = "summaries of lone runs (one line each)")
    List<Path> runs = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
        if (runs.isEmpty() == (ref.isEmpty() && work.isEmpty())) {
            throw new IllegalArgumentException("give either RUN.json files or --ref and --work, not both and not neither");
        }
        if (runs.isEmpty() && (ref.isEmpty() || work.isEmpty())) {
            throw new IllegalArgumentException("an A/B chart needs runs of both sides: --ref and --work");
        }
        ObjectMapper json = new ObjectMapper();
        List<BenchRun> read = new ArrayList<>();
        for (int i = 0; i < runs.size(); i++) {
            read.add(read(json, runs.get(i), runs.size() == 1 ? "run" : "run " + (i + 1), null));
        }
        for (int i = 0; i < ref.size(); i++) {
            read.add(read(json, ref.get(i), refLabel + " " + (i + 1), refLabel));
        }
        for (int i = 0; i < work.size(); i++) {
            read.add(read(json, work.get(i), workLabel + " " + (i + 1), workLabel));
        }
        String t = title != null ? title
                : "bench " + read.get(0).mode() + (runs.isEmpty() ? ": " + workLabel + " against " + refLabel : "");
        BenchChartPage.write(out, t, read);
        System.out.println("chart     " + out);
        return 0;
    }

    private static BenchRun read(ObjectMapper json, Path file, String label, String side) throws IOException {
        try {
            return BenchRunReader.read(json.readTree(file.toFile()), label, side);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }
}

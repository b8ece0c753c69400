package dev.chat.loadgen.scenario;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.ObjectMapper;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** scripts/soak's last step: the samples and latency windows made into {@code report.json} with its verdicts. */
@Command(name = "soak-report", mixinStandardHelpOptions = true,
        description = "Writes the soak's JSON report (samples, verdicts) from samples.tsv and the latency windows; exit 0 when every series is flat.")
public final class SoakReportCommand implements Callable<Integer> {
    @Option(names = "--samples", required = true, paramLabel = "TSV", description = "scripts/soak's samples.tsv")
    Path samples;

    @Option(names = "--windows", required = true, paramLabel = "FILE", description = "loadgen soak's --window-file")
    Path windows;

    @Option(names = "--warmup", required = true, paramLabel = "S", description = "samples before this are left out of the verdicts")
    double warmupSeconds;

    @Option(names = "--window", defaultValue = "10", paramLabel = "S", description = "the windows' length (default: ${DEFAULT-VALUE} s)")
    double windowSeconds;

    @Option(names = "--out", required = true, paramLabel = "JSON", description = "where to write the report")
    Path out;

    @Override
    public Integer call() throws Exception {
        List<String> w = Files.exists(windows) ? Files.readAllLines(windows, StandardCharsets.UTF_8) : List.of();
        SoakReport report = new SoakReport(Files.readAllLines(samples, StandardCharsets.UTF_8), w, warmupSeconds,
                windowSeconds);
        Files.writeString(out, new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(report.toJson()) + "\n",
                StandardCharsets.UTF_8);
        for (SoakReport.Verdict v : report.verdicts()) {
            System.out.printf(Locale.ROOT, "    %-44s %9.1f -> %9.1f (allowed %s)  %s%s%n", v.series(), v.first(), v.last(),
                    Double.isNaN(v.allowed()) ? "-" : String.format(Locale.ROOT, "%.1f", v.allowed()),
                    v.flat() ? "flat" : "NOT FLAT", v.note().isEmpty() ? "" : " (" + v.note() + ")");
        }
        boolean pass = report.pass();
        System.out.println("report " + out + ": " + (pass ? "PASS" : "FAIL"));
        return pass ? 0 : 1;
    }
}

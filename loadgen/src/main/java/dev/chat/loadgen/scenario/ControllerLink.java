package dev.chat.loadgen.scenario;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Locale;

import dev.chat.loadgen.chart.ChartPage;
import dev.chat.loadgen.measure.Ledger;
import dev.chat.loadgen.measure.Timeline;
import picocli.CommandLine.Option;

/**
 * What a run driven by an operator script (scripts/drill, scripts/chaos) shares with its controller: a hard bound
 * on its life, progress lines in a status file, its figures also appended to a report file, a trace of every
 * connection event, and the common start: every socket open and messages flowing before it says "ready".
 */
public final class ControllerLink {
    @Option(names = "--max-runtime", defaultValue = "3600", paramLabel = "S",
            description = "the process exits after this long whatever happens (default: ${DEFAULT-VALUE} s)")
    long maxRuntimeSeconds;

    @Option(names = "--status-file", paramLabel = "FILE", description = "progress lines for the controller")
    Path statusFile;

    @Option(names = "--report-file", paramLabel = "FILE", description = "the figures are also appended here")
    Path reportFile;

    @Option(names = "--chart-file", paramLabel = "FILE",
            description = "the run's chart (one HTML page, inline SVG) is written here at the end (default: chart.html beside --report-file)")
    Path chartFile;

    @Option(names = "--json-report", paramLabel = "FILE",
            description = "the run's figures and verdicts as one JSON document, written at the end (default: report.json beside --report-file)")
    Path jsonReport;

    @Option(names = "--trace", paramLabel = "FILE",
            description = "every connection event (attempt, open, drop, failure) with its time, one per line")
    Path traceFile;

    private final PrintStream out = System.out;

    /** Halts the process (exit 3) after --max-runtime, whatever the controller does. */
    void startWatchdog(String command) {
        Thread watchdog = new Thread(() -> {
            Sleep.millis(maxRuntimeSeconds * 1000);
            System.err.println("loadgen " + command + ": --max-runtime " + maxRuntimeSeconds + " s reached; exiting");
            Runtime.getRuntime().halt(3);
        }, "max-runtime");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    Trace openTrace(long t0) throws IOException {
        return traceFile == null ? Trace.NONE : Trace.to(traceFile, t0);
    }

    PrintStream out() {
        return out;
    }

    /**
     * Starts the sockets and the ring traffic and waits, within {@code readySeconds} each, for every socket to be
     * open and two messages per client to be delivered; says why and writes "done 3" when they are not.
     */
    boolean startFlowing(Crowd crowd, RingTraffic traffic, Ledger ledger, long readySeconds) {
        crowd.start();
        if (!crowd.awaitAllOpen(Duration.ofSeconds(readySeconds))) {
            say("clients: only %d of %d sockets opened within %d s", crowd.openCount(), crowd.size(), readySeconds);
            status("done 3");
            return false;
        }
        traffic.start();
        long deadline = System.nanoTime() + readySeconds * 1_000_000_000L;
        while (ledger.all().delivered() < 2L * crowd.size() && System.nanoTime() < deadline) {
            Sleep.millis(50);
        }
        if (ledger.all().delivered() < 2L * crowd.size()) {
            say("clients: messages do not flow (%s)", ledger.all());
            status("done 3");
            return false;
        }
        return true;
    }

    /**
     * Writes the run's chart to --chart-file, or to chart.html beside --report-file; nothing when neither is
     * given. A chart that cannot be written is said, not fatal: the text report is the record.
     */
    void writeChart(Timeline timeline) {
        Path file = chartFile != null ? chartFile
                : reportFile == null ? null : reportFile.toAbsolutePath().resolveSibling("chart.html");
        if (file == null) {
            return;
        }
        try {
            ChartPage.write(file, timeline);
            say("   chart            %s", file);
        } catch (IOException | RuntimeException e) {
            say("clients: cannot write the chart %s: %s", file, e.getMessage());
        }
    }

    /**
     * Writes the run's JSON report to --json-report, or to report.json beside --report-file; nothing when neither
     * is given. A report that cannot be written is said and returns false: the system tests assert on it.
     */
    boolean writeJson(com.fasterxml.jackson.databind.node.ObjectNode report) {
        Path file = jsonReport != null ? jsonReport
                : reportFile == null ? null : reportFile.toAbsolutePath().resolveSibling("report.json");
        if (file == null) {
            return true;
        }
        try {
            Files.writeString(file, report.toPrettyString() + "\n", StandardCharsets.UTF_8);
            say("   json report      %s", file);
            return true;
        } catch (IOException e) {
            say("clients: cannot write the JSON report %s: %s", file, e.getMessage());
            return false;
        }
    }

    /** A line of the figures: to standard output and to the report file. */
    void say(String format, Object... args) {
        String line = String.format(Locale.ROOT, format, args);
        out.println(line);
        out.flush();
        if (reportFile != null) {
            append(reportFile, line);
        }
    }

    void status(String line) {
        if (statusFile != null) {
            append(statusFile, line);
        }
    }

    static void append(Path file, String line) {
        try {
            Files.writeString(file, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            System.err.println("loadgen: cannot write " + file + ": " + e.getMessage());
        }
    }
}

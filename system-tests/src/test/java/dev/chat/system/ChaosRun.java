package dev.chat.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * One run of a scenario script (scripts/chaos, scripts/drill) in a run dir of its own under system-tests/target,
 * and what it left there: the output (printed to the build log), loadgen's JSON report with every fault's figures,
 * facts, notes and the verdicts ({@code report.json}), the fault lines of {@code figures.jsonl}. What the chaos and
 * drill tests share, so that each asserts only its own scenario.
 */
final class ChaosRun {
    private static final ObjectMapper JSON = new ObjectMapper();

    final Path runDir;
    final ScriptRun.Result result;

    private ChaosRun(Path runDir, ScriptRun.Result result) {
        this.runDir = runDir;
        this.result = result;
    }

    /**
     * Runs {@code bash SCRIPT --no-install --no-build --run-dir system-tests/target/DIR ARGS...} bounded by
     * {@code timeoutSeconds}, after checking that loadgen is built; prints the output and the figures for the build
     * log.
     */
    static ChaosRun run(String script, String dir, List<String> args, long timeoutSeconds)
            throws IOException, InterruptedException {
        assertTrue(Files.isRegularFile(ScriptRun.ROOT.resolve("loadgen/target/loadgen.jar")),
                "loadgen/target/loadgen.jar is missing: build with ./mvnw -B package (the reactor builds loadgen first)");
        Path runDir = Files.createDirectories(ScriptRun.ROOT.resolve("system-tests/target")).resolve(dir);
        List<String> cmd = new ArrayList<>(List.of("bash", script, "--no-install", "--no-build", "--run-dir", runDir.toString()));
        cmd.addAll(args);
        ScriptRun.Result r = ScriptRun.run(cmd, timeoutSeconds);
        System.out.println(r.output());
        Path figures = runDir.resolve("figures.jsonl");
        if (Files.isRegularFile(figures)) {
            System.out.println("figures.jsonl:\n" + Files.readString(figures));
        }
        return new ChaosRun(runDir, r);
    }

    String output() {
        return result.output();
    }

    /** No component of the run's stack (RUN/stack/pids) and no client (RUN/pids) is left running. */
    void assertNothingLeftRunning() throws IOException {
        assertEquals(List.of(), ScriptRun.stillRunning(runDir.resolve("stack")), "components left running");
        assertEquals(List.of(), ScriptRun.stillRunning(runDir), "clients left running");
    }

    /** The script exited 0 and loadgen's JSON report says PASS. */
    void assertPassed() throws IOException {
        assertEquals(0, result.exit(), "the run failed (logs in " + runDir + "):\n" + output());
        JsonNode r = report();
        assertEquals("PASS", r.path("verdict").asText(), r.toPrettyString());
        assertEquals(0, r.path("totals").path("lost").asInt(-1), r.toPrettyString());
        assertEquals(0, r.path("totals").path("shown_twice").asInt(-1), r.toPrettyString());
        assertEquals(0, r.path("totals").path("unacked").asInt(-1), r.toPrettyString());
    }

    /** loadgen's JSON report of the run (RUN/report.json). */
    JsonNode report() throws IOException {
        Path file = runDir.resolve("report.json");
        assertTrue(Files.isRegularFile(file), "no JSON report " + file + ":\n" + output());
        return JSON.readTree(file.toFile());
    }

    /** One fault of the JSON report: loadgen's figures, with the script's "facts" and the "notes". */
    JsonNode fault(String name) throws IOException {
        for (JsonNode f : report().path("faults")) {
            if (name.equals(f.path("fault").asText())) {
                return f;
            }
        }
        throw new AssertionError("no fault " + name + " in " + runDir.resolve("report.json"));
    }

    /** The note of a fault that starts with {@code prefix}. */
    String note(String fault, String prefix) throws IOException {
        for (JsonNode n : fault(fault).path("notes")) {
            if (n.asText().startsWith(prefix)) {
                return n.asText();
            }
        }
        throw new AssertionError("no note '" + prefix + "...' of " + fault + ": " + fault(fault));
    }

    /** The fault's line of figures.jsonl written by {@code source} (loadgen), or by the script when null. */
    JsonNode figures(String fault, String source) throws IOException {
        Path file = runDir.resolve("figures.jsonl");
        for (String line : Files.readAllLines(file)) {
            JsonNode n = JSON.readTree(line);
            if (fault.equals(n.path("fault").asText())
                    && (source == null ? !n.has("source") : source.equals(n.path("source").asText()))) {
                return n;
            }
        }
        throw new AssertionError("no figures of " + fault + (source == null ? "" : " from " + source) + " in " + file);
    }

    /** The figures block of one fault in the output: from its "== NAME: figures" line to the next unindented line. */
    String block(String fault) {
        Matcher m = Pattern.compile("(?ms)^== " + Pattern.quote(fault) + ": figures.*?(?=^\\S|\\z)").matcher(output());
        assertTrue(m.find(), "no figures for " + fault + ":\n" + output());
        return m.group();
    }
}

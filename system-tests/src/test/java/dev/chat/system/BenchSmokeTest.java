package dev.chat.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.parallel.ResourceLock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A short run of the benchmark ({@code scripts/bench}, docs/performance.md) against the shared stack, in two load
 * processes: it must lose nothing, show nothing twice and get every message acked, and leave its report (text,
 * JSON, and the chart drawn from the JSON) in its report dir. Only correctness is asserted: the figures it prints
 * (latencies, rates, memory, CPU) go to the build log, never into an assertion, since these machines are shared
 * and noisy.
 */
@ResourceLock(Lanes.SHARED_STACK)
class BenchSmokeTest {
    private static final Path ROOT = LocalStack.projectRoot();

    @Test
    void theBenchScriptAnswersHelpAndRefusesNonsense() throws Exception {
        ScriptRun.answersHelpAndRefusesUnknownOptions("scripts/bench");
        ScriptRun.Result mode = ScriptRun.run(List.of("bash", "scripts/bench", "--no-build", "--mode", "warp"), 60);
        assertNotEquals(0, mode.exit());
        assertTrue(mode.output().contains("unknown mode 'warp'"), mode.output());
        // The report dir is the run's own: a dir holding anything else is refused before any load.
        Path foreign = Files.createDirectories(ROOT.resolve("system-tests/target/bench-foreign"));
        Files.writeString(foreign.resolve("notes.md"), "not a report");
        ScriptRun.Result dir = ScriptRun.run(List.of("bash", "scripts/bench", "--no-build", "--url", "http://127.0.0.1:9",
                "--report-dir", foreign.toString()), 60);
        assertNotEquals(0, dir.exit());
        assertTrue(dir.output().contains("holds notes.md, which is no benchmark report's"), dir.output());
        assertEquals("not a report", Files.readString(foreign.resolve("notes.md")));
    }

    /**
     * An operator who stops a long benchmark (Ctrl-C, or TERM from a supervisor or CI's timeout) gets the prompt back
     * at once, with the load tool gone: bash defers a trap while a foreground command runs, so a benchmark that ran
     * its load tool in the foreground waited out the whole run (an idle hold of 15 minutes here) before it stopped.
     */
    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void terminatingTheBenchmarkStopsItsLoadToolAtOnce() throws Exception {
        LocalStack stack = LocalStack.shared();
        Path reports = reportDirWithout("bench-term");
        Path out = Files.createTempFile(Files.createDirectories(ROOT.resolve("system-tests/target")), "bench-term", ".out");
        ProcessBuilder pb = new ProcessBuilder("bash", "scripts/bench", "--no-build", "--url", stack.baseUrl(), "--mode",
                "idle", "--users", "4", "--hold", "900", "--report-dir", reports.toString())
                .directory(ROOT.toFile()).redirectErrorStream(true).redirectOutput(out.toFile());
        ScriptEnvironment.prepare(pb.environment());
        Process bench = pb.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (loadTools(reports).isEmpty() || !Files.readString(out).contains("sockets open, sending nothing")) {
                assertTrue(bench.isAlive(), "scripts/bench ended before its load tool held its sockets:\n" + Files.readString(out));
                assertTrue(System.nanoTime() < deadline, "no load tool holding sockets after 120 s:\n" + Files.readString(out));
                Thread.sleep(200);
            }
            bench.destroy(); // SIGTERM
            assertTrue(bench.waitFor(60, TimeUnit.SECONDS),
                    "scripts/bench still ran 60 s after TERM, waiting for its load tool:\n" + Files.readString(out));
            assertEquals(130, bench.exitValue(), Files.readString(out));
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!loadTools(reports).isEmpty()) {
                assertTrue(System.nanoTime() < deadline, "the load tool outlived scripts/bench: " + loadTools(reports));
                Thread.sleep(200);
            }
        } finally {
            bench.destroyForcibly();
            loadTools(reports).forEach(ProcessHandle::destroyForcibly);
        }
    }

    /** system-tests/target/NAME, emptied of the report files an earlier run wrote there. */
    private static Path reportDirWithout(String name) throws IOException {
        Path reports = ROOT.resolve("system-tests/target").resolve(name);
        for (String f : List.of("report.txt", "report.json", "chart.html")) {
            Files.deleteIfExists(reports.resolve(f));
        }
        return reports;
    }

    /** The load tools writing into this report dir (their command line names it). */
    private static List<ProcessHandle> loadTools(Path reports) {
        String dir = reports.toString();
        return ProcessHandle.allProcesses().filter(ProcessHandle::isAlive)
                .filter(h -> h.info().commandLine().map(c -> c.contains("loadgen") && c.contains(dir)).orElse(false))
                .toList();
    }

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void aShortBenchmarkLosesNothingAndShowsNothingTwice() throws Exception {
        assertTrue(Files.isRegularFile(ROOT.resolve("loadgen/target/loadgen.jar")),
                "loadgen/target/loadgen.jar is missing: build with ./mvnw -B package (the reactor builds loadgen first)");
        LocalStack stack = LocalStack.shared();
        Path json = Files.createDirectories(ROOT.resolve("system-tests/target")).resolve("bench-smoke.json");
        Files.deleteIfExists(json);
        Path reports = reportDirWithout("bench-smoke");
        ScriptRun.Result r = ScriptRun.run(List.of("bash", "scripts/bench", "--no-build", "--url", stack.baseUrl(), "--pids-dir",
                stack.runDir().resolve("pids").toString(), "--users", "20", "--rate", "5", "--warmup", "2", "--duration",
                "5", "--procs", "2", "--json", json.toString(), "--report-dir", reports.toString()), 300);
        // The figures belong in the build log; they are never asserted.
        System.out.println(r.output());
        assertTrue(Files.isRegularFile(json), "no JSON summary:\n" + r.output());
        JsonNode s = new ObjectMapper().readTree(json.toFile());
        JsonNode whole = s.path("whole");
        assertEquals(20, s.path("connect").path("open").asInt(), r.output());
        assertTrue(whole.path("sent").asLong() > 0, "nothing was sent:\n" + r.output());
        assertEquals(0, whole.path("lost").asLong(), "lost messages:\n" + r.output());
        assertEquals(0, whole.path("shownTwice").asLong(), "messages shown twice:\n" + r.output());
        assertEquals(0, whole.path("unacked").asLong(), "messages never acked:\n" + r.output());
        assertEquals(whole.path("sent").asLong(), whole.path("delivered").asLong(), r.output());
        assertEquals(0, r.exit(), r.output());
        // The report dir: what it printed, the same summary, and the chart of the run drawn from it, with the
        // second-by-second record of both load processes and the measured window on it.
        assertTrue(Files.readString(reports.resolve("report.txt")).contains("verdict   PASS"), r.output());
        // What the services ran with, from their command lines: the test stacks' own flag last (ScriptEnvironment).
        for (String service : List.of("user-service", "presence-service", "chat-node-1", "chat-node-2", "chat-node-3")) {
            JsonNode flags = s.path("jvmFlags").path(service);
            assertTrue(flags.size() > 1 && ScriptEnvironment.SERVICES_EXTRA_JVM_FLAGS.equals(flags.get(flags.size() - 1).asText()),
                    service + "'s JVM options in the report: " + s.path("jvmFlags"));
        }
        assertTrue(r.output().contains("jvm       -Xms32m"), r.output());
        // Each chat node's JIT compilers' CPU is a part of that node's CPU, read from its threads.
        JsonNode usage = s.path("usage");
        for (String node : List.of("chat-node-1", "chat-node-2", "chat-node-3")) {
            JsonNode jit = usage.path("componentJitCores").path(node);
            assertTrue(jit.isNumber() && jit.asDouble() >= 0
                    && jit.asDouble() <= usage.path("componentCores").path(node).asDouble() + 0.02,
                    node + "'s JIT cores within its cores: " + usage);
        }
        assertTrue(r.output().contains("of which JIT compiler threads: "), r.output());
        assertEquals(s, new ObjectMapper().readTree(reports.resolve("report.json").toFile()));
        JsonNode timeline = s.path("timeline");
        assertTrue(timeline.path("seconds").size() >= 5, "the traffic second by second: " + timeline);
        assertEquals("measured", timeline.path("windows").path(0).path("name").asText(), timeline.toString());
        long sentBySecond = 0;
        for (JsonNode sec : timeline.path("seconds")) {
            sentBySecond += sec.path("sent").asLong();
        }
        assertTrue(sentBySecond > 0 && sentBySecond <= whole.path("sent").asLong(), timeline.toString());
        String chart = Files.readString(reports.resolve("chart.html"));
        assertTrue(chart.contains("<svg") && chart.contains("id=\"curve\"") && chart.contains("id=\"rate\""),
                "the chart has the latency curve and the per-second panels");
        assertTrue(chart.contains("class=\"window\" data-name=\"measured\""), "the measured window is shaded");
    }

    /**
     * A ramp warms up at its first rate before it measures its first step (docs/performance.md, eighth round): its
     * first step used to be measured seconds after the sockets connected, with the services still compiling. Only
     * the shape of the run is asserted (traffic before the first window, the window after the warm-up), never a
     * figure.
     */
    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void aRampWarmsUpAtItsFirstRateBeforeItsFirstStep() throws Exception {
        LocalStack stack = LocalStack.shared();
        Path reports = reportDirWithout("bench-ramp");
        ScriptRun.Result r = ScriptRun.run(List.of("bash", "scripts/bench", "--no-build", "--url", stack.baseUrl(), "--mode",
                "ramp", "--users", "20", "--ramp-from", "20", "--ramp-step", "20", "--ramp-to", "40", "--warmup", "4",
                "--step-warmup", "1", "--step-seconds", "2", "--report-dir", reports.toString()), 300);
        System.out.println(r.output());
        assertTrue(Files.isRegularFile(reports.resolve("report.json")), "no report:\n" + r.output());
        JsonNode s = new ObjectMapper().readTree(reports.resolve("report.json").toFile());
        assertEquals(4, s.path("warmupSeconds").asLong(), r.output());
        assertTrue(r.output().contains("warm-up   4 s at 20 msgs/s before the first step"), r.output());
        assertTrue(s.path("ramp").size() >= 1, "no step measured:\n" + r.output());
        JsonNode timeline = s.path("timeline");
        double firstStep = timeline.path("windows").path(0).path("from").asDouble();
        assertTrue(firstStep >= 4.5, "the first step's window began " + firstStep + " s into the traffic: " + timeline);
        long sentBefore = 0;
        for (JsonNode sec : timeline.path("seconds")) {
            if (sec.path("t").asDouble() + 1 <= firstStep - 1) {
                sentBefore += sec.path("sent").asLong();
            }
        }
        assertTrue(sentBefore > 0, "no traffic during the warm-up: " + timeline);
        assertEquals(0, s.path("whole").path("lost").asLong(), r.output());
        assertEquals(0, s.path("whole").path("shownTwice").asLong(), r.output());
    }
}

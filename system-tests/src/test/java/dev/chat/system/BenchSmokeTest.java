package dev.chat.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A short run of the benchmark ({@code scripts/bench}, docs/performance.md) against the shared stack, in two load
 * processes: it must lose nothing, show nothing twice and get every message acked. Only correctness is asserted:
 * the figures it prints (latencies, rates, memory, CPU) go to the build log, never into an assertion, since these
 * machines are shared and noisy.
 */
class BenchSmokeTest {
    private static final Path ROOT = LocalStack.projectRoot();

    @Test
    void theBenchScriptAnswersHelpAndRefusesNonsense() throws Exception {
        ScriptRun.answersHelpAndRefusesUnknownOptions("scripts/bench");
        ScriptRun.Result mode = ScriptRun.run(List.of("bash", "scripts/bench", "--no-build", "--mode", "warp"), 60);
        assertNotEquals(0, mode.exit());
        assertTrue(mode.output().contains("unknown mode 'warp'"), mode.output());
    }

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void aShortBenchmarkLosesNothingAndShowsNothingTwice() throws Exception {
        assertTrue(Files.isRegularFile(ROOT.resolve("loadgen/target/loadgen.jar")),
                "loadgen/target/loadgen.jar is missing: build with ./mvnw -B package (the reactor builds loadgen first)");
        LocalStack stack = LocalStack.shared();
        Path json = Files.createDirectories(ROOT.resolve("system-tests/target")).resolve("bench-smoke.json");
        Files.deleteIfExists(json);
        ScriptRun.Result r = ScriptRun.run(List.of("bash", "scripts/bench", "--no-build", "--url", stack.baseUrl(), "--pids-dir",
                stack.runDir().resolve("pids").toString(), "--users", "20", "--rate", "5", "--warmup", "2", "--duration",
                "5", "--procs", "2", "--json", json.toString()), 300);
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
    }
}

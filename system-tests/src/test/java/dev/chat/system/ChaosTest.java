package dev.chat.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The shortened chaos run of the test command: {@code scripts/chaos --short} starts a stack of its own, lets 40
 * clients chat through HAProxy, and injects kill -9 of the busiest chat node, PostgreSQL stopped for 10 s and a
 * chat node frozen (SIGSTOP) for 10 s. It passes only when no acked message was lost, none was shown twice, and
 * every client was back within 10 s after each fault ended; while PostgreSQL was down sends were refused with
 * {@code unavailable} (and retried until acked). Whatever happens it stops what it started; this test checks that
 * too. The full run (six faults, 200 clients) is {@code scripts/chaos}; its figures are in docs/reliability.md.
 */
class ChaosTest {
    @Test
    void theChaosAndSoakScriptsAnswerHelpAndRefuseNonsense() throws Exception {
        for (String script : List.of("scripts/chaos", "scripts/soak")) {
            ScriptRun.answersHelpAndRefusesUnknownOptions(script);
        }
        ScriptRun.Result fault = ScriptRun.run(List.of("bash", "scripts/chaos", "--faults", "node-kill,meteor"), 60);
        assertNotEquals(0, fault.exit());
        assertTrue(fault.output().contains("unknown fault 'meteor'"), fault.output());
        ScriptRun.Result minutes = ScriptRun.run(List.of("bash", "scripts/soak", "--minutes", "0"), 60);
        assertNotEquals(0, minutes.exit());
        assertTrue(minutes.output().contains("--minutes must be"), minutes.output());
    }

    @Test
    @Timeout(value = 12, unit = TimeUnit.MINUTES)
    void theShortChaosRunLosesNothingShowsNothingTwiceAndEveryClientIsBackInTime() throws Exception {
        assertTrue(Files.isRegularFile(ScriptRun.ROOT.resolve("loadgen/target/loadgen.jar")),
                "loadgen/target/loadgen.jar is missing: build with ./mvnw -B package (the reactor builds loadgen first)");
        int base = ScriptRun.freePortBase();
        Path runDir = Files.createDirectories(ScriptRun.ROOT.resolve("system-tests/target")).resolve("chaos-" + base);
        ScriptRun.Result r = ScriptRun.run(List.of("bash", "scripts/chaos", "--short", "--no-install", "--no-build",
                "--port-base", Integer.toString(base), "--run-dir", runDir.toString(), "--timeout", "540"), 660);
        // The figures belong in the build log.
        System.out.println(r.output());

        assertEquals(List.of(), ScriptRun.stillRunning(runDir.resolve("stack")), "components left running");
        assertEquals(List.of(), ScriptRun.stillRunning(runDir), "clients left running");
        assertEquals(0, r.exit(), "the chaos run failed (logs in " + runDir + "):\n" + r.output());
        for (String fault : List.of("node-kill", "postgres-stop", "node-stop")) {
            String block = block(r.output(), fault);
            assertTrue(block.contains("lost 0, shown twice 0"), block);
            assertTrue(block.contains("every client back <= 10 s after the end: ok"), block);
        }
        // PostgreSQL down: sends were refused with a clear error (and retried by the clients until acked).
        assertTrue(block(r.output(), "postgres-stop").contains("unavailable="), block(r.output(), "postgres-stop"));
        assertTrue(r.output().contains("verdict          PASS: lost 0, shown twice 0, unacked 0"), r.output());
        assertTrue(r.output().contains("cleaned up: the stack"), r.output());
        // The run's chart beside its report, a band for each fault (ChartInBrowserTest renders such a page).
        String chart = Files.readString(runDir.resolve("chart.html"));
        for (String fault : List.of("node-kill", "postgres-stop", "node-stop")) {
            assertTrue(chart.contains("<g class=\"fault\" data-name=\"" + fault + "\">"), "no band for " + fault);
        }
    }

    /** The figures block of one fault: from its "== NAME: figures" line to the next blank line. */
    static String block(String output, String fault) {
        Matcher m = Pattern.compile("(?ms)^== " + Pattern.quote(fault) + ": figures.*?(?=^\\S|\\z)").matcher(output);
        assertTrue(m.find(), "no figures for " + fault + ":\n" + output);
        return m.group();
    }
}

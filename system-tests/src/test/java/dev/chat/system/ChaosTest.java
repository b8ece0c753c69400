package dev.chat.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.parallel.ResourceLock;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The shortened chaos run of the test command: {@code scripts/chaos --short} starts a stack of its own, lets 40
 * clients chat through HAProxy, and injects kill -9 of the busiest chat node, PostgreSQL stopped for 10 s and a
 * chat node frozen (SIGSTOP) for 10 s. It passes only when no acked message was lost, none was shown twice, and
 * every client came back after each fault ended (within 10 s is reported, not asserted: {@code --report-timings}); while PostgreSQL was down sends were refused with
 * {@code unavailable} (and retried until acked). Whatever happens it stops what it started; this test checks that
 * too. Everything is asserted from loadgen's JSON report (report.json in the run dir), which holds the verdicts;
 * the output goes to the build log. The full run (six faults, 200 clients) is {@code scripts/chaos}; its figures
 * are in docs/reliability.md.
 */
@ResourceLock(Lanes.SCENARIOS)
class ChaosTest {
    @Test
    void theChaosAndSoakScriptsAnswerHelpAndRefuseNonsense() throws Exception {
        for (String script : List.of("scripts/chaos", "scripts/soak")) {
            ScriptRun.answersHelpAndRefusesUnknownOptions(script);
        }
        ScriptRun.Result fault = ScriptRun.run(List.of("bash", "scripts/chaos", "--faults", "node-kill,meteor"), 60);
        assertNotEquals(0, fault.exit());
        assertTrue(fault.output().contains("unknown fault 'meteor'"), fault.output());
        // The plumbing loadgen's fault schedule calls: documented, and refused outside a chaos run's dir.
        ScriptRun.Result help = ScriptRun.run(List.of("bash", "scripts/chaos", "--help"), 60);
        for (String call : List.of("--inject NAME", "--restore NAME", "--state QUERY")) {
            assertTrue(help.output().contains(call), help.output());
        }
        java.nio.file.Path empty = Files.createTempDirectory(
                Files.createDirectories(ScriptRun.ROOT.resolve("system-tests/target")), "chaos-plumbing-");
        ScriptRun.Result inject = ScriptRun.run(List.of("bash", "scripts/chaos", "--run-dir", empty.toString(), "--inject",
                "node-stop", "chat-node-2"), 60);
        assertNotEquals(0, inject.exit());
        assertTrue(inject.output().contains("no chaos run's stack in"), inject.output());
        ScriptRun.Result minutes = ScriptRun.run(List.of("bash", "scripts/soak", "--minutes", "0"), 60);
        assertNotEquals(0, minutes.exit());
        assertTrue(minutes.output().contains("--minutes must be"), minutes.output());
    }

    @Test
    @Timeout(value = 12, unit = TimeUnit.MINUTES)
    void theShortChaosRunLosesNothingShowsNothingTwiceAndEveryClientComesBack() throws Exception {
        int base = ScriptRun.freePortBase();
        ChaosRun run = ChaosRun.run("scripts/chaos", "chaos-" + base, List.of("--short", "--report-timings", "--port-base",
                Integer.toString(base), "--timeout", "540"), 660);

        run.assertNothingLeftRunning();
        run.assertPassed();
        for (String fault : List.of("node-kill", "postgres-stop", "node-stop")) {
            JsonNode f = run.fault(fault);
            assertEquals(0, f.path("lost").asInt(-1), f.toString());
            assertEquals(0, f.path("shown_twice").asInt(-1), f.toString());
            // Every client came back (how fast is a figure in the report, not asserted: a shared machine).
            assertTrue(f.path("every_client_back_after_end_s").isNumber(), f.toString());
            assertTrue(f.path("ok").asBoolean(false), f.toString());
            // The probes through HAProxy, one a second while the fault lasted (at least one round).
            assertTrue(run.note(fault, "probes through the entry point").matches(".*new socket: .+ x\\d+.*"), f.toString());
        }
        // PostgreSQL down: sends were refused with a clear error (and retried by the clients until acked).
        assertTrue(run.fault("postgres-stop").path("error_frames").path("unavailable").asInt() > 0,
                run.fault("postgres-stop").toString());
        // Every acked message is in the message log exactly once, and the services' metrics were read.
        JsonNode report = run.report();
        assertTrue(report.path("store_check").path("ok").asBoolean(false), report.path("store_check").toString());
        assertTrue(report.path("store_check").path("acked").asInt() > 0, report.path("store_check").toString());
        assertTrue(report.path("metrics").path("node-1").has("sockets_open"), report.path("metrics").toString());
        assertTrue(report.path("presence_map").path("users").asInt(-1) >= 0, report.toString());
        assertTrue(run.output().contains("cleaned up: the stack"), run.output());
        // The run's chart beside its report, a band for each fault (ChartInBrowserTest renders such a page).
        String chart = Files.readString(run.runDir.resolve("chart.html"));
        for (String fault : List.of("node-kill", "postgres-stop", "node-stop")) {
            assertTrue(chart.contains("<g class=\"fault\" data-name=\"" + fault + "\">"), "no band for " + fault);
        }
    }
}

package dev.chat.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * The chaos run's failure path end to end: {@code loadgen chaos} with real clients chatting through the shared
 * stack's HAProxy, a data tier fault of its schedule ({@code --ha --faults redis-master-kill}), and plumbing that
 * names a target but cannot inject (a shell function standing in for scripts/chaos, which would act on the
 * replicated stack). The schedule must stop at the injection, still call the restore, and the run must end with
 * the verdict FAIL in its JSON report, the failing step and what the plumbing said in it, and exit 1. Nothing is done
 * to the shared stack: the plumbing acts on nothing.
 */
@ResourceLock(Lanes.SHARED_STACK)
class ChaosScheduleFailureTest {
    /** Answers the target query; refuses every injection and restore, saying so. */
    private static final String PLUMBING = "f() { if [[ \"$1 $2\" == '--state redis-master' ]]; then echo redis-1;"
            + " else echo \"cannot $*\"; return 1; fi; }; f";

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void aPlumbingCallThatFailsIsRestoredReportedAsTheRunsFailureAndExits1() throws Exception {
        LocalStack stack = LocalStack.shared();
        Path dir = Files.createTempDirectory(Files.createDirectories(ScriptRun.ROOT.resolve("system-tests/target")),
                "chaos-failure-");
        Path json = dir.resolve("report.json");
        Path status = dir.resolve("status");
        ScriptRun.Result r = ScriptRun.run(List.of("java", "-Xmx256m", "-jar",
                ScriptRun.ROOT.resolve("loadgen/target/loadgen.jar").toString(), "chaos", "--url", stack.baseUrl(),
                "--clients", "2", "--interval", "1000", "--user-prefix", "cf", "--settle", "30", "--ha", "--faults",
                "redis-master-kill", "--plumbing", PLUMBING, "--ready", "user-service=http://127.0.0.1:"
                        + stack.managementPort("user-service") + "/q/health/ready",
                "--json-report", json.toString(), "--status-file", status.toString()), 300);

        assertEquals(1, r.exit(), r.output());
        JsonNode report = new ObjectMapper().readTree(json.toFile());
        assertEquals("FAIL", report.path("verdict").asText(), report.toString());
        JsonNode schedule = report.path("schedule");
        assertFalse(schedule.path("ok").asBoolean(true), schedule.toString());
        assertEquals("redis-master-kill: injection (--inject redis-master-kill redis-1) failed, exit 1: cannot --inject"
                + " redis-master-kill redis-1", schedule.path("failure").asText(), schedule.toString());
        assertEquals("--restore redis-master-kill redis-1: FAILED (exit 1: cannot --restore redis-master-kill redis-1)",
                schedule.path("restore_after_failure").asText(), schedule.toString());
        List<String> lines = Files.readAllLines(status);
        assertTrue(lines.contains("faults failed") && lines.contains("done 1"), lines.toString());
        assertTrue(r.output().contains("fault schedule FAILED: redis-master-kill: injection"), r.output());
    }
}

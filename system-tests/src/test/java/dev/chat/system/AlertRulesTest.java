package dev.chat.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

import dev.chat.system.ScriptRun.Result;

/**
 * The Prometheus rules in monitoring/ are valid and their unit tests pass ({@code promtool test rules}, Debian's
 * prometheus package, installed by scripts/install-deps), and every alert the rules define is exercised by those
 * tests: an alert added without a test fails here.
 */
@ResourceLock(Lanes.SHARED_STACK)
class AlertRulesTest {
    private static final Path RULES = ScriptRun.ROOT.resolve("monitoring/chat.rules.yml");
    private static final Path TESTS = ScriptRun.ROOT.resolve("monitoring/tests/chat.rules.test.yml");

    @BeforeAll
    static void promtoolIsInstalled() throws Exception {
        Result v = ScriptRun.run(List.of("bash", "-c", "command -v promtool"), 30);
        assertEquals(0, v.exit(), "promtool is missing: run scripts/install-deps (Debian package prometheus)");
    }

    @Test
    void theRulesAreValid() throws Exception {
        Result r = ScriptRun.run(List.of("promtool", "check", "rules", RULES.toString()), 60);
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.output().contains("SUCCESS"), r.output());
    }

    @Test
    void theRulesPassTheirUnitTests() throws Exception {
        Result r = ScriptRun.run(List.of("promtool", "test", "rules", TESTS.toString()), 120);
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.output().contains("SUCCESS"), r.output());
    }

    @Test
    void everyAlertHasATestThatFiresItAndOneThatDoesNot() throws IOException {
        String tests = Files.readString(TESTS);
        Matcher m = Pattern.compile("(?m)^\\s*- alert: (\\w+)").matcher(Files.readString(RULES));
        int alerts = 0;
        while (m.find()) {
            alerts++;
            String name = m.group(1);
            // An evaluation expecting it (exp_alerts with labels) and one expecting nothing (exp_alerts: []).
            Matcher t = Pattern.compile("alertname: " + name + "\\n\\s*exp_alerts:(.*)").matcher(tests);
            boolean fires = false;
            boolean silent = false;
            while (t.find()) {
                fires |= t.group(1).isBlank();
                silent |= t.group(1).trim().equals("[]");
            }
            assertTrue(fires, name + " has no test in which it fires");
            assertTrue(silent, name + " has no test in which it stays quiet");
        }
        assertTrue(alerts >= 13, "alerts found: " + alerts);
    }
}

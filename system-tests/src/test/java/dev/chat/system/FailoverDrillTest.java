package dev.chat.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The shortened failover drill of the test command: {@code scripts/drill --short} builds its own network
 * namespaces (two proxy hosts with HAProxy and keepalived sharing a virtual IP, the chat stack, a client host,
 * a bridge), kills the active HAProxy, stops keepalived on the master and drains a chat node while clients
 * chat through the virtual IP, and exits 0 only when nothing was lost or shown twice. Whatever happens it
 * removes every namespace and process it made; this test checks that too. Needs root (CI runs as root).
 */
class FailoverDrillTest {
    private static final Path ROOT = LocalStack.projectRoot();

    @Test
    void theDrillAndTheDrainScriptAnswerHelpAndRefuseNonsense() throws Exception {
        for (String script : List.of("scripts/drill", "scripts/drain")) {
            ScriptRun.answersHelpAndRefusesUnknownOptions(script);
        }
        ScriptRun.Result fault = ScriptRun.run(List.of("bash", "scripts/drill", "--faults", "haproxy-kill,meteor"), 60);
        assertNotEquals(0, fault.exit());
        assertTrue(fault.output().contains("unknown fault 'meteor'"), fault.output());
        ScriptRun.Result node = ScriptRun.run(List.of("bash", "scripts/drain", "redis"), 60);
        assertNotEquals(0, node.exit());
        assertTrue(node.output().contains("is not a chat node"), node.output());
    }

    @Test
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void theShortDrillLosesNothingShowsNothingTwiceAndLeavesNothingBehind() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "the drill needs root (network namespaces)");
        assumeTrue(onPath("keepalived") || Files.isExecutable(Path.of("/usr/sbin/keepalived")), "keepalived is not installed");
        assumeTrue(ScriptRun.run(List.of("ip", "netns", "list"), 30).exit() == 0, "'ip netns' does not work here");
        assertTrue(Files.isRegularFile(ROOT.resolve("loadgen/target/loadgen.jar")),
                "loadgen/target/loadgen.jar is missing: build with ./mvnw -B package (the reactor builds loadgen first)");

        // A prefix of its own: a drill someone runs by hand (prefix 'chat') is not disturbed.
        String prefix = "dt" + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36, 36 * 36 * 36 * 36), 36);
        Path runDir = Files.createDirectories(ROOT.resolve("system-tests/target")).resolve("drill-" + prefix);
        ScriptRun.Result r = ScriptRun.run(List.of("bash", "scripts/drill", "--short", "--no-install", "--no-build", "--prefix", prefix,
                "--run-dir", runDir.toString(), "--timeout", "720"), 840);
        // The figures belong in the build log.
        System.out.println(r.output());

        List<String> left = new ArrayList<>();
        for (String line : ScriptRun.run(List.of("ip", "netns", "list"), 30).output().split("\n")) {
            if (line.startsWith(prefix + "-")) {
                left.add(line);
            }
        }
        assertEquals(List.of(), left, "namespaces left behind by the drill");
        assertEquals(0, r.exit(), "the drill failed (logs in " + runDir.resolve("logs") + "):\n" + r.output());
        for (String fault : List.of("haproxy-kill", "keepalived-stop", "node-drain")) {
            assertTrue(r.output().contains("== " + fault + ": figures"), "no figures for " + fault + ":\n" + r.output());
        }
        assertTrue(r.output().contains("verdict          PASS: lost 0, shown twice 0"), r.output());
        assertTrue(r.output().contains("cleaned up: namespaces"), r.output());
    }

    private static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }
}

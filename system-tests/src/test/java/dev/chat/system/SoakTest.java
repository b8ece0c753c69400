package dev.chat.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The one-minute soak of the test command: {@code scripts/soak --minutes 1} starts a stack of its own, runs a ring
 * of 100 chatting clients plus a visitor connection a second, samples every 10 s each service's heap after GC,
 * Metaspace, file descriptors and threads, Redis keys, presence entries and PostgreSQL connections, and passes
 * only when none grew beyond its allowance, the presence map matched the live sockets at every sample, and no
 * message was lost or shown twice. The full run is {@code scripts/soak} (10 minutes; figures in
 * docs/reliability.md).
 */
class SoakTest {
    @Test
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void aMinuteOfSoakShowsNoGrowthAndThePresenceMapMatchesTheLiveSet() throws Exception {
        assertTrue(Files.isRegularFile(ScriptRun.ROOT.resolve("loadgen/target/loadgen.jar")),
                "loadgen/target/loadgen.jar is missing: build with ./mvnw -B package (the reactor builds loadgen first)");
        int base = ScriptRun.freePortBase();
        Path runDir = Files.createDirectories(ScriptRun.ROOT.resolve("system-tests/target")).resolve("soak-" + base);
        ScriptRun.Result r = ScriptRun.run(List.of("bash", "scripts/soak", "--minutes", "1", "--no-install", "--no-build",
                "--port-base", Integer.toString(base), "--run-dir", runDir.toString(), "--timeout", "420"), 480);
        System.out.println(r.output());

        assertEquals(List.of(), ScriptRun.stillRunning(runDir.resolve("stack")), "components left running");
        assertEquals(List.of(), ScriptRun.stillRunning(runDir), "clients left running");
        assertEquals(0, r.exit(), "the soak failed (logs in " + runDir + "):\n" + r.output());
        long samples = r.output().lines().filter(l -> l.startsWith("sample ")).count();
        assertTrue(samples >= 6, samples + " samples:\n" + r.output());
        for (String series : List.of("chat-node-1 heap after GC", "user-service file descriptors",
                "presence-service threads", "redis keys", "presence entries (sockets)")) {
            assertTrue(r.output().lines().anyMatch(l -> l.contains(series) && l.endsWith("ok")), series + ":\n" + r.output());
        }
        assertTrue(r.output().contains("presence map vs live sockets"), r.output());
        assertTrue(r.output().contains("verdict   PASS"), r.output());
        assertTrue(r.output().contains("PASS: no growth beyond the allowances"), r.output());
        assertTrue(r.output().contains("cleaned up: the stack"), r.output());
    }
}

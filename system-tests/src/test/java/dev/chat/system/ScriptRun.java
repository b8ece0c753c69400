package dev.chat.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs one of the operator scripts (scripts/chaos, soak, drill, drain) from the repository root, bounded in time, with
 * the output kept for assertions and the build log; finds a free port base for the stack they start.
 */
final class ScriptRun {
    static final Path ROOT = LocalStack.projectRoot();

    record Result(int exit, String output) {
    }

    private ScriptRun() {
    }

    /**
     * Runs a command from the repository root in {@link ScriptEnvironment}'s environment; on timeout TERM (the
     * scripts clean up on TERM), then KILL.
     */
    static Result run(List<String> cmd, long timeoutSeconds) throws IOException, InterruptedException {
        Path out = Files.createTempFile(Files.createDirectories(ROOT.resolve("system-tests/target")), "script", ".out");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectErrorStream(true)
                .redirectOutput(out.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        ScriptEnvironment.prepare(pb.environment());
        Process p = pb.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroy();
            if (!p.waitFor(90, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            String text = Files.readString(out, StandardCharsets.UTF_8);
            throw new AssertionError("timed out after " + timeoutSeconds + " s: " + String.join(" ", cmd) + "\n" + text);
        }
        String text = Files.readString(out, StandardCharsets.UTF_8);
        Files.deleteIfExists(out);
        return new Result(p.exitValue(), text);
    }

    /** An operator script answers --help with its usage and refuses an unknown option, naming it. */
    static void answersHelpAndRefusesUnknownOptions(String script) throws IOException, InterruptedException {
        Result help = run(List.of("bash", script, "--help"), 60);
        assertEquals(0, help.exit(), help.output());
        assertTrue(help.output().contains("Usage:"), help.output());
        Result bad = run(List.of("bash", script, "--no-such-option"), 60);
        assertNotEquals(0, bad.exit());
        assertTrue(bad.output().contains("unknown option --no-such-option"), bad.output());
    }

    /** A port base B with B..B+49 free on loopback (the stack and its management ports), below 32768. */
    static int freePortBase() {
        return freePortBase(49);
    }

    /**
     * A port base B with B..B+span free on loopback (49 covers the services' management ports, B+31..B+49), on the
     * 50-port grid between 20000 and 32767, reserved in this JVM ({@link LocalStack#reservePortBase}) so that a test
     * running beside this one never gets it too.
     */
    static int freePortBase(int span) {
        return LocalStack.reservePortBase(span);
    }

    /** Components of a stack whose recorded PIDs still run (a PID file left with a live process). */
    static List<String> stillRunning(Path stackRunDir) throws IOException {
        List<String> left = new ArrayList<>();
        Path pids = stackRunDir.resolve("pids");
        if (!Files.isDirectory(pids)) {
            return left;
        }
        try (var files = Files.list(pids)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".pid")).toList()) {
                String pid = Files.readString(f).trim();
                Path stat = Path.of("/proc", pid, "stat");
                if (pid.matches("\\d+") && Files.exists(stat)) {
                    String s = Files.readString(stat);
                    String state = s.substring(s.lastIndexOf(')') + 2, s.lastIndexOf(')') + 3);
                    if (!state.equals("Z") && !state.equals("X")) {
                        left.add(f.getFileName().toString().replace(".pid", "") + " (pid " + pid + ")");
                    }
                }
            }
        }
        return left;
    }
}

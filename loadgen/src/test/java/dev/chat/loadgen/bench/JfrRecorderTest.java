package dev.chat.loadgen.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bench --jfr's recordings of other JVMs: a refusal is reported, not taken for a recording, and a JVM that runs as
 * another user (the chat nodes, under scripts/up) records all the same. Each test's JVM is a child process of its
 * own, recorded through jcmd as the benchmark does it.
 */
class JfrRecorderTest {
    @TempDir
    Path tmp;

    @Test
    void aRecordingTheJvmCannotWriteIsARefusalWithItsReason() throws Exception {
        Process jvm = sleeper(List.of());
        try {
            awaitAttachable(jvm.pid());
            // A directory no one may create files in, root included: the JVM refuses, and jcmd still exits 0.
            Path dir = Path.of("/proc");
            JfrRecorder.Start s = JfrRecorder.start(jvm.pid(), "chat-node-1", "default", dir);
            assertFalse(s.started(), "a recording the JVM cannot write cannot have started");
            assertTrue(s.refusal().contains("chat-node-1.jfr"), s.refusal());
            assertFalse(JfrRecorder.stop(jvm.pid(), "chat-node-1"), "there is no recording to stop");
        } finally {
            stop(jvm);
        }
    }

    @Test
    void aJvmOfTheSameUserRecordsIntoTheDirectory() throws Exception {
        Process jvm = sleeper(List.of());
        try {
            awaitAttachable(jvm.pid());
            JfrRecorder.Start s = JfrRecorder.start(jvm.pid(), "chat-node-1", "default", tmp.resolve("jfr"));
            assertTrue(s.started(), s.refusal());
            assertEquals(tmp.resolve("jfr").resolve("chat-node-1.jfr"), s.file());
            assertTrue(JfrRecorder.stop(jvm.pid(), "chat-node-1"));
            assertRecording(s.file());
        } finally {
            stop(jvm);
        }
    }

    /** The defect this class fixes: the nodes run as chat-node, the benchmark as root, and nothing was recorded. */
    @Test
    void aJvmOfAnotherUserRecordsIntoADirectoryItOwns() throws Exception {
        assumeTrue(Proc.uid(ProcessHandle.current().pid()) == 0, "needs root, as scripts/up's stacks do");
        // The child runs as nobody: its program and the JDK must be readable by it, the temp dir is root's.
        Path src = Files.createTempDirectory(Path.of("/tmp"), "jfr-sleeper");
        try {
            Files.setPosixFilePermissions(src, PosixFilePermissions.fromString("rwxr-xr-x"));
            Process jvm = sleeper(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"), src);
            try {
                awaitAttachable(jvm.pid());
                long childUid = Proc.uid(jvm.pid());
                assertEquals(65534, childUid, "the JVM runs as nobody");
                // As a run dir: the JVM's user may pass through it (the chat nodes read their jars under it).
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx--x--x"));
                Path dir = tmp.resolve("jfr");
                JfrRecorder.Start s = JfrRecorder.start(jvm.pid(), "chat-node-2", "default", dir);
                assertTrue(s.started(), s.refusal());
                assertTrue(JfrRecorder.stop(jvm.pid(), "chat-node-2"));
                assertTrue(s.file().startsWith(dir), s.file().toString());
                assertRecording(s.file());
            } finally {
                stop(jvm);
            }
        } finally {
            try (var files = Files.walk(src)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void assertRecording(Path file) throws IOException {
        assertTrue(Files.isRegularFile(file), file + " was written");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        JfrTop.print(List.of(file), 5, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String report = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(report.contains("recording(s)"), report);
    }

    private Process sleeper(List<String> prefix) throws IOException {
        return sleeper(prefix, tmp);
    }

    /** A JVM that sleeps until stopped, from a one-file program (the source launcher): no class path to share. */
    private static Process sleeper(List<String> prefix, Path dir) throws IOException {
        Path program = dir.resolve("Sleeper.java");
        Files.writeString(program, """
                public class Sleeper {
                    public static void main(String[] args) throws Exception {
                        Thread.sleep(120_000);
                    }
                }
                """);
        Files.setPosixFilePermissions(program, PosixFilePermissions.fromString("rw-r--r--"));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> cmd = new java.util.ArrayList<>(prefix);
        cmd.addAll(List.of(java.toString(), "-Xmx32m", program.toString()));
        // setpriv execs the JVM (no child of its own), so the PID is the JVM's.
        return new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    /** Polls jcmd VM.version until the child answers (its attach listener is up), within 60 s. */
    private static void awaitAttachable(long pid) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            String out = Proc.jcmdOutput(pid, "VM.version");
            if (out != null && out.contains("JDK")) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("JVM " + pid + " never answered jcmd");
    }

    private static void stop(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}

package dev.chat.loadgen.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The services' JVM options as a benchmark report gives them ({@link Proc#jvmFlags}): what stands between the
 * launcher and the program, read from a live process's command line.
 */
class JvmFlagsTest {
    @TempDir
    Path tmp;

    @Test
    void theOptionsAreThoseBeforeTheJarOrTheProgram() {
        assertEquals(List.of("-Xms32m", "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"),
                Proc.jvmFlags(new String[] {"/usr/lib/jvm/bin/java", "-Xms32m", "-Xmx256m", "-XX:+UseSerialGC",
                        "-XX:TieredStopAtLevel=1", "-jar", "quarkus-run.jar", "-Xnot-a-flag"}));
        assertEquals(List.of("-Xmx32m"), Proc.jvmFlags(new String[] {"java", "-Xmx32m", "Main.java", "-Dargument"}));
        assertEquals(List.of(), Proc.jvmFlags(new String[] {"java", "-jar", "app.jar"}));
        // Not a JVM (HAProxy, Redis): no options to report.
        assertEquals(List.of(), Proc.jvmFlags(new String[] {"/usr/sbin/haproxy", "-f", "haproxy.cfg"}));
        assertEquals(List.of(), Proc.jvmFlags(new String[0]));
    }

    @Test
    void aLiveJvmsOptionsComeFromItsCommandLine() throws Exception {
        Path program = tmp.resolve("Sleeper.java");
        Files.writeString(program, """
                public class Sleeper {
                    public static void main(String[] args) throws Exception {
                        Thread.sleep(120_000);
                    }
                }
                """);
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process jvm = new ProcessBuilder(java.toString(), "-Xmx32m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                program.toString()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            // The launcher's helper may still hold the PID for a moment before it execs java: asked until it is java.
            List<String> flags = List.of();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (flags.isEmpty() && System.nanoTime() < deadline) {
                flags = Proc.jvmFlags(jvm.pid());
                if (flags.isEmpty()) {
                    Thread.sleep(50);
                }
            }
            assertEquals(List.of("-Xmx32m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"), flags);
        } finally {
            jvm.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        assertEquals(List.of(), Proc.jvmFlags(jvm.pid()), "a process that is gone has no options");
    }
}

package dev.chat.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * A server process this JVM started and must end. Every helper here stops what it started by PID,
 * and waits for conditions with a deadline instead of sleeping.
 */
public final class LocalProcess implements AutoCloseable {
    private final String name;
    private final Process process;
    private final Path log;

    private LocalProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /** Starts {@code command} with its output in {@code log}; the process is ended when the JVM exits. */
    public static LocalProcess start(String name, List<String> command, Path log) {
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            LocalProcess p = new LocalProcess(name, pb.start(), log);
            Runtime.getRuntime().addShutdownHook(new Thread(p::close, "stop-" + name));
            return p;
        } catch (IOException e) {
            throw new IllegalStateException("could not start " + name + ": " + command, e);
        }
    }

    /** Runs a short command to completion and fails loudly with its output when it does not exit 0. */
    public static String run(Duration timeout, List<String> command) {
        try {
            Path out = Files.createTempFile("cmd", ".log");
            try {
                Process p = new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectOutput(out.toFile()).start();
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException("timed out after " + timeout + ": " + command);
                }
                String text = Files.readString(out);
                if (p.exitValue() != 0) {
                    throw new IllegalStateException("exit " + p.exitValue() + " from " + command + ":\n" + text);
                }
                return text;
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new IllegalStateException("could not run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + command, e);
        }
    }

    /** Polls {@code condition} until it holds; fails with the process log when the deadline passes. */
    public void awaitReady(Duration timeout, BooleanSupplier condition) {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + ":\n" + tail());
            }
            if (condition.getAsBoolean()) {
                return;
            }
            pause(50);
        }
        throw new IllegalStateException(name + " not ready within " + timeout + ":\n" + tail());
    }

    public long pid() {
        return process.pid();
    }

    /**
     * Freezes the process and every process it started (SIGSTOP), as a hung machine or a partition looks to its
     * clients: connections stay open, the kernel still accepts new ones, nothing answers.
     */
    public void freeze() {
        signalTree("-STOP");
    }

    /** Lets a {@link #freeze() frozen} process run again (SIGCONT), children first so none misses its parent. */
    public void thaw() {
        signalTree("-CONT");
    }

    private void signalTree(String signal) {
        List<String> pids = new ArrayList<>();
        process.descendants().forEach(d -> pids.add(Long.toString(d.pid())));
        pids.add(Long.toString(process.pid()));
        List<String> cmd = new ArrayList<>(List.of("kill", signal));
        cmd.addAll(pids);
        run(Duration.ofSeconds(5), cmd);
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    private String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Deletes a directory tree; used for the throwaway data directories. */
    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            List<Path> all = new ArrayList<>(walk.sorted(Comparator.reverseOrder()).toList());
            for (Path p : all) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // Left for the OS's temp cleaner: a failed delete must not fail the test run.
        }
    }
}

package dev.chat.loadgen.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A JFR recording in another JVM, started and stopped through jcmd. The JVM writes the recording file itself, as its
 * own user: the chat nodes run as a system user of their own (scripts/up), so a directory the load tool made (as
 * root) is not theirs to write. jcmd exits 0 all the same and the refusal is only in its output, so a recording
 * counts as started when the JVM says it started, and its refusal is reported otherwise.
 */
final class JfrRecorder {
    /** What the JVM answers when a recording started ("Started recording 1."). */
    private static final String STARTED = "Started recording";
    /** What the JVM answers when a recording stopped and was written ("Stopped recording 1."). */
    private static final String STOPPED = "Stopped recording";

    private JfrRecorder() {
    }

    /** A recording asked for: the file it goes to, and the JVM's refusal (null once it started). */
    record Start(Path file, String refusal) {
        boolean started() {
            return refusal == null;
        }
    }

    /**
     * Starts recording {@code name} in JVM {@code pid} with the named JFR settings ("profile", "default") into
     * {@code dir}/NAME.jfr; when the JVM runs as another user, into {@code dir}/NAME/NAME.jfr, a directory given to
     * that user (which needs this process to be root, as scripts/up's stacks are started). Never throws: what went
     * wrong is the refusal.
     */
    static Start start(long pid, String name, String settings, Path dir) {
        Path target;
        try {
            target = writableBy(pid, dir.toAbsolutePath(), name);
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return new Start(dir.toAbsolutePath().resolve(name + ".jfr"),
                    "cannot give the JVM's user a directory to write: " + e);
        }
        Path file = target.resolve(name + ".jfr");
        String out = Proc.jcmdOutput(pid, "JFR.start", "name=" + name, "settings=" + settings, "filename=" + file);
        if (out == null) {
            return new Start(file, "jcmd failed or took longer than its bound");
        }
        return out.contains(STARTED) ? new Start(file, null) : new Start(file, out.strip().replaceAll("\\s+", " "));
    }

    /** Stops recording {@code name} in JVM {@code pid}, writing its file; false when jcmd or the JVM refused. */
    static boolean stop(long pid, String name) {
        String out = Proc.jcmdOutput(pid, "JFR.stop", "name=" + name);
        return out != null && out.contains(STOPPED);
    }

    private static Path writableBy(long pid, Path dir, String name) throws IOException {
        Files.createDirectories(dir);
        long theirs = Proc.uid(pid);
        long ours = Proc.uid(ProcessHandle.current().pid());
        if (theirs < 0 || theirs == ours) {
            return dir;
        }
        Path own = Files.createDirectories(dir.resolve(name));
        Files.setAttribute(own, "unix:uid", (int) theirs);
        return own;
    }
}

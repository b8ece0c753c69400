package dev.chat.loadgen.scenario;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@link Plumbing} as a shell command: {@code bash -c "COMMAND ARGS..."}, e.g. COMMAND {@code bash scripts/chaos
 * --run-dir RUN --port-base B} and ARGS {@code --inject node-kill chat-node-2}. Its standard input is closed (the
 * scenario's own stdin is its controller's), its output is read while it runs, and one that outlives its limit is
 * killed with everything it started that still runs under it (a call that hangs must not hang the run).
 */
public final class ShellPlumbing implements Plumbing {
    private final String command;

    /** {@code command}: the shell words every call starts with (the caller's, already quoted for bash). */
    public ShellPlumbing(String command) {
        if (command == null || command.isBlank()) {
            throw new IllegalArgumentException("no plumbing command");
        }
        this.command = command;
    }

    @Override
    public Call run(List<String> args, Duration limit) {
        StringBuilder line = new StringBuilder(command);
        for (String a : args) {
            line.append(' ').append(quote(a));
        }
        List<String> out = Collections.synchronizedList(new ArrayList<>());
        Process p;
        try {
            p = new ProcessBuilder("bash", "-c", line.toString()).redirectErrorStream(true).start();
            p.getOutputStream().close();
        } catch (IOException e) {
            return new Call(-1, List.of("could not run '" + line + "': " + e.getMessage()));
        }
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null;) {
                    out.add(l);
                }
            } catch (IOException e) {
                out.add("(output unreadable: " + e.getMessage() + ")");
            }
        }, "plumbing-output");
        reader.setDaemon(true);
        reader.start();
        try {
            if (!p.waitFor(Math.max(1, limit.toMillis()), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                reader.join(2000);
                List<String> lines = snapshot(out);
                lines.add("no answer within " + limit.toSeconds() + " s: killed");
                return new Call(-1, lines);
            }
            // A process it started in the background may hold the pipe open: its output so far is enough.
            reader.join(2000);
            return new Call(p.exitValue(), snapshot(out));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            List<String> lines = snapshot(out);
            lines.add("interrupted");
            return new Call(-1, lines);
        }
    }

    private static List<String> snapshot(List<String> out) {
        synchronized (out) {
            return new ArrayList<>(out);
        }
    }

    /** {@code s} as one bash word. */
    static String quote(String s) {
        return s.matches("[A-Za-z0-9_./:=@,+-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
    }
}

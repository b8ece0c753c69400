package dev.chat.loadgen.scenario;

import java.time.Duration;
import java.util.List;

/**
 * The seam between a scenario and the processes it acts on: one call does one thing to the stack (inject or restore
 * one fault, or read one piece of its state) and answers how that went. It decides nothing: when to call it, how
 * long a fault lasts and what counts as steady are the {@link FaultSchedule}'s. In use it is {@link ShellPlumbing}
 * ({@code scripts/chaos --inject NAME}, {@code --restore NAME}, {@code --state QUERY}); the unit tests use an
 * in-memory one (no processes).
 */
public interface Plumbing {
    /**
     * Runs one call, e.g. {@code ["--inject", "node-stop", "chat-node-2"]}, and waits for it at most {@code limit}.
     * Never throws: a call that could not run, or did not finish in time, answers a non-zero exit with a line that
     * says why.
     */
    Call run(List<String> args, Duration limit);

    /** How one call ended: its exit code (0: done) and its output, one entry a line (stdout and stderr). */
    record Call(int exit, List<String> lines) {
        public Call {
            lines = List.copyOf(lines);
        }

        public boolean ok() {
            return exit == 0;
        }

        /** The last non-blank line (where a failing script says why), or "" when there is none. */
        public String last() {
            for (int i = lines.size() - 1; i >= 0; i--) {
                if (!lines.get(i).isBlank()) {
                    return lines.get(i).strip();
                }
            }
            return "";
        }
    }
}

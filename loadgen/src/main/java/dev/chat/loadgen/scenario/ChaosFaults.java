package dev.chat.loadgen.scenario;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import dev.chat.loadgen.scenario.FaultSchedule.Ends;
import dev.chat.loadgen.scenario.FaultSchedule.Fault;
import dev.chat.loadgen.scenario.FaultSchedule.Target;

/**
 * The faults of scripts/chaos's single topology as {@link FaultSchedule} entries: what each does, whom it hits,
 * when it ends and how long it is held. What each one does to the processes is the plumbing's
 * ({@code scripts/chaos --inject NAME} and {@code --restore NAME}); how long and in which order is decided here.
 */
public final class ChaosFaults {
    /**
     * How long a kill -9 is held before its report and restart: the clients are measured from the kill, and the
     * probes (one a second until the report) must see the component gone.
     */
    static final Duration KILL_HOLD = Duration.ofSeconds(5);

    private ChaosFaults() {
    }

    /** The names {@link #of} knows. */
    public static Set<String> names() {
        return new TreeSet<>(List.of("node-kill", "redis-restart", "postgres-stop", "user-service-kill", "node-stop",
                "presence-kill", "redis-down"));
    }

    /** The faults named, in that order; {@code pause}: how long the stops last. IllegalArgumentException for an unknown name. */
    public static List<Fault> of(List<String> names, Duration pause) {
        List<Fault> faults = new ArrayList<>();
        for (String n : names) {
            faults.add(of(n, pause));
        }
        return faults;
    }

    static Fault of(String name, Duration pause) {
        String s = seconds(pause);
        return switch (name) {
            case "node-kill" -> new Fault(name, "kill -9 the chat node holding the most sockets; then start it again",
                    Target.BUSIEST_NODE, Ends.AT_INJECT, KILL_HOLD);
            case "user-service-kill" -> new Fault(name, "kill -9 user-service; then start it again", Target.FIXED,
                    Ends.AT_INJECT, KILL_HOLD);
            case "presence-kill" -> new Fault(name, "kill -9 presence-service; then start it again", Target.FIXED,
                    Ends.AT_INJECT, KILL_HOLD);
            case "redis-restart" -> new Fault(name, "stop Redis and start it again", Target.FIXED, Ends.AT_RESTORE,
                    Duration.ZERO);
            case "redis-down" -> new Fault(name, "stop Redis for " + s + " s, then start it again", Target.FIXED,
                    Ends.AT_RESTORE, pause);
            case "postgres-stop" -> new Fault(name, "stop PostgreSQL for " + s + " s (fast shutdown), then start it again",
                    Target.FIXED, Ends.AT_RESTORE, pause);
            case "node-stop" -> new Fault(name, "SIGSTOP the chat node holding the most sockets for " + s + " s, then SIGCONT",
                    Target.BUSIEST_NODE, Ends.AT_RESTORE, pause);
            default -> throw new IllegalArgumentException("unknown fault '" + name + "' (known: " + String.join(" ", names()) + ")");
        };
    }

    private static String seconds(Duration d) {
        double s = d.toMillis() / 1000.0;
        return s == Math.rint(s) ? Long.toString((long) s) : Double.toString(s);
    }
}

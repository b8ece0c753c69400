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

    /** The names {@link #of} knows in the single topology. */
    public static Set<String> names() {
        return new TreeSet<>(List.of("node-kill", "redis-restart", "postgres-stop", "user-service-kill", "node-stop",
                "presence-kill", "redis-down"));
    }

    /**
     * The names {@link #of} knows in the replicated topology (scripts/chaos --ha): the chat nodes' faults and the
     * kills supervisord restarts. (Its data tier's faults, the PostgreSQL and Redis takeovers, are still run by the
     * script.)
     */
    public static Set<String> haNames() {
        return new TreeSet<>(List.of("node-kill", "node-stop", "etcd-kill", "sentinel-kill", "user-service-kill",
                "presence-kill"));
    }

    /** The faults named, in that order; {@code pause}: how long the stops last. IllegalArgumentException for an unknown name. */
    public static List<Fault> of(List<String> names, Duration pause) {
        return of(names, pause, false);
    }

    /** As {@link #of(List, Duration)}, in the replicated topology when {@code ha}. */
    public static List<Fault> of(List<String> names, Duration pause, boolean ha) {
        List<Fault> faults = new ArrayList<>();
        for (String n : names) {
            faults.add(ha ? ha(n, pause) : of(n, pause));
        }
        return faults;
    }

    /** The replicated topology's: the nodes as in the single one; one of the others killed, supervisord restarts it. */
    static Fault ha(String name, Duration pause) {
        return switch (name) {
            case "node-kill", "node-stop" -> of(name, pause);
            case "etcd-kill" -> supervised(name, "etcd-2", List.of("etcd-healthy"));
            case "sentinel-kill" -> supervised(name, "sentinel-1", List.of("sentinels-ready"));
            case "user-service-kill" -> supervised(name, "user-service", List.of("ready", "user-service"));
            case "presence-kill" -> supervised(name, "presence-service", List.of("ready", "presence-service"));
            default -> throw new IllegalArgumentException("unknown fault '" + name + "' of loadgen's --ha schedule (known: "
                    + String.join(" ", haNames()) + ")");
        };
    }

    /** kill -9 COMPONENT; back when it runs again and {@code ready} answers yes. */
    private static Fault supervised(String name, String component, List<String> ready) {
        return new Fault(name, "kill -9 " + component + "; supervisord restarts it", Target.FIXED, Ends.SUPERVISED,
                Duration.ZERO, component, List.of(List.of("running", component), ready));
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

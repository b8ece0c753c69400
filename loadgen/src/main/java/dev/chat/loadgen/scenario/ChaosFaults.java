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
     * The names {@link #of} knows in the replicated topology (scripts/chaos --ha): the chat nodes' faults, the kills
     * supervisord restarts, and the data tier's takeovers ({@link DataTierFaults}).
     */
    public static Set<String> haNames() {
        return new TreeSet<>(List.of("node-kill", "node-stop", "etcd-kill", "sentinel-kill", "user-service-kill",
                "presence-kill", "pg-primary-kill", "pg-primary-disk-loss", "pg-primary-stop", "pg-primary-partition",
                "redis-master-kill", "redis-master-stop"));
    }

    /** The bound on a send's wait for its first answer while a store is frozen or cut off, unless told otherwise. */
    static final Duration ANSWER_TARGET = Duration.ofSeconds(3);

    /** The faults named, in that order; {@code pause}: how long the stops last. IllegalArgumentException for an unknown name. */
    public static List<Fault> of(List<String> names, Duration pause) {
        return of(names, pause, false);
    }

    /** As {@link #of(List, Duration)}, in the replicated topology when {@code ha}. */
    public static List<Fault> of(List<String> names, Duration pause, boolean ha) {
        return of(names, pause, ha, ANSWER_TARGET);
    }

    /**
     * As {@link #of(List, Duration, boolean)}; {@code answerTarget}: the bound on a send's first answer while
     * pg-primary-stop, pg-primary-partition or redis-master-stop lasts.
     */
    public static List<Fault> of(List<String> names, Duration pause, boolean ha, Duration answerTarget) {
        List<Fault> faults = new ArrayList<>();
        for (String n : names) {
            faults.add(ha ? ha(n, pause, answerTarget) : of(n, pause));
        }
        return faults;
    }

    /**
     * The replicated topology's: the nodes as in the single one; one of the others killed, supervisord restarts it;
     * the data tier's takeovers, sequenced by {@link DataTierFaults}.
     */
    static Fault ha(String name, Duration pause, Duration answerTarget) {
        String s = seconds(pause);
        return switch (name) {
            case "pg-primary-kill" -> takeover(name, "machine loss of the PostgreSQL primary: kill -9 its Patroni and"
                    + " PostgreSQL and keep it down until a write commits through HAProxy; then start it again", Target.PG_PRIMARY,
                    Duration.ZERO, null);
            case "pg-primary-disk-loss" -> takeover(name, "machine loss of the PostgreSQL primary and its data directory;"
                    + " then start it again (cloned afresh)", Target.PG_PRIMARY, Duration.ZERO, null);
            case "pg-primary-stop" -> takeover(name, "SIGSTOP the PostgreSQL server processes of the primary (its Patroni"
                    + " keeps running) for " + s + " s, then SIGCONT", Target.PG_PRIMARY, pause, answerTarget);
            case "pg-primary-partition" -> takeover(name, "cut the PostgreSQL primary off (its link down) from etcd, the"
                    + " standby and HAProxy until the standby took over; then bring the link up again", Target.PG_PRIMARY,
                    Duration.ZERO, answerTarget);
            case "redis-master-kill" -> takeover(name, "machine loss of the Redis master: kill -9 it and keep it down until"
                    + " the Sentinels name the replica master; then start it again", Target.REDIS_MASTER, Duration.ZERO, null);
            case "redis-master-stop" -> takeover(name, "SIGSTOP the Redis master for " + s + " s, then SIGCONT",
                    Target.REDIS_MASTER, pause, answerTarget);
            case "node-kill", "node-stop" -> of(name, pause);
            case "etcd-kill" -> supervised(name, "etcd-2", List.of("etcd-healthy"));
            case "sentinel-kill" -> supervised(name, "sentinel-1", List.of("sentinels-ready"));
            case "user-service-kill" -> supervised(name, "user-service", List.of("ready", "user-service"));
            case "presence-kill" -> supervised(name, "presence-service", List.of("ready", "presence-service"));
            default -> throw new IllegalArgumentException("unknown fault '" + name + "' of loadgen's --ha schedule (known: "
                    + String.join(" ", haNames()) + ")");
        };
    }

    private static Fault takeover(String name, String what, Target target, Duration hold, Duration answerTarget) {
        return new Fault(name, what, target, Ends.TAKEOVER, hold, null, List.of(), answerTarget);
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

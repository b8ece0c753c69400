package dev.chat.loadgen.scenario;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

import dev.chat.loadgen.report.RoleSamples;
import dev.chat.loadgen.scenario.FaultSchedule.Stop;

/**
 * The takeovers of the replicated data tier (scripts/chaos --ha): a PostgreSQL primary or Redis master lost (a
 * "machine loss": killed -9 and held down until the takeover is seen), frozen (SIGSTOP for the pause) or cut off
 * (its network link down), each sequenced here on a {@link FaultSchedule.Steps}: inject, wait for the other member
 * to take over, end and report the window, restore, wait for the old one to rejoin in its new role, and record the
 * figures. The plumbing only acts on an explicit member and answers read-only state queries ({@code --state
 * pg-writes}, {@code pg-sync MEMBER}, {@code redis-replica-of REDIS MASTER}, ...).
 *
 * <p>Guarantees: every wait polls on the schedule's clock with its own limit (60 s for a takeover, 120-180 s for a
 * rejoin) and a wait that does not come true fails the run, naming it, after the member is restored; a partition's
 * role samples with two primaries (a split brain) fail the run. The answers (who took over, its timeline, the
 * rejoined role) are reported as they were read; a failed read is reported as "?" or "none", never guessed.
 */
final class DataTierFaults {
    /** The bound on the wait for the other member to take over (writes through HAProxy, the Sentinels' choice). */
    static final Duration TAKEOVER_LIMIT = Duration.ofSeconds(60);
    /** The bound on the wait for a PostgreSQL member to rejoin as the synchronous standby. */
    static final Duration PG_REJOIN_LIMIT = Duration.ofSeconds(180);
    /** The bound on the wait for a Redis to replicate the master again. */
    static final Duration REDIS_REJOIN_LIMIT = Duration.ofSeconds(120);
    /** A frozen primary's writes are asked for only while more than this of its pause is left. */
    static final Duration QUIET_TAIL = Duration.ofMillis(2500);
    /** Role samples taken after the rejoin, so that the samples see both members back. */
    static final Duration SAMPLES_AFTER_REJOIN = Duration.ofSeconds(1);

    private DataTierFaults() {
    }

    /** Runs the fault of {@code s} (its name picks the sequence). */
    static void run(FaultSchedule.Steps s) throws Stop {
        switch (s.fault.name()) {
            case "pg-primary-kill" -> pgCrash(s, false);
            case "pg-primary-disk-loss" -> pgCrash(s, true);
            case "pg-primary-stop" -> pgStop(s);
            case "pg-primary-partition" -> pgPartition(s);
            case "redis-master-kill" -> redisKill(s);
            case "redis-master-stop" -> redisStop(s);
            default -> throw new IllegalArgumentException("no data tier sequence for '" + s.fault.name() + "'");
        }
    }

    /** The other member of a pair: pg-1 and pg-2, redis-1 and redis-2. */
    static String other(String member) {
        int dash = member.lastIndexOf('-');
        return member.substring(0, dash + 1) + (3 - Integer.parseInt(member.substring(dash + 1)));
    }

    private static String s2(double seconds) {
        return String.format(Locale.ROOT, "%.2f", seconds);
    }

    /** A timeline (or any count) as a number when it is one, else as it was read. */
    private static Object number(String v) {
        return v.matches("\\d{1,9}") ? (Object) Long.valueOf(v) : v;
    }

    private static String timeline(FaultSchedule.Steps s, String member) {
        return s.ask("?", "pg-timeline", member);
    }

    /** Machine loss of the primary (and its data directory with {@code disk}): takeover, then rejoin as sync standby. */
    private static void pgCrash(FaultSchedule.Steps s, boolean disk) throws Stop {
        String primary = s.target;
        String other = other(primary);
        s.open();
        long t0 = s.now();
        s.inject();
        s.await("writes accepted through HAProxy's primary listener after " + s.fault.name(), TAKEOVER_LIMIT, "pg-writes");
        double took = s.since(t0);
        s.end();
        s.note(String.format(Locale.ROOT, "takeover: %s is primary (timeline %s); a write committed through HAProxy's primary"
                + " listener %s s after the kill", other, timeline(s, other), s2(took)));
        s.report();
        s.say("restore: start " + primary + " again (supervisorctl start); it must rejoin as the synchronous standby");
        long tr = s.now();
        s.restore();
        s.await(primary + " rejoining as the synchronous standby", PG_REJOIN_LIMIT, "pg-sync", primary);
        double rejoin = s.since(tr);
        String role = s.ask("?", "pg-role", primary);
        s.say(String.format(Locale.ROOT, "%s rejoined as %s of %s (timeline %s) %s s after its start%s", primary, role, other,
                timeline(s, primary), s2(rejoin), disk ? ", cloned afresh" : ""));
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("killed", primary);
        f.put("new_primary", other);
        f.put("writes_accepted_after_s", took);
        f.put("rejoined_as_sync_standby_after_s", rejoin);
        f.put("rejoined_role", role);
        f.put("timeline", number(timeline(s, other)));
        s.facts(f);
    }

    /**
     * The primary's PostgreSQL frozen for the pause (its Patroni keeps running): the writes through HAProxy are
     * asked for meanwhile; afterwards the pair must be steady again, whoever is primary.
     */
    private static void pgStop(FaultSchedule.Steps s) throws Stop {
        String name = s.fault.name();
        String primary = s.target;
        s.open();
        long t0 = s.now();
        s.inject();
        long firstWrite = s.holdAsking(s.fault.hold(), QUIET_TAIL, "pg-writes");
        s.restore();
        s.end();
        if (firstWrite < 0) {
            s.await("writes accepted through HAProxy's primary listener after " + name, TAKEOVER_LIMIT, "pg-writes");
            firstWrite = s.now();
        }
        double took = Math.round((firstWrite - t0) / 1e6) / 1000.0;
        String now = s.ask("none", "pg-primary");
        String who = now.equals(primary) ? "no failover: " + primary + " stayed primary"
                : "failover: " + now + " is primary";
        s.note(String.format(Locale.ROOT, "%s (timeline %s); a write committed through HAProxy's primary listener %s s after"
                + " the stop", who, now.equals("none") ? "?" : timeline(s, now), s2(took)));
        s.report();
        long tr = s.now();
        s.await("the PostgreSQL pair steady again (a primary and its synchronous standby) after " + name, PG_REJOIN_LIMIT,
                "pg-pair-ready");
        double steady = s.since(tr);
        now = s.ask("none", "pg-primary");
        String role = s.ask("?", "pg-role", primary);
        String tl = now.equals("none") ? "?" : timeline(s, now);
        s.say(String.format(Locale.ROOT, "%s: %s is primary (timeline %s); the stopped %s is %s (timeline %s); pair steady %s s"
                + " after the report", name, now, tl, primary, role, timeline(s, primary), s2(steady)));
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("stopped", primary);
        f.put("primary_after", now);
        f.put("failover", now.equals(primary) ? "no" : "yes");
        f.put("writes_accepted_after_s", took);
        f.put("stopped_member_role_after", role);
        f.put("timeline", number(tl));
        s.facts(f);
    }

    /** The role of {@code member} in a {@code --state pg-roles} answer ("pg-1=primary:3 pg-2=standby:3"), or "". */
    static String roleIn(String roles, String member) {
        for (String w : roles.trim().split("\\s+")) {
            if (w.startsWith(member + "=")) {
                return w.substring(member.length() + 1);
            }
        }
        return "";
    }

    /**
     * The primary cut off from etcd, the standby and HAProxy (its link down): its Patroni must demote it, the
     * standby be promoted and HAProxy move the writes; then the link comes back and it must rejoin as the
     * synchronous standby. Both members' roles are sampled throughout; a sample with two primaries fails the run.
     */
    private static void pgPartition(FaultSchedule.Steps s) throws Stop {
        String name = s.fault.name();
        String primary = s.target;
        String other = other(primary);
        if (!s.yes("pg-netns")) {
            throw s.fail("needs the members in network namespaces (scripts/up --ha --netns)");
        }
        String before = roleIn(s.await(primary + " answering as primary through its own loopback", Duration.ofSeconds(20),
                a -> roleIn(a, primary).startsWith("primary"), "pg-roles"), primary);
        s.startSampling();
        s.open();
        long t0 = s.now();
        long t0epoch = s.inject();
        s.await("writes accepted through HAProxy's primary listener during " + name, TAKEOVER_LIMIT, "pg-writes");
        double took = s.since(t0);
        s.await("the cut-off " + primary + " leaving the primary role", TAKEOVER_LIMIT,
                a -> !roleIn(a, primary).isEmpty() && !roleIn(a, primary).startsWith("primary"), "pg-roles");
        double left = s.since(t0);
        s.end();
        String haproxyUp = s.ask("none", "haproxy-pg-up");
        s.note(String.format(Locale.ROOT, "takeover: %s is primary (timeline %s), HAProxy's primary listener has %s UP; a"
                + " write committed through it %s s after the cut; the cut-off %s left the primary role by %s s after the cut"
                + " (the role samples say when: see the line after the rejoin)", other, timeline(s, other), haproxyUp, s2(took),
                primary, s2(left)));
        s.report();
        s.say("restore: " + primary + "'s link up again; it must rejoin as the synchronous standby (pg_rewind, no manual step)");
        long tr = s.now();
        s.restore();
        s.await(primary + " rejoining as the synchronous standby after " + name, PG_REJOIN_LIMIT, "pg-sync", primary);
        double rejoin = s.since(tr);
        s.hold(SAMPLES_AFTER_REJOIN);
        List<String> lines = s.stopSampling();
        String role = s.ask("?", "pg-role", primary);
        s.say(String.format(Locale.ROOT, "%s: %s rejoined as %s of %s (timeline %s) %s s after the link came back (before the"
                + " cut: %s %s)", name, primary, role, other, timeline(s, primary), s2(rejoin), primary, before));
        RoleSamples.Analysis a = RoleSamples.parse(lines).analyse(t0epoch, primary, other);
        s.say(String.format(Locale.ROOT, "%s: %d samples of both members from the cut, %d with two primaries; %s left the"
                + " primary role %s, %s became primary %s", name, a.samples(), a.bothPrimary(), primary,
                after(a.isolatedLeftPrimaryAfter()), other, after(a.otherPromotedAfter())));
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("isolated", primary);
        f.put("new_primary", other);
        f.put("writes_accepted_after_s", took);
        f.put("haproxy_primary_after", s.ask("none", "haproxy-pg-up"));
        f.put("rejoined_as_sync_standby_after_s", rejoin);
        f.put("isolated_role_after", role);
        f.put("timeline_before", number(before.replaceFirst("^primary:", "")));
        f.put("timeline_after", number(timeline(s, other)));
        f.put("role_samples", a.samples());
        f.put("both_primary_samples", a.bothPrimary());
        f.put("isolated_left_primary_after_s", seconds(a.isolatedLeftPrimaryAfter()));
        f.put("standby_promoted_after_s", seconds(a.otherPromotedAfter()));
        s.facts(f);
        if (a.bothPrimary() > 0) {
            throw s.fail(String.format(Locale.ROOT, "%d of %d role samples showed two primaries (a split brain)",
                    a.bothPrimary(), a.samples()));
        }
    }

    private static Object seconds(OptionalDouble v) {
        return v.isPresent() ? (Object) v.getAsDouble() : "-";
    }

    private static String after(OptionalDouble v) {
        return v.isPresent() ? String.format(Locale.ROOT, "%.2f s after the cut", v.getAsDouble()) : "NEVER in the samples";
    }

    /** Machine loss of the Redis master: the Sentinels promote the replica; the old master must follow it. */
    private static void redisKill(FaultSchedule.Steps s) throws Stop {
        String master = s.target;
        String other = other(master);
        s.open();
        long t0 = s.now();
        s.inject();
        s.await("the Sentinels promoting " + other, TAKEOVER_LIMIT, "redis-master-is", other);
        double took = s.since(t0);
        s.end();
        s.note(String.format(Locale.ROOT, "takeover: the Sentinels name %s master %s s after the kill", other, s2(took)));
        s.report();
        s.say("restore: start " + master + " again; Sentinel must make it " + other + "'s replica");
        long tr = s.now();
        s.restore();
        s.await(master + " replicating " + other, REDIS_REJOIN_LIMIT, "redis-replica-of", master, other);
        double rejoin = s.since(tr);
        s.say(String.format(Locale.ROOT, "%s is %s's replica again %s s after its start", master, other, s2(rejoin)));
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("killed", master);
        f.put("new_master", other);
        f.put("promoted_after_s", took);
        f.put("rejoined_as_replica_after_s", rejoin);
        s.facts(f);
    }

    /** The Redis master frozen for the pause; afterwards the pair replicates again, whoever is master. */
    private static void redisStop(FaultSchedule.Steps s) throws Stop {
        String name = s.fault.name();
        String master = s.target;
        String other = other(master);
        s.open();
        s.inject();
        s.hold(s.fault.hold());
        s.restore();
        s.end();
        String now = s.ask("none", "redis-master");
        s.note(String.format(Locale.ROOT, "the Sentinels name %s master at the SIGCONT (%s)", now,
                now.equals(master) ? "no failover" : "failover from " + master));
        s.report();
        long tr = s.now();
        now = s.ask("none", "redis-master");
        String role;
        if (now.equals(master)) {
            s.await(other + " replicating " + master + " again", REDIS_REJOIN_LIMIT, "redis-replica-of", other, master);
            role = "master";
        } else if (now.equals(other)) {
            s.await(master + " replicating " + now, REDIS_REJOIN_LIMIT, "redis-replica-of", master, now);
            role = "replica of " + now;
        } else {
            throw s.fail("the Sentinels name no master after the SIGCONT");
        }
        s.await("the Sentinels complete again", TAKEOVER_LIMIT, "sentinels-ready");
        double steady = s.since(tr);
        s.say(String.format(Locale.ROOT, "%s: the Sentinels name %s master; the stopped %s is %s; pair steady %s s after the"
                + " report", name, now, master, role, s2(steady)));
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("stopped", master);
        f.put("master_after", now);
        f.put("failover", now.equals(master) ? "no" : "yes");
        f.put("stopped_member_role_after", role);
        s.facts(f);
    }
}

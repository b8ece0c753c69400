package dev.chat.loadgen.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

/**
 * The data tier's takeovers (scripts/chaos --ha) on the schedule's own clock, against an in-memory data tier: each
 * state query answers what it was told from a given second on (or no), every call is recorded with the clock's
 * second. Order, waits, holds, restores after failures and the verdicts, with no process and no sleep.
 */
class DataTierFaultsTest {
    private long now;
    private final List<String> events = new ArrayList<>();
    private final List<String> said = new ArrayList<>();
    /** Per state query, from which second on it answers what (null: no). */
    private final Map<String, TreeMap<Long, String>> states = new HashMap<>();
    /** Role samples the sampler hands back at its stop. */
    private final List<String> samples = new ArrayList<>();
    private String failing = "";
    private static final long EPOCH = 1_700_000_000_000L;

    private void log(String what) {
        events.add(String.format(Locale.ROOT, "%.1f %s", now / 1e9, what));
    }

    /** From second {@code at} on, {@code --state QUERY} answers {@code answer} (null: no). */
    private void answer(String query, long at, String answer) {
        states.computeIfAbsent(query, q -> new TreeMap<>()).put(at, answer);
    }

    private final Plumbing plumbing = (args, limit) -> {
        String call = String.join(" ", args).substring(2);
        if (call.startsWith("state ")) {
            String q = call.substring("state ".length());
            var m = states.get(q);
            var e = m == null ? null : m.floorEntry(now / 1_000_000_000L);
            if (!q.equals("pg-roles") && !q.startsWith("pg-timeline") && !q.startsWith("pg-role ")) {
                log(call + (e != null && e.getValue() != null ? " yes" : " no"));
            }
            return e != null && e.getValue() != null ? new Plumbing.Call(0, List.of(e.getValue()))
                    : new Plumbing.Call(1, List.of("scripts/chaos: " + q + ": no"));
        }
        log(call);
        if (!failing.isEmpty() && call.startsWith(failing)) {
            return new Plumbing.Call(1, List.of("scripts/chaos: supervisord could not start pg-1"));
        }
        return new Plumbing.Call(0, List.of("scripts/chaos: @" + (EPOCH + now / 1_000_000) + " " + call));
    };

    private final FaultSchedule.Windows windows = new FaultSchedule.Windows() {
        @Override
        public void open(String fault) {
            log("open " + fault);
        }

        @Override
        public void end(String fault) {
            log("end " + fault);
        }

        @Override
        public void injectedAt(String fault, long epochMillis) {
        }

        @Override
        public void note(String fault, String text) {
            log("note " + text);
        }

        @Override
        public void answerTarget(String fault, double seconds) {
            log("answer-target " + seconds);
        }

        @Override
        public void facts(String fault, Map<String, Object> facts) {
            log("facts " + new TreeMap<>(facts));
        }

        @Override
        public void report(String fault) {
            log("report " + fault);
        }
    };

    private final FaultSchedule.RoleSampler sampler = new FaultSchedule.RoleSampler() {
        @Override
        public void start() {
            log("sampling");
        }

        @Override
        public List<String> stop() {
            log("sampled");
            return samples;
        }
    };

    private FaultSchedule.Outcome run(String... faults) {
        return new FaultSchedule(ChaosFaults.of(List.of(faults), Duration.ofSeconds(10), true, Duration.ofSeconds(3)), plumbing,
                windows, (hold, within) -> {
                    log("steady");
                    return null;
                }, () -> Map.entry("chat-node-1", 1L), () -> now, ms -> now += ms * 1_000_000L, Duration.ofSeconds(900),
                said::add, sampler).run();
    }

    /** The events without the polls that answered no (they only show that a wait polled). */
    private List<String> steps() {
        return events.stream().filter(e -> !e.endsWith(" no")).toList();
    }

    @Test
    void aPrimaryLostIsHeldDownUntilWritesGoThroughThenReportedThenStartedAndMustRejoinAsSyncStandby() {
        answer("pg-primary", 0, "pg-1");
        answer("pg-writes", 0, null);
        answer("pg-writes", 7, "yes");
        answer("pg-timeline pg-2", 0, "4");
        answer("pg-timeline pg-1", 0, "4");
        answer("pg-sync pg-1", 20, "pg-1 is the synchronous standby");
        answer("pg-role pg-1", 0, "synchronous standby");

        FaultSchedule.Outcome o = run("pg-primary-kill");

        assertTrue(o.ok(), o.toString());
        assertEquals(List.of(
                "0.0 steady",
                "0.0 state pg-primary yes",
                "0.0 open pg-primary-kill",
                "0.0 inject pg-primary-kill pg-1",
                // The takeover: polled until a write commits through HAProxy; then the window ends and is reported.
                "7.0 state pg-writes yes",
                "7.0 end pg-primary-kill",
                "7.0 note takeover: pg-2 is primary (timeline 4); a write committed through HAProxy's primary listener"
                        + " 7.00 s after the kill",
                "7.0 report pg-primary-kill",
                "7.0 restore pg-primary-kill pg-1",
                "20.0 state pg-sync pg-1 yes",
                "20.0 facts {killed=pg-1, new_primary=pg-2, rejoined_as_sync_standby_after_s=13.0,"
                        + " rejoined_role=synchronous standby, timeline=4, writes_accepted_after_s=7.0}",
                "20.0 steady"), steps());
        assertTrue(said.contains("pg-1 rejoined as synchronous standby of pg-2 (timeline 4) 13.00 s after its start"),
                said.toString());
    }

    @Test
    void aTakeoverThatNeverComesFailsNamingItAndTheLostPrimaryIsStartedAgain() {
        answer("pg-primary", 0, "pg-2");
        answer("pg-writes", 0, null);

        FaultSchedule.Outcome o = run("pg-primary-disk-loss", "redis-master-kill");

        assertFalse(o.ok());
        assertEquals("pg-primary-disk-loss: writes accepted through HAProxy's primary listener after pg-primary-disk-loss:"
                + " not within 60 s, or the run's bound (--state pg-writes: scripts/chaos: pg-writes: no)", o.failure());
        assertEquals("--restore pg-primary-disk-loss pg-2: done", o.restore());
        List<String> s = steps();
        assertEquals("0.0 inject pg-primary-disk-loss pg-2", s.get(3));
        assertEquals("60.0 restore pg-primary-disk-loss pg-2", s.get(4));
        assertEquals(5, s.size(), s.toString());
        assertTrue(events.stream().noneMatch(e -> e.contains("report") || e.contains("redis")), events.toString());
    }

    @Test
    void aRejoinThatNeverComesFailsAfterTheReportAndIsNotRestoredTwice() {
        answer("pg-primary", 0, "pg-1");
        answer("pg-writes", 0, "yes");
        failing = "restore";

        FaultSchedule.Outcome o = run("pg-primary-kill");

        assertFalse(o.ok());
        assertEquals("pg-primary-kill: restore (--restore pg-primary-kill pg-1) failed, exit 1: scripts/chaos: supervisord"
                + " could not start pg-1", o.failure());
        assertEquals(null, o.restore());
        assertEquals(1, events.stream().filter(e -> e.contains("restore")).count(), events.toString());
    }

    @Test
    void aFrozenPrimaryIsHeldForThePauseAskingForWritesThenContinuedAndThePairMustBeSteadyAgain() {
        answer("pg-primary", 0, "pg-1");
        answer("pg-primary", 1, "pg-2");
        answer("pg-writes", 1, null);
        answer("pg-writes", 6, "yes");
        answer("pg-pair-ready", 30, "yes");
        answer("pg-timeline pg-2", 0, "5");
        answer("pg-timeline pg-1", 0, "5");
        answer("pg-role pg-1", 0, "synchronous standby");

        FaultSchedule.Outcome o = run("pg-primary-stop");

        assertTrue(o.ok(), o.toString());
        assertEquals(List.of(
                "0.0 steady",
                "0.0 state pg-primary yes",
                "0.0 open pg-primary-stop",
                "0.0 answer-target 3.0",
                "0.0 inject pg-primary-stop pg-1",
                // Asked each tick of the pause until it first answers; the pause still lasts its 10 s.
                "6.0 state pg-writes yes",
                "10.0 restore pg-primary-stop pg-1",
                "10.0 end pg-primary-stop",
                "10.0 state pg-primary yes",
                "10.0 note failover: pg-2 is primary (timeline 5); a write committed through HAProxy's primary listener"
                        + " 6.00 s after the stop",
                "10.0 report pg-primary-stop",
                "30.0 state pg-pair-ready yes",
                "30.0 state pg-primary yes",
                "30.0 facts {failover=yes, primary_after=pg-2, stopped=pg-1, stopped_member_role_after=synchronous standby,"
                        + " timeline=5, writes_accepted_after_s=6.0}",
                "30.0 steady"), steps());
    }

    @Test
    void aLostRedisMasterMustBeReplacedByItsReplicaAndThenFollowIt() {
        answer("redis-master", 0, "redis-2");
        answer("redis-master-is redis-1", 4, "the Sentinels name redis-1 master");
        answer("redis-replica-of redis-2 redis-1", 15, "redis-2 replicates redis-1");

        FaultSchedule.Outcome o = run("redis-master-kill");

        assertTrue(o.ok(), o.toString());
        assertEquals(List.of(
                "0.0 steady",
                "0.0 state redis-master yes",
                "0.0 open redis-master-kill",
                "0.0 inject redis-master-kill redis-2",
                "4.0 state redis-master-is redis-1 yes",
                "4.0 end redis-master-kill",
                "4.0 note takeover: the Sentinels name redis-1 master 4.00 s after the kill",
                "4.0 report redis-master-kill",
                "4.0 restore redis-master-kill redis-2",
                "15.0 state redis-replica-of redis-2 redis-1 yes",
                "15.0 facts {killed=redis-2, new_master=redis-1, promoted_after_s=4.0, rejoined_as_replica_after_s=11.0}",
                "15.0 steady"), steps());
        assertTrue(said.contains("redis-2 is redis-1's replica again 11.00 s after its start"), said.toString());
    }

    @Test
    void aFrozenRedisMasterWithoutFailoverMustHaveItsReplicaBackAndTheSentinelsComplete() {
        answer("redis-master", 0, "redis-1");
        answer("redis-replica-of redis-2 redis-1", 12, "yes");
        answer("sentinels-ready", 0, null);
        answer("sentinels-ready", 14, "yes");

        FaultSchedule.Outcome o = run("redis-master-stop");

        assertTrue(o.ok(), o.toString());
        assertEquals(List.of(
                "0.0 steady",
                "0.0 state redis-master yes",
                "0.0 open redis-master-stop",
                "0.0 answer-target 3.0",
                "0.0 inject redis-master-stop redis-1",
                "10.0 restore redis-master-stop redis-1",
                "10.0 end redis-master-stop",
                "10.0 state redis-master yes",
                "10.0 note the Sentinels name redis-1 master at the SIGCONT (no failover)",
                "10.0 report redis-master-stop",
                "10.0 state redis-master yes",
                "12.0 state redis-replica-of redis-2 redis-1 yes",
                "14.0 state sentinels-ready yes",
                "14.0 facts {failover=no, master_after=redis-1, stopped=redis-1, stopped_member_role_after=master}",
                "14.0 steady"), steps());
    }

    @Test
    void aFrozenRedisMasterWhoseSentinelsNameNoneFailsAfterItWasContinued() {
        answer("redis-master", 0, "redis-1");
        answer("redis-master", 5, null);

        FaultSchedule.Outcome o = run("redis-master-stop");

        assertFalse(o.ok());
        assertEquals("redis-master-stop: the Sentinels name no master after the SIGCONT", o.failure());
        assertEquals(null, o.restore());
        assertTrue(steps().contains("10.0 restore redis-master-stop redis-1"), events.toString());
    }

    @Test
    void aPartitionIsSampledThroughoutAndTheCutOffPrimaryMustStepDownThenRejoin() {
        answer("pg-primary", 0, "pg-1");
        answer("pg-netns", 0, "yes");
        answer("pg-roles", 0, "pg-1=down pg-2=standby:3");
        answer("pg-roles", 2, "pg-1=primary:3 pg-2=standby:3");
        answer("pg-roles", 9, "pg-1=standby:3 pg-2=primary:4");
        answer("pg-writes", 3, null);
        answer("pg-writes", 8, "yes");
        answer("pg-timeline pg-2", 0, "4");
        answer("pg-timeline pg-1", 0, "4");
        answer("haproxy-pg-up", 0, "pg-2");
        answer("pg-sync pg-1", 25, "yes");
        answer("pg-role pg-1", 0, "synchronous standby");
        long t0 = EPOCH + 2000;
        samples.addAll(List.of((t0 - 200) + " pg-1=primary:3 pg-2=standby:3", (t0 + 5000) + " pg-1=primary:3 pg-2=standby:3",
                (t0 + 6000) + " pg-1=primary:3 pg-2=primary:4", (t0 + 7000) + " pg-1=standby:3 pg-2=primary:4",
                (t0 + 24000) + " pg-1=standby:4 pg-2=primary:4"));

        FaultSchedule.Outcome o = run("pg-primary-partition");

        // One sample showed two primaries: a split brain fails the run, with the facts reported.
        assertFalse(o.ok());
        assertEquals("pg-primary-partition: 1 of 4 role samples showed two primaries (a split brain)", o.failure());
        assertEquals(null, o.restore());
        assertEquals(List.of(
                "0.0 steady",
                "0.0 state pg-primary yes",
                "0.0 state pg-netns yes",
                // Not cut before the member answers as primary through its own loopback.
                "2.0 sampling",
                "2.0 open pg-primary-partition",
                "2.0 answer-target 3.0",
                "2.0 inject pg-primary-partition pg-1",
                "8.0 state pg-writes yes",
                "9.0 end pg-primary-partition",
                "9.0 state haproxy-pg-up yes",
                "9.0 note takeover: pg-2 is primary (timeline 4), HAProxy's primary listener has pg-2 UP; a write committed"
                        + " through it 6.00 s after the cut; the cut-off pg-1 left the primary role by 7.00 s after the cut"
                        + " (the role samples say when: see the line after the rejoin)",
                "9.0 report pg-primary-partition",
                "9.0 restore pg-primary-partition pg-1",
                "25.0 state pg-sync pg-1 yes",
                "26.0 sampled",
                "26.0 state haproxy-pg-up yes",
                "26.0 facts {both_primary_samples=1, haproxy_primary_after=pg-2, isolated=pg-1, isolated_left_primary_after_s=7.0,"
                        + " isolated_role_after=synchronous standby, new_primary=pg-2, rejoined_as_sync_standby_after_s=16.0,"
                        + " role_samples=4, standby_promoted_after_s=6.0, timeline_after=4, timeline_before=3,"
                        + " writes_accepted_after_s=6.0}"), steps());
        assertTrue(said.contains("pg-primary-partition: 4 samples of both members from the cut, 1 with two primaries; pg-1 left"
                + " the primary role 7.00 s after the cut, pg-2 became primary 6.00 s after the cut"), said.toString());
    }

    @Test
    void aPartitionWhoseCutOffPrimaryNeverStepsDownFailsAndItsLinkComesBackUp() {
        answer("pg-primary", 0, "pg-2");
        answer("pg-netns", 0, "yes");
        answer("pg-roles", 0, "pg-1=standby:3 pg-2=primary:3");
        answer("pg-writes", 0, "yes");

        FaultSchedule.Outcome o = run("pg-primary-partition");

        assertFalse(o.ok());
        assertEquals("pg-primary-partition: the cut-off pg-2 leaving the primary role: not within 60 s, or the run's bound"
                + " (--state pg-roles: pg-1=standby:3 pg-2=primary:3)", o.failure());
        assertEquals("--restore pg-primary-partition pg-2: done", o.restore());
        // The sampler is stopped too.
        assertTrue(steps().get(steps().size() - 2).endsWith("sampled"), steps().toString());
        assertTrue(steps().get(steps().size() - 1).endsWith("restore pg-primary-partition pg-2"), steps().toString());
    }

    @Test
    void aPartitionNeedsTheMembersInNamespacesAndNoPrimaryMeansNoTarget() {
        answer("pg-primary", 0, "pg-1");
        FaultSchedule.Outcome o = run("pg-primary-partition");
        assertEquals("pg-primary-partition: needs the members in network namespaces (scripts/up --ha --netns)", o.failure());
        assertTrue(events.stream().noneMatch(e -> e.contains("inject") || e.contains("open")), events.toString());

        states.clear();
        events.clear();
        FaultSchedule.Outcome none = run("pg-primary-kill");
        assertEquals("pg-primary-kill: no target: --state pg-primary answered exit 1: scripts/chaos: pg-primary: no",
                none.failure());
        assertEquals(null, none.restore());
    }
}

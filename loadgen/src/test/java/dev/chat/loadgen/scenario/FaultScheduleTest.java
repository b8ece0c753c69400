package dev.chat.loadgen.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import org.junit.jupiter.api.Test;

import dev.chat.loadgen.scenario.FaultSchedule.Ends;
import dev.chat.loadgen.scenario.FaultSchedule.Fault;
import dev.chat.loadgen.scenario.FaultSchedule.Target;

/**
 * The chaos run's scenario on a clock of its own: an in-memory stack (the plumbing records its calls and answers as
 * told), measurements and steadiness that record when they were asked. No process, no sleep: a second of the
 * schedule passes in no time.
 */
class FaultScheduleTest {
    /** The schedule's clock: sleeping moves it on. */
    private long now;
    /** What happened, in order, each with the clock's second: "12.0 inject node-stop chat-node-2". */
    private final List<String> events = new ArrayList<>();
    private final List<String> said = new ArrayList<>();
    /** When the plumbing said it injected each fault: "node-kill@EPOCH_MS". */
    private final List<String> injected = new ArrayList<>();
    /** A plumbing call whose words match fails with exit 1 and this line. */
    private Predicate<String> fails = call -> false;
    /** How long each plumbing call takes, on the clock. */
    private long callMillis = 0;
    /** When (second on the clock) each state query starts to answer yes; never when absent. */
    private final Map<String, Long> statesYesAt = new java.util.HashMap<>();
    /** What the steadiness wait answers (null: steady), and how long it takes. */
    private String notSteady;
    private long steadyMillis = 1000;

    private void log(String what) {
        events.add(String.format(java.util.Locale.ROOT, "%.1f %s", now / 1e9, what));
    }

    private final Plumbing plumbing = (args, limit) -> {
        String call = String.join(" ", args).substring(2);
        now += callMillis * 1_000_000L;
        log(call);
        if (call.startsWith("state ")) {
            // The stack's state: yes once the clock has reached the answer's second.
            Long at = statesYesAt.get(call.substring("state ".length()));
            return at != null && now >= at * 1_000_000_000L ? new Plumbing.Call(0, List.of("4242"))
                    : new Plumbing.Call(1, List.of("scripts/chaos: not yet"));
        }
        if (fails.test(call)) {
            return new Plumbing.Call(1, List.of("scripts/chaos: " + call + ": chat-node-2 is not running"));
        }
        // Each says when it acted, on its own clock (epoch ms), as scripts/chaos does.
        return new Plumbing.Call(0, List.of("scripts/chaos: @" + (1_700_000_000_000L + now / 1_000_000) + " " + call,
                "scripts/chaos: " + call + ": done"));
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
            injected.add(fault + "@" + epochMillis);
        }

        @Override
        public void note(String fault, String text) {
            log("note " + fault + ": " + text);
        }

        @Override
        public void answerTarget(String fault, double seconds) {
            log("answer-target " + fault + " " + seconds);
        }

        @Override
        public void facts(String fault, Map<String, Object> facts) {
            log("facts " + fault + ": " + new java.util.TreeMap<>(facts));
        }

        @Override
        public void report(String fault) {
            log("report " + fault);
        }
    };

    private final FaultSchedule.Steady steady = (hold, within) -> {
        now += Math.min(steadyMillis * 1_000_000L, within.toNanos());
        log("steady");
        return notSteady;
    };

    private FaultSchedule schedule(List<Fault> faults, Duration bound) {
        return new FaultSchedule(faults, plumbing, windows, steady, () -> Map.entry("chat-node-2", 14L), () -> now,
                ms -> now += ms * 1_000_000L, bound, said::add);
    }

    private static final Duration PAUSE = Duration.ofSeconds(10);

    @Test
    void killsAreReportedBeforeTheirRestartStopsAreRestoredBeforeTheirEndAndTheStackIsSteadyBetween() {
        FaultSchedule.Outcome o = schedule(ChaosFaults.of(List.of("node-kill", "postgres-stop", "node-stop"), PAUSE),
                Duration.ofSeconds(600)).run();

        assertTrue(o.ok(), o.toString());
        assertEquals(List.of("node-kill", "postgres-stop", "node-stop"), o.done());
        assertEquals(List.of(
                "1.0 steady",
                "1.0 open node-kill",
                "1.0 inject node-kill chat-node-2",
                "1.0 end node-kill",
                // Held 5 s with the node gone, reported, then started again.
                "6.0 report node-kill",
                "6.0 restore node-kill chat-node-2",
                "7.0 steady",
                "7.0 open postgres-stop",
                "7.0 inject postgres-stop",
                // Held for --pause, then started again: the fault ends at the restore.
                "17.0 restore postgres-stop",
                "17.0 end postgres-stop",
                "17.0 report postgres-stop",
                "18.0 steady",
                "18.0 open node-stop",
                "18.0 inject node-stop chat-node-2",
                "28.0 restore node-stop chat-node-2",
                "28.0 end node-stop",
                "28.0 report node-stop",
                "29.0 steady"), events);
        assertTrue(said.contains("fault 1/3 node-kill: kill -9 the chat node holding the most sockets; then start it again"
                + " (chat-node-2, the node with the most sockets: 14)"), said.toString());
        // The plumbing's own lines are in the run's output; when it injected goes to the measurements (only for the
        // injections: a restore's time is not the fault's start), without the time in the output.
        assertTrue(said.contains("scripts/chaos: inject postgres-stop: done"), said.toString());
        assertTrue(said.contains("scripts/chaos: inject postgres-stop"), said.toString());
        assertEquals(List.of("node-kill@1700000001000", "postgres-stop@1700000007000", "node-stop@1700000018000"), injected);
    }

    @Test
    void aHoldLastsItsTimeOnTheScheduleClockHoweverLongItsInjectionTook() {
        callMillis = 3000;
        schedule(ChaosFaults.of(List.of("redis-down"), Duration.ofSeconds(7)), Duration.ofSeconds(600)).run();

        // The hold starts when the injection has answered (at 4 s) and the restore is called 7 s later.
        assertTrue(events.contains("4.0 inject redis-down"), events.toString());
        assertTrue(events.contains("14.0 restore redis-down"), events.toString());
    }

    @Test
    void aFailedRestoreStopsTheScheduleAndSaysWhichFaultStepAndWhy() {
        fails = call -> call.equals("restore node-stop chat-node-2");
        FaultSchedule.Outcome o = schedule(ChaosFaults.of(List.of("node-stop", "postgres-stop"), PAUSE),
                Duration.ofSeconds(600)).run();

        assertFalse(o.ok());
        assertEquals(List.of(), o.done());
        assertEquals("node-stop: restore (--restore node-stop chat-node-2) failed, exit 1: "
                + "scripts/chaos: restore node-stop chat-node-2: chat-node-2 is not running", o.failure());
        // A restore that was called is not called again, and no other fault starts.
        assertNull(o.restore());
        assertEquals(1, events.stream().filter(e -> e.contains("restore node-stop")).count(), events.toString());
        assertTrue(events.stream().noneMatch(e -> e.contains("postgres-stop")), events.toString());
        assertTrue(said.contains("fault schedule: stopped: " + o.failure()), said.toString());
        // What the run's report.json says of it.
        assertEquals("{\"ok\":false,\"done\":[],\"failure\":\"" + o.failure() + "\"}", o.json().toString());
    }

    @Test
    void aFailedInjectionIsStillRestoredAndNothingAfterItRuns() {
        fails = call -> call.startsWith("inject node-stop");
        FaultSchedule.Outcome o = schedule(ChaosFaults.of(List.of("node-stop", "node-kill"), PAUSE), Duration.ofSeconds(600))
                .run();

        assertFalse(o.ok());
        assertTrue(o.failure().startsWith("node-stop: injection (--inject node-stop chat-node-2) failed, exit 1: "), o.failure());
        // A half-done injection (a SIGSTOP of some of the processes) is undone at once, without a hold.
        assertEquals("--restore node-stop chat-node-2: done", o.restore());
        assertEquals("--restore node-stop chat-node-2: done", o.json().path("restore_after_failure").asText());
        assertEquals(List.of("1.0 steady", "1.0 open node-stop", "1.0 inject node-stop chat-node-2",
                "1.0 restore node-stop chat-node-2"), events);
    }

    @Test
    void aStackThatIsNotSteadyAfterARestoreStopsTheRunWithWhatWasNot() {
        notSteady = "not steady within 95 s: chat-node-2 ready: HTTP 503";
        FaultSchedule.Outcome o = schedule(ChaosFaults.of(List.of("node-kill"), PAUSE), Duration.ofSeconds(600)).run();

        assertFalse(o.ok());
        // The first wait (before any fault) already fails: nothing is injected into a stack that is not whole.
        assertEquals("not steady before the first fault: not steady within 95 s: chat-node-2 ready: HTTP 503", o.failure());
        assertEquals(List.of("1.0 steady"), events);
    }

    @Test
    void theBoundOnTheWholeRunCutsAHoldShortAndTheFaultIsRestored() {
        FaultSchedule.Outcome o = schedule(ChaosFaults.of(List.of("node-stop", "postgres-stop"), Duration.ofSeconds(30)),
                Duration.ofSeconds(20)).run();

        assertFalse(o.ok());
        assertEquals("node-stop: the run's bound (20 s) passed during its hold of 30 s", o.failure());
        assertEquals("--restore node-stop chat-node-2: done", o.restore());
        // Restored at the bound, not after the whole hold; the next fault never started.
        assertTrue(events.contains("20.0 restore node-stop chat-node-2"), events.toString());
        assertTrue(events.stream().noneMatch(e -> e.contains("postgres-stop")), events.toString());
    }

    @Test
    void theBoundIsCheckedBeforeEachStepAndLimitsTheSteadinessWait() {
        steadyMillis = 60_000;
        FaultSchedule.Outcome o = schedule(ChaosFaults.of(List.of("node-kill", "node-kill"), PAUSE), Duration.ofSeconds(100))
                .run();

        // 60 s steady, 5 s held; the wait after it may take only what is left of the bound (35 s, not 95 s);
        // then the bound has passed and the second fault is not injected.
        assertFalse(o.ok());
        assertEquals(List.of("node-kill"), o.done());
        assertTrue(events.contains("100.0 steady"), events.toString());
        assertEquals("the run's bound (100 s) passed before node-kill, before its injection", o.failure());
        assertNull(o.restore());
        assertEquals(1, events.stream().filter(e -> e.contains("inject")).count(), events.toString());
    }

    @Test
    void aSupervisedKillIsNotRestoredButWaitedForUntilItRunsAndIsReadyAgainThenReported() {
        statesYesAt.put("running etcd-2", 3L);
        statesYesAt.put("etcd-healthy", 4L);
        FaultSchedule s = schedule(ChaosFaults.of(List.of("etcd-kill"), PAUSE, true), Duration.ofSeconds(600));
        FaultSchedule.Outcome o = s.run();

        assertTrue(o.ok(), o.toString());
        assertTrue(said.contains("fault 1/1 etcd-kill: kill -9 etcd-2; supervisord restarts it"), said.toString());
        List<String> steps = events.stream().filter(e -> !e.contains("state")).toList();
        assertEquals(List.of("1.0 steady", "1.0 open etcd-kill", "1.0 inject etcd-kill", "1.0 end etcd-kill",
                "4.0 note etcd-kill: etcd-2 running again (pid 4242) 3.00 s after the kill, restarted by supervisord",
                "4.0 facts etcd-kill: {killed=etcd-2, restarted_and_ready_after_s=3.0}", "4.0 report etcd-kill", "5.0 steady"),
                steps);
        // Polled every 200 ms: the process first (until 3 s), then the quorum (until 4 s); never a restore.
        assertTrue(events.contains("3.0 state running etcd-2"), events.toString());
        assertTrue(events.contains("4.0 state etcd-healthy"), events.toString());
        assertTrue(events.stream().noneMatch(e -> e.contains("restore")), events.toString());
    }

    @Test
    void aSupervisedKillThatNeverComesBackFailsNamingTheStateAndWhatTheScriptSaid() {
        FaultSchedule.Outcome o = schedule(ChaosFaults.of(List.of("sentinel-kill"), PAUSE, true), Duration.ofSeconds(600))
                .run();

        assertFalse(o.ok());
        assertEquals("sentinel-kill: --state running sentinel-1 did not answer yes in time (90 s, or the run's bound): "
                + "scripts/chaos: not yet", o.failure());
        assertNull(o.restore());
        assertTrue(events.stream().noneMatch(e -> e.contains("report")), events.toString());
    }

    @Test
    void unknownFaultsAndBadNamesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> ChaosFaults.of(List.of("pg-primary-kill"), PAUSE, false));
        assertThrows(IllegalArgumentException.class, () -> ChaosFaults.of(List.of("redis-restart"), PAUSE, true));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ChaosFaults.of(List.of("node-kill", "meteor"), PAUSE));
        assertTrue(e.getMessage().startsWith("unknown fault 'meteor' (known: "), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> new Fault("Node Kill", "x", Target.FIXED, Ends.AT_INJECT, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> schedule(List.of(), Duration.ofSeconds(1)));
    }
}

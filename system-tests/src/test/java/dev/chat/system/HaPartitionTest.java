package dev.chat.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.parallel.ResourceLock;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The PostgreSQL primary cut off by a network partition, shortened for the test command:
 * {@code scripts/chaos --ha --faults pg-primary-partition} starts {@code scripts/up --ha --netns} (each Patroni
 * member, its PostgreSQL and REST API, in a network namespace of its own on a bridge; etcd, HAProxy and the
 * services in this one), lets a few clients chat through HAProxy, takes the primary's link down, and brings it up
 * again once the standby has taken over.
 *
 * <p>It asserts, from loadgen's JSON report of the run (its figures and judgement, and the script's facts): no sample of the two members
 * (pg_is_in_recovery() through each one's own loopback, every 0.2 s plus the queries' own time, from the cut
 * until the old primary has rejoined) ever showed two primaries; the cut-off primary left the primary role and the standby was promoted
 * on a later timeline; HAProxy's primary listener had the new primary UP; every send made during the partition
 * got its first answer (ack or {@code unavailable}) before the partition healed (reported against
 * {@link #ANSWER_BOUND} s, not judged: {@code --report-timings}); every client came back; nothing acked was lost or shown
 * twice; the old primary came back as the synchronous standby by itself; every acked ID is in the message log
 * exactly once; the namespaces are gone afterwards. Times go to the build log, never into an assertion; the full
 * run's figures are in docs/reliability.md. Needs root (network namespaces): skipped otherwise.
 */
@ResourceLock(Lanes.SCENARIOS)
class HaPartitionTest {
    /**
     * Seconds; the 3 s is the full run's figure, not asserted on a shared machine. A socket's frames are
     * handled one at a time, so a send queued behind others each waiting out the 2-s store bound waits longer:
     * the clients send every 6 s here (not 3) to keep that queue short.
     */
    private static final int ANSWER_BOUND = 8;

    @Test
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void theCutOffPrimaryStepsDownTheStandbyTakesOverAndNothingAckedIsLost() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "network namespaces need root");
        assumeTrue(ScriptRun.run(List.of("ip", "netns", "list"), 20).exit() == 0, "'ip netns' does not work here");
        int base = ScriptRun.freePortBase();
        ChaosRun run = ChaosRun.run("scripts/chaos", "chaos-partition-" + base, List.of("--ha", "--report-timings", "--faults",
                "pg-primary-partition", "--clients", "12", "--interval", "6000", "--answer-target",
                Integer.toString(ANSWER_BOUND), "--port-base", Integer.toString(base), "--timeout", "400"), 460);

        run.assertNothingLeftRunning();
        String namespaces = ScriptRun.run(List.of("ip", "netns", "list"), 20).output();
        assertTrue(!namespaces.contains("chp" + base + "-"), "namespaces left behind:\n" + namespaces);
        run.assertPassed();

        // No split brain: never two members answering pg_is_in_recovery() = false in one sample.
        JsonNode l = run.fault("pg-primary-partition");
        JsonNode p = l.path("facts");
        assertEquals(0, p.path("both_primary_samples").asInt(-1), p.toString());
        assertTrue(p.path("role_samples").asInt() >= 10, p.toString());
        // The cut-off primary stepped down, the standby took over on a later timeline, HAProxy routes to it.
        String isolated = p.path("isolated").asText();
        String promoted = p.path("new_primary").asText();
        assertNotEquals(isolated, promoted, p.toString());
        assertTrue(p.path("isolated_left_primary_after_s").isNumber(), p.toString());
        assertTrue(p.path("standby_promoted_after_s").isNumber(), p.toString());
        assertEquals(promoted, p.path("haproxy_primary_after").asText(), p.toString());
        assertTrue(p.path("timeline_after").asInt() > p.path("timeline_before").asInt(), p.toString());
        // After healing the old primary is the synchronous standby, with no manual step.
        assertEquals("synchronous standby", p.path("isolated_role_after").asText(), p.toString());
        // The script's facts also went to figures.jsonl, one line per fault.
        assertEquals(0, run.figures("pg-primary-partition", null).path("both_primary_samples").asInt(-1));

        // The clients: every send during the partition answered in time, nothing acked lost or shown twice.
        assertEquals(0, l.path("lost").asInt(-1), l.toString());
        assertEquals(0, l.path("shown_twice").asInt(-1), l.toString());
        assertTrue(l.path("acked").asInt() > 0, l.toString());
        assertTrue(l.path("longest_first_answer_s").asDouble(Double.MAX_VALUE) < l.path("lasted_s").asDouble(), l.toString());
        assertEquals(0, l.path("answer_waits_unanswered").asInt(-1), l.toString());
        assertTrue(l.path("every_client_back_after_end_s").isNumber(), l.toString());

        // The store: every acked ID on the (new) primary exactly once.
        JsonNode s = run.report().path("store_check");
        assertTrue(s.path("acked").asInt() > 0, s.toString());
        assertEquals(0, s.path("missing").asInt(-1), s.toString());
        assertEquals(0, s.path("stored_twice").asInt(-1), s.toString());
        assertTrue(run.output().contains("cleaned up: the stack"), run.output());
    }

    @Test
    void upRefusesNetnsWithoutTheReplicatedTopology() throws Exception {
        ScriptRun.Result up = ScriptRun.run(List.of("bash", "scripts/up", "--netns", "--no-install", "--no-build"), 60);
        assertNotEquals(0, up.exit());
        assertTrue(up.output().contains("--netns goes with --ha"), up.output());
    }
}

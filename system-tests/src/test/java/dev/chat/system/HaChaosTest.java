package dev.chat.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.parallel.ResourceLock;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The replicated topology under its faults, shortened for the test command: {@code scripts/chaos --ha --short}
 * starts {@code scripts/up --ha} (three etcd members, Patroni with a PostgreSQL primary and its synchronous
 * standby behind HAProxy's primary listener, a Redis master with its replica and three Sentinels, two
 * user-service and two presence-service instances, every process under supervisord), lets 30 clients chat through
 * HAProxy and, one at a time: a machine loss of the PostgreSQL primary (its Patroni and PostgreSQL killed -9 and
 * kept down until a write commits through the listener, then started again: it must rejoin as the synchronous
 * standby); the primary's PostgreSQL frozen (SIGSTOP) for 10 s; a machine loss of the Redis master (the Sentinels
 * must promote the replica, and the old master come back as its replica); the Redis master frozen for 10 s; kill -9
 * of one etcd member, one Sentinel, one of the two user-service and one of the two presence-service instances
 * (supervisord restarts each).
 *
 * <p>It asserts correctness only: no acked message lost or shown twice, every takeover and rejoin happened, and
 * logins and presence lookups through HAProxy kept answering 200 while an etcd member, a Sentinel or one instance
 * of a service was gone. While a store was frozen every send got its first answer (ack or {@code unavailable})
 * before the store came back, so no send waited for it (the 3 s is the full run's figure; this run
 * reports its answers against {@link #ANSWER_BOUND} s and its clients' return against 10 s with
 * {@code --report-timings}, judged by neither: a full run at load 50 took 9.5 s and 20.5 s and lost nothing).
 * Takeover and rejoin times go to the build log and to {@code report.json} and {@code figures.jsonl} in the run
 * dir, never into an assertion. The full run is {@code scripts/chaos --ha}; its figures are in
 * docs/reliability.md.
 */
@ResourceLock(Lanes.SCENARIOS)
class HaChaosTest {
    /** Seconds; reported against, not asserted (--report-timings). */
    private static final int ANSWER_BOUND = 8;
    @Test
    void upAndChaosOfferTheReplicatedTopologyAndRefuseItsUnknownFaults() throws Exception {
        ScriptRun.Result up = ScriptRun.run(List.of("bash", "scripts/up", "--help"), 60);
        assertEquals(0, up.exit(), up.output());
        assertTrue(up.output().contains("--ha"), up.output());
        ScriptRun.Result chaos = ScriptRun.run(List.of("bash", "scripts/chaos", "--ha", "--faults", "pg-primary-kill,meteor"), 60);
        assertNotEquals(0, chaos.exit());
        assertTrue(chaos.output().contains("unknown fault 'meteor'"), chaos.output());
        // A fault of the replicated topology is not one of the single topology.
        ScriptRun.Result single = ScriptRun.run(List.of("bash", "scripts/chaos", "--faults", "pg-primary-kill"), 60);
        assertNotEquals(0, single.exit());
        assertTrue(single.output().contains("with --ha: pg-primary-kill"), single.output());
        // The data tier's plumbing: documented, and it acts on a member named outright, never on a guess.
        ScriptRun.Result help = ScriptRun.run(List.of("bash", "scripts/chaos", "--help"), 60);
        for (String query : List.of("pg-primary ", "pg-sync MEMBER", "pg-roles", "pg-writes", "redis-master ",
                "redis-replica-of REDIS MASTER")) {
            assertTrue(help.output().contains(query), query + " in:\n" + help.output());
        }
        java.nio.file.Path run = java.nio.file.Files.createTempDirectory(java.nio.file.Files.createDirectories(
                ScriptRun.ROOT.resolve("system-tests/target")), "chaos-ha-plumbing-");
        java.nio.file.Files.createDirectories(run.resolve("stack/pids"));
        ScriptRun.Result member = ScriptRun.run(List.of("bash", "scripts/chaos", "--ha", "--run-dir", run.toString(),
                "--inject", "pg-primary-kill", "pg-7"), 60);
        assertEquals(2, member.exit(), member.output());
        assertTrue(member.output().contains("pg-primary-kill needs its PostgreSQL member (pg-1 or pg-2), not 'pg-7'"),
                member.output());
        ScriptRun.Result query = ScriptRun.run(List.of("bash", "scripts/chaos", "--ha", "--run-dir", run.toString(),
                "--state", "redis-replica-of", "redis-1"), 60);
        assertEquals(2, query.exit(), query.output());
        assertTrue(query.output().contains("needs its Redis (redis-1 or redis-2), not ''"), query.output());
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.MINUTES)
    void theReplicatedTierSurvivesItsFaultsWithNothingLostOrShownTwice() throws Exception {
        int base = ScriptRun.freePortBase();
        ChaosRun run = ChaosRun.run("scripts/chaos", "chaos-ha-" + base, List.of("--ha", "--short", "--report-timings", "--clients", "30",
                "--answer-target", Integer.toString(ANSWER_BOUND), "--port-base", Integer.toString(base), "--timeout",
                "1020"), 1140);

        run.assertNothingLeftRunning();
        run.assertPassed();
        for (String fault : List.of("pg-primary-kill", "pg-primary-stop", "redis-master-kill", "redis-master-stop",
                "etcd-kill", "sentinel-kill", "user-service-kill", "presence-kill")) {
            JsonNode f = run.fault(fault);
            assertEquals(0, f.path("lost").asInt(-1), f.toString());
            assertEquals(0, f.path("shown_twice").asInt(-1), f.toString());
        }
        // The standby took over, and the old primary came back as the synchronous standby.
        assertTrue(run.note("pg-primary-kill", "takeover: pg-").contains("a write committed"), run.fault("pg-primary-kill").toString());
        assertEquals("synchronous standby", run.fault("pg-primary-kill").path("facts").path("rejoined_role").asText(),
                run.fault("pg-primary-kill").toString());
        assertTrue(Pattern.compile("(?m)pg-[12] rejoined as synchronous standby of pg-[12]").matcher(run.output()).find(), run.output());
        // The Sentinels promoted the replica, and the old master follows it.
        assertTrue(run.note("redis-master-kill", "takeover: the Sentinels name redis-") != null);
        assertTrue(Pattern.compile("(?m)redis-[12] is redis-[12]'s replica again").matcher(run.output()).find(), run.output());
        // With one etcd member, one Sentinel or one instance of a service gone, logins and presence kept answering:
        // never an error status from HAProxy or a service (a probe may time out at 2 s on a loaded machine: bcrypt).
        for (String fault : List.of("etcd-kill", "sentinel-kill", "user-service-kill", "presence-kill")) {
            String probes = run.note(fault, "probes through the entry point");
            assertTrue(probes.matches(".*login: [^;]*200 x\\d+[^;]*; presence: [^;]*200 x\\d+.*"), fault + ": " + probes);
            assertTrue(!probes.matches(".*(login|presence): [^;]*\\b[45]\\d\\d x.*"), fault + ": " + probes);
        }
        // The frozen stores: every send was answered before the store returned, and the pair is steady afterwards.
        for (String fault : List.of("pg-primary-stop", "redis-master-stop")) {
            JsonNode f = run.fault(fault);
            // Answered while the store was still frozen: no send waited for it to come back.
            assertTrue(f.path("longest_first_answer_s").asDouble(Double.MAX_VALUE) < f.path("lasted_s").asDouble(), f.toString());
            assertEquals(0, f.path("answer_waits_unanswered").asInt(-1), f.toString());
            assertTrue(f.path("answer_waits").asInt() > 0, f.toString());
        }
        assertTrue(run.fault("pg-primary-stop").path("facts").path("stopped_member_role_after").asText()
                .matches("primary|synchronous standby"), run.fault("pg-primary-stop").toString());
        assertTrue(run.fault("redis-master-stop").path("facts").path("stopped_member_role_after").asText()
                .matches("master|replica of redis-[12]"), run.fault("redis-master-stop").toString());
        assertTrue(run.report().path("store_check").path("ok").asBoolean(false), run.report().toString());
        assertTrue(run.output().contains("cleaned up: the stack"), run.output());
    }
}

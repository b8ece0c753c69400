package dev.chat.loadgen.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Map;

import org.junit.jupiter.api.Test;

/** Which components' CPU the benchmark counts as PostgreSQL's, on either topology. */
class PostgresCpuTest {
    @Test
    void theSingleStackCountsItsPostgres() {
        assertEquals(700L, BenchCommand.postgresCpu(Map.of("postgres", 700L, "chat-node-1", 5_000L, "redis", 90L)));
    }

    @Test
    void theReplicatedStackCountsEachPatroniAndTheServerItStarted() {
        // The server a member's Patroni starts is not below it in the process tree: scripts/bench gives it as
        // pg-N-server, and without it the figure would be Patroni's alone (the 3 + 4 here).
        Map<String, Long> cpu = Map.of("pg-1", 3L, "pg-1-server", 400L, "pg-2", 4L, "pg-2-server", 90L,
                "chat-node-1", 5_000L, "etcd-1", 60L, "redis-1", 20L);
        assertEquals(497L, BenchCommand.postgresCpu(cpu));
    }

    @Test
    void nothingKnownIsNoFigure() {
        assertNull(BenchCommand.postgresCpu(Map.of("chat-node-1", 5_000L, "pg-1-exporter", 7L)));
    }
}

package dev.chat.node.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.chat.node.TestAccounts;
import dev.chat.node.delivery.MessageLog.Appended;
import dev.chat.node.delivery.MessageLog.Appended.Outcome;
import dev.chat.testing.LocalPostgres;
import dev.chat.testing.Poll;
import dev.chat.testing.quarkus.JwtKeysResource;
import dev.chat.testing.quarkus.PostgresResource;
import dev.chat.testing.quarkus.RedisResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;

/**
 * The appends' races against real PostgreSQL, with no ON CONFLICT on the message insert (issue 16). A resend on this
 * node while its original is queued gets the original's answer; a resend through another node, played here by a
 * transaction of our own that stores the same (sender, ID) and holds it uncommitted, makes the append wait on
 * messages_dedup and fail when it commits: the append runs again (alone, or its whole batch) and answers as the
 * store holds it. Every key ends with one row.
 */
@QuarkusTest
@Tag("quarkus")
@TestProfile(AppendRacesTest.PatientStore.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(RedisResource.class)
@WithTestResource(JwtKeysResource.class)
class AppendRacesTest {
    /**
     * The appends wait on held transactions for as long as the test takes to set its race up. No linger: the race
     * is set up through the slots (an append that finds one free goes at once, alone).
     */
    public static class PatientStore implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("chat.postgres.call-timeout", "60s", "chat.delivery.append-linger", "0ms");
        }
    }

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    MessageLog log;
    @Inject
    Pool pool;

    @BeforeAll
    static void accounts() {
        TestAccounts.ensureTable();
    }

    @Test
    void racesThroughThisNodeAndAnotherEndWithOneRowPerKeyAndTheStoresAnswers() throws Exception {
        String ann = TestAccounts.create("race-a");
        String bea = TestAccounts.create("race-b");
        String cat = TestAccounts.create("race-c");
        String bob = TestAccounts.create("race-to");
        StoreReady.await(log, cat, bob, WAIT);

        List<String> held = new ArrayList<>();
        for (int i = 0; i < PgMessageLog.APPENDS_IN_FLIGHT; i++) {
            held.add(id());
        }
        int last = held.size() - 1;
        String batched = id();
        // Another node's appends, stored and not yet committed: one for each of this node's append statements in
        // flight, which they will block, and one that will block a batch.
        SqlConnection first = pool.getConnection().await().atMost(WAIT);
        SqlConnection second = pool.getConnection().await().atMost(WAIT);
        try {
            Transaction t1 = first.begin().await().atMost(WAIT);
            for (String id : held) {
                storeAsAppendDoes(first, ann, id, bob, "hi");
            }
            Transaction t2 = second.begin().await().atMost(WAIT);
            storeAsAppendDoes(second, bea, batched, bob, "hi");

            // This node's resends of those: the last with another body, the others alike. Each goes alone (a free
            // slot) and waits on messages_dedup.
            List<CompletableFuture<Appended>> rivals = new ArrayList<>();
            for (int i = 0; i < held.size(); i++) {
                rivals.add(append(ann, held.get(i), bob, i == last ? "other" : "hi"));
            }
            awaitWaitingOnLocks(held.size());

            // Every slot is busy: these queue, and go together as one batch. The original and its two resends on
            // this node share one key: only the original is queued.
            CompletableFuture<Appended> rival = append(bea, batched, bob, "hi");
            String fresh = id();
            CompletableFuture<Appended> freshOne = append(cat, fresh, bob, "fresh");
            String raced = id();
            CompletableFuture<Appended> original = append(cat, raced, bob, "raced");
            CompletableFuture<Appended> resend = append(cat, raced, bob, "raced");
            CompletableFuture<Appended> reused = append(cat, raced, bob, "not the same");

            t1.commit().await().atMost(WAIT);
            for (int i = 0; i < held.size(); i++) {
                Appended a = rivals.get(i).get(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertEquals(i == last ? Outcome.ID_REUSED : Outcome.DUPLICATE, a.outcome(), "resend " + i);
                assertEquals("hi", a.message().body());
            }
            // The batch now runs and waits on the other node's uncommitted row.
            awaitWaitingOnLocks(1);
            assertNull(original.getNow(null), "the batch waits");
            t2.commit().await().atMost(WAIT);

            assertEquals(Outcome.DUPLICATE, rival.get(WAIT.toSeconds(), TimeUnit.SECONDS).outcome(),
                    "the batch ran again on a snapshot that holds the other node's row");
            assertEquals(Outcome.ACCEPTED, freshOne.get(WAIT.toSeconds(), TimeUnit.SECONDS).outcome());
            Appended stored = original.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertEquals(Outcome.ACCEPTED, stored.outcome());
            Appended again = resend.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertEquals(Outcome.DUPLICATE, again.outcome(), "a same-node resend gets its original's answer");
            assertEquals(stored.message().seq(), again.message().seq());
            Appended other = reused.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertEquals(Outcome.ID_REUSED, other.outcome());
            assertEquals("raced", other.message().body());
        } finally {
            first.close().await().atMost(WAIT);
            second.close().await().atMost(WAIT);
        }
        for (String id : held) {
            assertEquals("1", psql("SELECT count(*) FROM messages WHERE sender = '" + ann + "' AND client_id = '" + id
                    + "'"));
        }
        assertEquals("1|1", psql("SELECT count(*), count(p.seq) FROM messages m LEFT JOIN pending p ON p.seq = m.seq"
                + " WHERE m.sender = '" + bea + "'"));
        assertEquals("2|2", psql("SELECT count(*), count(p.seq) FROM messages m LEFT JOIN pending p ON p.seq = m.seq"
                + " WHERE m.sender = '" + cat + "' AND m.client_id <> 'ready'"), "the fresh one and the raced one, once");
    }

    @Test
    void anotherNodesAppendThatRollsBackLeavesTheKeyToThisOne() throws Exception {
        String ann = TestAccounts.create("roll-a");
        String bob = TestAccounts.create("roll-to");
        StoreReady.await(log, ann, bob, WAIT);
        String id = id();
        SqlConnection other = pool.getConnection().await().atMost(WAIT);
        try {
            Transaction t = other.begin().await().atMost(WAIT);
            storeAsAppendDoes(other, ann, id, bob, "first");
            CompletableFuture<Appended> mine = append(ann, id, bob, "second");
            awaitWaitingOnLocks(1);
            t.rollback().await().atMost(WAIT);
            Appended a = mine.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertEquals(Outcome.ACCEPTED, a.outcome());
            assertEquals("second", a.message().body());
        } finally {
            other.close().await().atMost(WAIT);
        }
        assertEquals("1", psql("SELECT count(*) FROM messages WHERE sender = '" + ann + "' AND client_id = '" + id + "'"));
    }

    private CompletableFuture<Appended> append(String from, String id, String to, String body) {
        return log.append(from, id, to, body, System.currentTimeMillis()).subscribeAsCompletionStage();
    }

    /** What an append stores for a one-to-one message: the message and its pending row. */
    private static void storeAsAppendDoes(SqlConnection c, String from, String id, String to, String body) {
        c.query("WITH m AS (INSERT INTO messages (sender, client_id, recipient, body, ts) VALUES ('" + from + "', '"
                + id + "', '" + to + "', '" + body + "', 1) RETURNING seq, sender, client_id, recipient) "
                + "INSERT INTO pending (recipient, client_id, sender, seq) SELECT recipient, client_id, sender, seq FROM m")
                .execute().await().atMost(WAIT);
    }

    private void awaitWaitingOnLocks(int n) {
        poll(() -> pool.query("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'").execute()
                .await().atMost(WAIT).iterator().next().getLong(0) == n, n + " statements waiting on a lock");
    }

    private static void poll(BooleanSupplier condition, String what) {
        Poll.until(WAIT, condition::getAsBoolean, done -> done, done -> "not within " + WAIT + ": " + what);
    }

    private static String id() {
        return UUID.randomUUID().toString();
    }

    private static String psql(String sql) {
        return LocalPostgres.shared().psql(LocalPostgres.DATABASE, sql);
    }
}

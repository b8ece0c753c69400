package dev.chat.node.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.chat.node.TestAccounts;
import dev.chat.node.delivery.MessageLog.Appended;
import dev.chat.node.delivery.MessageLog.Appended.Outcome;
import dev.chat.testing.LocalPostgres;
import dev.chat.testing.quarkus.JwtKeysResource;
import dev.chat.testing.quarkus.PostgresResource;
import dev.chat.testing.quarkus.RedisResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * Appends linger ({@code chat.delivery.append-linger}): sends that arrive within the linger share one statement, so
 * one transaction and one commit, even when a slot is free for each (without the linger each would go at once, alone).
 * What shows it is the rows' xmin: one transaction wrote both. The linger here is long, so that the test does not
 * depend on how fast it submits.
 */
@QuarkusTest
@Tag("quarkus")
@TestProfile(AppendLingerTest.LongLinger.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(RedisResource.class)
@WithTestResource(JwtKeysResource.class)
class AppendLingerTest {
    public static class LongLinger implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("chat.delivery.append-linger", "300ms");
        }
    }

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    MessageLog log;

    @BeforeAll
    static void accounts() {
        TestAccounts.ensureTable();
    }

    @Test
    void sendsWithinTheLingerShareOneStatementAndEachIsAnsweredAsIfAlone() throws Exception {
        String ann = TestAccounts.create("linger-a");
        String bea = TestAccounts.create("linger-b");
        String bob = TestAccounts.create("linger-to");
        StoreReady.await(log, ann, bob, WAIT);

        String first = UUID.randomUUID().toString();
        String second = UUID.randomUUID().toString();
        String unknown = UUID.randomUUID().toString();
        CompletableFuture<Appended> a = append(ann, first, bob, "one");
        CompletableFuture<Appended> b = append(bea, second, bob, "two");
        CompletableFuture<Appended> c = append(ann, unknown, "nobody-linger", "lost?");
        CompletableFuture<Appended> again = append(ann, "ready", bob, "ready");

        assertEquals(Outcome.ACCEPTED, a.get(WAIT.toSeconds(), TimeUnit.SECONDS).outcome());
        assertEquals(Outcome.ACCEPTED, b.get(WAIT.toSeconds(), TimeUnit.SECONDS).outcome());
        assertEquals(Outcome.UNKNOWN_RECIPIENT, c.get(WAIT.toSeconds(), TimeUnit.SECONDS).outcome());
        assertEquals(Outcome.DUPLICATE, again.get(WAIT.toSeconds(), TimeUnit.SECONDS).outcome());
        assertEquals("2|1", psql("SELECT count(*), count(DISTINCT xmin::text) FROM messages WHERE client_id IN ('"
                + first + "', '" + second + "')"), "both rows, written by one transaction");
        assertEquals("0", psql("SELECT count(*) FROM messages WHERE client_id = '" + unknown + "'"));
    }

    private CompletableFuture<Appended> append(String from, String id, String to, String body) {
        return log.append(from, id, to, body, System.currentTimeMillis()).subscribeAsCompletionStage();
    }

    private static String psql(String sql) {
        return LocalPostgres.shared().psql(LocalPostgres.DATABASE, sql);
    }
}

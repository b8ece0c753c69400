package dev.chat.node.delivery;

import static dev.chat.node.TestAccounts.create;
import static dev.chat.node.TestAccounts.token;
import static dev.chat.testing.ChatClient.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.chat.node.TestAccounts;
import dev.chat.testing.ChatClient;
import dev.chat.testing.LocalPostgres;
import dev.chat.testing.quarkus.JwtKeysResource;
import dev.chat.testing.quarkus.PostgresResource;
import dev.chat.testing.quarkus.RedisResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Many sockets sending at once, so that appends and acks share statements: each send is acked or refused as
 * if alone, a retry racing its original (same sender and ID from two sockets at once) is stored once, and
 * every message reaches its recipient.
 */
@QuarkusTest
@Tag("quarkus")
@WithTestResource(PostgresResource.class)
@WithTestResource(RedisResource.class)
@WithTestResource(JwtKeysResource.class)
class BatchedWritesTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int SENDERS = 30;
    private static final int EACH = 10;

    @TestHTTPResource("/ws/chat")
    URI http;

    @BeforeAll
    static void accounts() {
        TestAccounts.ensureTable();
    }

    @Test
    void concurrentSendsAreStoredOnceEachAndAllDelivered() {
        URI ws = URI.create(http.toString().replaceFirst("^http", "ws"));
        String bob = create("bob");
        String twin = create("twin");
        List<ChatClient> senders = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        List<String> refusedIds = new ArrayList<>();
        try (ChatClient b = ChatClient.connect(ws, token(bob)); ChatClient t1 = ChatClient.connect(ws, token(twin));
                ChatClient t2 = ChatClient.connect(ws, token(twin))) {
            for (int s = 0; s < SENDERS; s++) {
                senders.add(ChatClient.connect(ws, token(create("s" + s))));
            }
            List<String> raced = new ArrayList<>();
            for (int k = 0; k < EACH; k++) {
                for (ChatClient c : senders) {
                    String id = UUID.randomUUID().toString();
                    ids.add(id);
                    c.sendMessage(id, bob, "m" + k);
                }
                String race = UUID.randomUUID().toString();
                raced.add(race);
                t1.sendMessage(race, bob, "raced");
                t2.sendMessage(race, bob, "raced");
                String nobody = UUID.randomUUID().toString();
                refusedIds.add(nobody);
                senders.get(k).sendMessage(nobody, "nobody_" + k, "lost?");
            }
            for (ChatClient c : senders) {
                c.awaitCount(f -> "ack".equals(f.path("type").asText()), EACH, WAIT);
            }
            for (int k = 0; k < EACH; k++) {
                String id = refusedIds.get(k);
                senders.get(k).await(f -> "unknown_recipient".equals(f.path("code").asText())
                        && id.equals(f.path("id").asText()), WAIT);
            }
            for (String race : raced) {
                t1.await(frame("ack", race), WAIT);
                t2.await(frame("ack", race), WAIT);
            }
            Set<String> expected = new HashSet<>(ids);
            expected.addAll(raced);
            // Each ID arrives; one may arrive twice (redelivered before its ack was recorded, on a slow machine),
            // which the contract allows and a client drops, so the frames are not counted.
            for (String id : expected) {
                b.await(frame("msg", id), WAIT);
            }
            Set<String> got = new HashSet<>();
            b.frames().stream().filter(f -> "msg".equals(f.path("type").asText())).forEach(f -> got.add(f.get("id").asText()));
            assertEquals(expected, got);
            for (String race : raced) {
                assertEquals("1", LocalPostgres.shared().psql(LocalPostgres.DATABASE,
                        "SELECT count(*) FROM messages WHERE sender = '" + twin + "' AND client_id = '" + race + "'"));
            }
            assertEquals(Integer.toString(SENDERS * EACH + EACH), LocalPostgres.shared().psql(LocalPostgres.DATABASE,
                    "SELECT count(*) FROM messages WHERE recipient = '" + bob + "'"));
            // Every ack recorded (bob's client acks each msg as it comes).
            Poll.awaitZero(() -> LocalPostgres.shared().psql(LocalPostgres.DATABASE,
                    "SELECT count(*) FROM pending WHERE recipient = '" + bob + "'"));
        } finally {
            senders.forEach(ChatClient::close);
        }
    }

    /**
     * Sends racing for one ID: two senders, one offline recipient, the same ID at once (so that they may share
     * a statement, or commit in either order): exactly one is acked and stored, the other refused with
     * id_in_use; one sender, the same ID from two sockets with two bodies: one acked, the other id_reused.
     */
    @Test
    void racingSendsOfOneIdStoreOneMessageAndRefuseTheOther() {
        URI ws = URI.create(http.toString().replaceFirst("^http", "ws"));
        String carl = create("carl");
        String ann = create("ann");
        String ben = create("ben");
        List<String> shared = new ArrayList<>();
        List<String> reused = new ArrayList<>();
        try (ChatClient a = ChatClient.connect(ws, token(ann)); ChatClient b = ChatClient.connect(ws, token(ben));
                ChatClient a2 = ChatClient.connect(ws, token(ann))) {
            for (int k = 0; k < EACH; k++) {
                String id = "race-" + UUID.randomUUID().toString().substring(0, 8);
                shared.add(id);
                a.sendMessage(id, carl, "from ann");
                b.sendMessage(id, carl, "from ben");
                String again = "again-" + UUID.randomUUID().toString().substring(0, 8);
                reused.add(again);
                a.sendMessage(again, carl, "one body");
                a2.sendMessage(again, carl, "another body");
            }
            for (String id : shared) {
                var fromAnn = answer(a, id);
                var fromBen = answer(b, id);
                List<String> outcomes = new ArrayList<>(List.of(outcome(fromAnn), outcome(fromBen)));
                outcomes.sort(null);
                assertEquals(List.of("ack", "id_in_use"), outcomes, id + ": " + fromAnn + " / " + fromBen);
                assertEquals("1", LocalPostgres.shared().psql(LocalPostgres.DATABASE,
                        "SELECT count(*) FROM messages WHERE recipient = '" + carl + "' AND client_id = '" + id + "'"));
            }
            for (String id : reused) {
                List<String> outcomes = new ArrayList<>(List.of(outcome(answer(a, id)), outcome(answer(a2, id))));
                outcomes.sort(null);
                assertEquals(List.of("ack", "id_reused"), outcomes, id);
            }
        }
    }

    private static com.fasterxml.jackson.databind.JsonNode answer(ChatClient c, String id) {
        return c.await(f -> id.equals(f.path("id").asText())
                && ("ack".equals(f.path("type").asText()) || "error".equals(f.path("type").asText())), WAIT);
    }

    private static String outcome(com.fasterxml.jackson.databind.JsonNode f) {
        return "ack".equals(f.path("type").asText()) ? "ack" : f.path("code").asText();
    }

    /** Polls a count until it reads 0. */
    private static final class Poll {
        static void awaitZero(java.util.function.Supplier<String> count) {
            java.time.Instant deadline = java.time.Instant.now().plus(WAIT);
            String n = count.get();
            while (!n.equals("0")) {
                if (java.time.Instant.now().isAfter(deadline)) {
                    throw new AssertionError("still " + n);
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                n = count.get();
            }
        }
    }
}

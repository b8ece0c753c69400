package dev.chat.node.delivery;

import static dev.chat.testing.ChatClient.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.chat.node.TestAccounts;
import dev.chat.node.config.NodeIdentity;
import dev.chat.node.postgres.StoreSilence;
import dev.chat.presence.model.PresenceKeys;
import dev.chat.testing.ChatClient;
import dev.chat.testing.LocalPostgres;
import dev.chat.testing.LocalRedisSentinel;
import dev.chat.testing.Poll;
import dev.chat.testing.quarkus.JwtKeysResource;
import dev.chat.testing.quarkus.OwnPostgresResource;
import dev.chat.testing.quarkus.SentinelResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.quarkus.websockets.next.OpenConnections;
import io.quarkus.websockets.next.WebSocketConnection;

/**
 * One node on the HA data tier (issue 14): Redis through three Sentinels (master, replica), PostgreSQL of its own,
 * both broken here on purpose.
 * <ul>
 * <li>the Redis master killed with -9: after the Sentinels promote the replica, messages flow again, the node's
 * presence entries on the new master equal its live sockets, its channel is subscribed there, and every acked
 * message reaches its recipient exactly once;
 * <li>Redis or PostgreSQL frozen (SIGSTOP) for 10 s: every send is answered (ack, or {@code unavailable}) within
 * {@link #ANSWER_BOUND}, never left hanging; after SIGCONT everything retried is delivered.
 * </ul>
 * The bound is shorter than the 10-s freeze, so an answer within it was not waiting for the store to come back: it
 * came from the call timeout ({@code chat.*.call-timeout}, 2 s). How soon it comes is a figure for scripts/chaos,
 * not an assertion here (these machines are shared, and a 1-s margin failed under load).
 */
@QuarkusTest
@Tag("quarkus")
@WithTestResource(OwnPostgresResource.class)
@WithTestResource(SentinelResource.class)
@WithTestResource(JwtKeysResource.class)
class DataTierFaultsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** Well short of the freeze ({@link #FAULT}): an answer within it did not wait for the store's return. */
    private static final Duration ANSWER_BOUND = Duration.ofSeconds(8);
    private static final Duration FAULT = Duration.ofSeconds(10);

    @TestHTTPResource("/ws/chat")
    URI http;
    @Inject
    NodeIdentity node;
    @Inject
    OpenConnections openConnections;
    @OwnPostgresResource.InjectPostgres
    LocalPostgres pg;
    @SentinelResource.InjectSentinel
    LocalRedisSentinel redis;
    @Inject
    MessageLog log;
    @Inject
    StoreSilence silence;

    @BeforeEach
    void healthyDataTier() {
        TestAccounts.ensureTable(pg);
        redis.restartDead();
    }

    @Test
    void afterTheRedisMasterIsKilledThePromotedReplicaCarriesEverything() {
        String alice = TestAccounts.create(pg, "ha_alice");
        String bob = TestAccounts.create(pg, "ha_bob");
        try (ChatClient a = connect(alice); ChatClient b = connect(bob)) {
            List<String> sent = new ArrayList<>();
            sent.add(sendAcked(a, bob, "before"));
            b.await(frame("msg", sent.get(0)), WAIT);

            int killed = redis.killMaster();
            // Sends during the failover: each answered; retried with the same ID until acked.
            for (int i = 0; i < 5; i++) {
                sent.add(sendAcked(a, bob, "during " + i));
            }
            int master = redis.awaitNewMaster(killed, WAIT);

            // The node's channel is subscribed on the new master, and its presence entries there are its sockets.
            Poll.until(WAIT, () -> redis.cli(master, "PUBSUB", "NUMSUB", PresenceKeys.channel(node.id())),
                    out -> out.trim().endsWith("1"), out -> "channel not subscribed on the new master: " + out);
            awaitPresenceEqualsLiveSockets(master);

            String after = sendAcked(a, bob, "after");
            sent.add(after);
            assertEquals("after", b.await(frame("msg", after), WAIT).get("body").asText());
            String back = sendAcked(b, alice, "back");
            a.await(frame("msg", back), WAIT);

            for (String id : sent) {
                b.await(frame("msg", id), WAIT);
            }
            assertStoredOnce(alice, sent);
        }
    }

    @Test
    void aFrozenRedisLeavesNoSendUnansweredAndTheNodeRecovers() {
        String alice = TestAccounts.create(pg, "hz_alice");
        String bob = TestAccounts.create(pg, "hz_bob");
        try (ChatClient a = connect(alice); ChatClient b = connect(bob)) {
            List<String> acked = new ArrayList<>();
            int frozen = redis.masterPort();
            redis.freeze(frozen);
            try {
                Instant until = Instant.now().plus(FAULT);
                for (int i = 0; i < 40 && Instant.now().isBefore(until); i++) {
                    String id = UUID.randomUUID().toString();
                    a.sendMessage(id, bob, "while redis is frozen " + i);
                    JsonNode answer = answer(a, id, 1);
                    if ("ack".equals(answer.path("type").asText())) {
                        acked.add(id);
                        // Delivered without Redis too: the presence lookup fails within its bound, the sweep
                        // pushes from PostgreSQL. (This also paces the sends over the whole fault.)
                        b.await(frame("msg", id), WAIT);
                    } else {
                        assertEquals("unavailable", answer.path("code").asText(), answer.toString());
                    }
                    pace();
                }
            } finally {
                redis.thaw(frozen);
            }
            // Stored in PostgreSQL, so acked whatever Redis does; delivered once Redis (or the sweep) lets it through.
            assertTrue(!acked.isEmpty(), "no send was acked while only Redis was frozen");
            for (String id : acked) {
                b.await(frame("msg", id), WAIT);
            }
            String after = sendAcked(a, bob, "after the thaw");
            b.await(frame("msg", after), WAIT);
            awaitPresenceEqualsLiveSockets(redis.masterPort());
            List<String> all = new ArrayList<>(acked);
            all.add(after);
            assertStoredOnce(alice, all);
        }
    }

    @Test
    void aFrozenPostgresAnswersSendsUnavailableInTimeAndTheRetriesLand() {
        String alice = TestAccounts.create(pg, "hp_alice");
        String bob = TestAccounts.create(pg, "hp_bob");
        try (ChatClient a = connect(alice); ChatClient b = connect(bob)) {
            Map<String, String> bodies = new HashMap<>();
            Map<String, String> refused = new HashMap<>();
            pg.freeze();
            try {
                Instant until = Instant.now().plus(FAULT);
                for (int i = 0; i < 40 && Instant.now().isBefore(until); i++) {
                    String id = UUID.randomUUID().toString();
                    String body = "while postgres is frozen " + i;
                    a.sendMessage(id, bob, body);
                    bodies.put(id, body);
                    JsonNode answer = answer(a, id, 1);
                    // An ack is possible only for a statement that ran before the stop reached every backend.
                    if (!"ack".equals(answer.path("type").asText())) {
                        assertEquals("unavailable", answer.path("code").asText(), answer.toString());
                        refused.put(id, body);
                    }
                }
            } finally {
                pg.thaw();
            }
            assertFalse(refused.isEmpty(), "no send was answered unavailable while PostgreSQL was frozen");
            // The client's part: retry each, same ID and same content, until acked. (A statement that timed out may
            // still have committed: its retry is then a duplicate and acked; other content would be id_reused.)
            for (Map.Entry<String, String> e : refused.entrySet()) {
                retryUntilAcked(a, bob, e.getKey(), e.getValue(), 1);
            }
            for (String id : bodies.keySet()) {
                b.await(frame("msg", id), WAIT);
            }
            assertStoredOnce(alice, new ArrayList<>(bodies.keySet()));
        }
    }

    /**
     * Appends that a stopped database refused (each answered {@code unavailable}) are not the store answering: the
     * node's {@link StoreSilence} keeps counting from before the stop. Were a refusal counted as an answer, a socket's
     * sends would keep waiting their turn behind calls that hang, as if the store were merely slow, instead of being
     * answered {@code unavailable} in time (scripts/chaos pg-primary-stop found sends waiting 4.9 s: HAProxy
     * refuses connections while no member is primary, and batches of appends turned those refusals into items).
     * Twenty appends at once, so that some share a batch (the log runs four batches at a time).
     */
    @Test
    void appendsRefusedByAStoppedDatabaseAreNotCountedAsItsAnswer() {
        log.unacked("nobody", 1).await().atMost(WAIT);
        pg.stop();
        try {
            long stoppedAt = System.nanoTime();
            List<Uni<MessageLog.Appended>> appends = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                appends.add(log.append("nobody", UUID.randomUUID().toString(), "nobody_else", "refused " + i,
                        System.currentTimeMillis()).onFailure().recoverWithItem(e -> MessageLog.Appended.refused(
                                MessageLog.Appended.Outcome.UNAVAILABLE)));
            }
            List<MessageLog.Appended> outcomes = Uni.join().all(appends).andFailFast().await().atMost(WAIT);
            long sinceStop = (System.nanoTime() - stoppedAt) / 1_000_000;
            for (MessageLog.Appended a : outcomes) {
                assertEquals(MessageLog.Appended.Outcome.UNAVAILABLE, a.outcome(), "a stopped database stores nothing");
            }
            long silent = silence.sinceLastSuccessMillis();
            assertTrue(silent >= sinceStop, "the store counted as answering " + silent + " ms ago, though it was "
                    + "stopped " + sinceStop + " ms ago and refused every append since");
        } finally {
            pg.restart();
            Poll.until(WAIT, () -> silence.sinceLastSuccessMillis() >= 0 && log.unacked("nobody", 1)
                    .map(x -> true).onFailure().recoverWithItem(false).await().atMost(WAIT), ok -> ok,
                    ok -> "PostgreSQL not answering again after the restart");
        }
    }

    // ------------------------------------------------------------------ helpers

    /**
     * The sender's pace, four messages a second, so that sends cover the whole fault within the node's rate limit
     * (20 a second): a client's rate, not a wait for anything.
     */
    private static void pace() {
        try {
            Thread.sleep(250);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private ChatClient connect(String user) {
        return ChatClient.connect(URI.create(http.toString().replaceFirst("^http", "ws")), TestAccounts.token(user));
    }

    /** Sends a new message and retries it with the same ID until acked; every answer comes within the bound. */
    private String sendAcked(ChatClient c, String to, String body) {
        String id = UUID.randomUUID().toString();
        c.sendMessage(id, to, body);
        return retryUntilAcked(c, to, id, body, 1);
    }

    private String retryUntilAcked(ChatClient c, String to, String id, String body, int sentSoFar) {
        Instant deadline = Instant.now().plus(WAIT);
        int attempt = sentSoFar;
        while (true) {
            JsonNode answer = answer(c, id, attempt);
            if ("ack".equals(answer.path("type").asText())) {
                return id;
            }
            assertEquals("unavailable", answer.path("code").asText(), answer.toString());
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("message " + id + " never acked within " + WAIT + "; last " + answer);
            }
            c.sendMessage(id, to, body);
            attempt++;
        }
    }

    /** The answer (ack or error) to the {@code attempt}-th send of {@code id}, which must come within the bound. */
    private static JsonNode answer(ChatClient c, String id, int attempt) {
        Predicate<JsonNode> answers = f -> id.equals(f.path("id").asText())
                && ("ack".equals(f.path("type").asText()) || "error".equals(f.path("type").asText()));
        c.awaitCount(answers, attempt, ANSWER_BOUND);
        return c.frames().stream().filter(answers).skip(attempt - 1).findFirst().orElseThrow();
    }

    /**
     * The sender's messages are stored exactly once each, whatever was retried: an append that outlived its bound
     * (and committed after its sender was told {@code unavailable}) is found as a duplicate on the retry.
     */
    private void assertStoredOnce(String sender, List<String> ids) {
        String stored = pg.psql(LocalPostgres.DATABASE, "SELECT count(*), count(DISTINCT client_id) FROM messages "
                + "WHERE sender = '" + sender + "'");
        assertEquals(ids.size() + "|" + ids.size(), stored, "messages stored for " + ids.size() + " sends");
    }

    /** The node's socket index and user entries on {@code master} are exactly its open sockets. */
    private void awaitPresenceEqualsLiveSockets(int master) {
        Poll.until(WAIT, () -> {
            Set<String> live = new HashSet<>();
            Map<String, Integer> perUser = new HashMap<>();
            for (WebSocketConnection c : openConnections) {
                live.add(c.id());
                perUser.merge(c.userData().get(dev.chat.node.endpoint.UpgradeChecks.USER), 1, Integer::sum);
            }
            List<String> lines = redis.cli(master, "HGETALL", PresenceKeys.nodeSockets(node.id())).lines()
                    .filter(l -> !l.isBlank()).toList();
            Set<String> recorded = new HashSet<>();
            boolean usersMatch = true;
            for (int i = 0; i + 1 < lines.size(); i += 2) {
                recorded.add(lines.get(i));
            }
            for (Map.Entry<String, Integer> e : perUser.entrySet()) {
                String n = redis.cli(master, "HGET", PresenceKeys.user(e.getKey()), node.id()).trim();
                usersMatch &= n.equals(Integer.toString(e.getValue()));
            }
            return usersMatch && recorded.equals(live) ? "" : "live " + live + " " + perUser + ", recorded " + recorded;
        }, String::isEmpty, why -> "presence map never equalled the live sockets: " + why);
    }
}

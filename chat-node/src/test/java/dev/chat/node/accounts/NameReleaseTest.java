package dev.chat.node.accounts;

import static dev.chat.testing.ChatClient.frame;
import static dev.chat.testing.ChatClient.type;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.chat.node.TestAccounts;
import dev.chat.node.postgres.PostgresCalls;
import dev.chat.testing.ChatClient;
import dev.chat.testing.LocalPostgres;
import dev.chat.testing.Poll;
import dev.chat.testing.quarkus.JwtKeysResource;
import dev.chat.testing.quarkus.PostgresResource;
import dev.chat.testing.quarkus.RedisResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.PgPool;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.PoolOptions;

/**
 * The release of a deleted account's name against real PostgreSQL (issue 17): every chat table re-keyed from the
 * name to {@code ~ID} in one transaction, then the release marked; the name's next owner sees nothing of the old
 * account; the other party keeps the conversation under the key; old tokens are refused on the socket upgrade;
 * several nodes releasing at once release each name once, as chat-node's own database role.
 */
@QuarkusTest
@Tag("quarkus")
@WithTestResource(PostgresResource.class)
@WithTestResource(RedisResource.class)
@WithTestResource(JwtKeysResource.class)
class NameReleaseTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    /** Every column of chat-node's tables (db/chat) that names a user. */
    private static final List<String> USER_COLUMNS = List.of("messages.sender", "messages.recipient",
            "messages.target_from", "pending.recipient", "pending.sender", "conversation_reads.reader",
            "conversation_reads.peer", "chat_groups.created_by", "group_members.username", "group_inbox.member",
            "group_removed.username", "group_removed.removed_by", "message_words.sender", "message_words.recipient",
            "pending_kept.recipient", "pending_kept.sender");

    @TestHTTPResource("/ws/chat")
    URI http;
    @Inject
    NameReleases releases;
    @Inject
    Vertx vertx;

    @BeforeAll
    static void accounts() {
        TestAccounts.ensureTable();
    }

    private URI ws() {
        return URI.create(http.toString().replaceFirst("^http", "ws"));
    }

    private ChatClient connect(String user) {
        return ChatClient.connect(ws(), TestAccounts.token(user));
    }

    private static String sql(String query) {
        return LocalPostgres.shared().psql(LocalPostgres.DATABASE, query);
    }

    private static String id() {
        return UUID.randomUUID().toString();
    }

    /** A word no other test uses, letters only (the text-search parser keeps it whole). */
    private static String word() {
        StringBuilder w = new StringBuilder("zr");
        for (char c : UUID.randomUUID().toString().replace("-", "").substring(0, 10).toCharArray()) {
            w.append((char) ('a' + Character.digit(c, 16)));
        }
        return w.toString();
    }

    private static String newGroup(String owner, List<String> members) {
        return given().auth().oauth2(TestAccounts.token(owner)).contentType(ContentType.JSON)
                .body(Map.of("name", "g", "members", members)).post("/api/groups")
                .then().statusCode(201).extract().path("id");
    }

    private static void send(ChatClient c, String id, String to, String body) {
        c.sendMessage(id, to, body);
        c.await(frame("ack", id), WAIT);
    }

    private static void sendToGroup(ChatClient c, String id, String group, String body) {
        c.send("{\"type\":\"send\",\"id\":\"" + id + "\",\"group\":\"" + group + "\",\"body\":\"" + body + "\"}");
        c.await(frame("ack", id), WAIT);
    }

    /** How many rows of each user column name {@code name}, for those that do. */
    private static Map<String, Integer> rowsNaming(String name) {
        Map<String, Integer> found = new java.util.TreeMap<>();
        for (String column : USER_COLUMNS) {
            String[] tc = column.split("\\.");
            int n = Integer.parseInt(sql("SELECT count(*) FROM " + tc[0] + " WHERE " + tc[1] + " = '" + name + "'"));
            if (n > 0) {
                found.put(column, n);
            }
        }
        return found;
    }

    /** Releases by hand until the release of {@code account} is done (the tests' nodes do not look on their own). */
    private void awaitReleased(long account) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (sql("SELECT released_at IS NOT NULL FROM name_releases WHERE account_id = " + account).equals("f")) {
            releases.releasePending().await().atMost(WAIT);
            assertTrue(System.nanoTime() < deadline, "release of account " + account + " not done");
        }
    }

    @Test
    void aReleaseReKeysEveryTableAndTheNamesNextOwnerSeesNothingOfTheOldAccount() {
        String alice = TestAccounts.create("alice");
        String bob = TestAccounts.create("bob");
        String carol = TestAccounts.create("carol");
        String dave = TestAccounts.create("dave");
        String secret = word();
        String group = newGroup(alice, List.of(bob, carol, dave));
        String alone = newGroup(alice, List.of());
        String bobs = newGroup(bob, List.of(alice));
        given().auth().oauth2(TestAccounts.token(alice)).contentType(ContentType.JSON).body(Map.of("role", "admin"))
                .put("/api/groups/" + group + "/members/" + carol + "/role").then().statusCode(204);
        given().auth().oauth2(TestAccounts.token(alice)).delete("/api/groups/" + group + "/members/" + dave)
                .then().statusCode(204);
        given().auth().oauth2(TestAccounts.token(bob)).delete("/api/groups/" + bobs + "/members/" + alice)
                .then().statusCode(204);

        String read = id();
        String owed = id();
        String edited = id();
        try (ChatClient a = ChatClient.connect(ws(), TestAccounts.token(alice), false)) {
            send(a, read, bob, "hello bob, " + secret);
            send(a, edited, bob, "a typo");
            String edit = id();
            a.send("{\"type\":\"edit\",\"id\":\"" + edit + "\",\"target\":\"" + edited + "\",\"body\":\"fixed "
                    + secret + "\"}");
            a.await(frame("ack", edit), WAIT);
            sendToGroup(a, id(), group, "to the group " + secret);
            sendToGroup(a, id(), alone, "to myself");
        }
        try (ChatClient b = ChatClient.connect(ws(), TestAccounts.token(bob), false)) {
            // bob acks the first, leaves the others owed to him; what he sends alice stays owed to her.
            b.await(frame("msg", read), WAIT);
            b.ack(read);
            send(b, owed, alice, "hi alice " + secret);
            sendToGroup(b, id(), group, "bob to the group");
        }
        long ts = given().auth().oauth2(TestAccounts.token(bob)).get("/api/conversations").then().statusCode(200)
                .extract().jsonPath().getLong("find { it.with == '" + alice + "' }.last.ts");
        for (String[] pair : List.of(new String[] {bob, alice}, new String[] {alice, bob})) {
            given().auth().oauth2(TestAccounts.token(pair[0])).contentType(ContentType.JSON)
                    .body("{\"ts\":" + ts + "}").put("/api/conversations/" + pair[1] + "/read").then().statusCode(204);
        }
        // An admin (carol) deletes alice's group message: a change whose target_from is alice, sent by carol.
        String groupMessage = sql("SELECT client_id FROM messages WHERE group_id = " + group + " AND sender = '"
                + alice + "'");
        try (ChatClient c = connect(carol)) {
            String del = id();
            c.send("{\"type\":\"delete\",\"id\":\"" + del + "\",\"target\":\"" + groupMessage
                    + "\",\"targetFrom\":\"" + alice + "\"}");
            c.await(frame("ack", del), WAIT);
        }
        // Search's index (V60) holds them all before the release: the node's indexer passes every 200 ms here.
        String last = sql("SELECT max(seq) FROM messages");
        Poll.until(WAIT, () -> sql("SELECT indexed_through >= " + last + " FROM search_progress"), "t"::equals,
                w -> "search's index did not reach seq " + last);
        // And the logged copies of what stays pending (V61): the node's keeper moves its mark every second here.
        Poll.until(WAIT, () -> sql("SELECT kept_through >= " + last + " FROM pending_mark"), "t"::equals,
                w -> "the keeper's mark did not reach seq " + last);
        Map<String, Integer> before = rowsNaming(alice);
        assertEquals(USER_COLUMNS.stream().sorted().toList(), List.copyOf(before.keySet()),
                "the test's data puts alice in every user column: " + before);
        String oldSession = TestAccounts.session(alice);
        long oldId = TestAccounts.id(alice);
        String oldToken = TestAccounts.token(alice, oldId, oldSession);

        long account = TestAccounts.delete(alice);
        String key = "~" + account;
        awaitReleased(account);

        assertEquals(Map.of(), rowsNaming(alice), "no chat row names the released name");
        Map<String, Integer> after = rowsNaming(key);
        assertEquals(before.get("messages.sender") - 1, after.get("messages.sender"),
                "every message kept, under the key, but the one to the group she was alone in, which went with it");
        assertEquals(before.get("messages.recipient"), after.get("messages.recipient"));
        assertEquals(before.get("messages.target_from"), after.get("messages.target_from"));
        assertEquals(before.get("pending.sender"), after.get("pending.sender"), "still owed to bob, from the key");
        assertEquals(before.get("pending_kept.sender"), after.get("pending_kept.sender"),
                "its logged copy too: a rebuild after a crash must not owe it from the old name");
        assertEquals(before.get("conversation_reads.peer"), after.get("conversation_reads.peer"));
        assertEquals(before.get("chat_groups.created_by"), after.get("chat_groups.created_by") + 1,
                "the group alice was alone in went");
        assertEquals(before.get("group_removed.username"), after.get("group_removed.username"));
        assertEquals(before.get("group_removed.removed_by"), after.get("group_removed.removed_by"));
        assertEquals(before.get("message_words.sender"), after.get("message_words.sender"),
                "search's index follows the key (the words of the group's message that went are never shown)");
        assertEquals(before.get("message_words.recipient"), after.get("message_words.recipient"));
        assertEquals(Set.of("messages.sender", "messages.recipient", "messages.target_from", "pending.sender",
                "conversation_reads.peer", "chat_groups.created_by", "group_removed.username",
                "group_removed.removed_by", "message_words.sender", "message_words.recipient", "pending_kept.sender"),
                after.keySet(),
                "what was owed to her, her read marks and her memberships went");
        assertEquals("0", sql("SELECT count(*) FROM chat_groups WHERE id = " + alone));
        given().auth().oauth2(TestAccounts.token(carol)).get("/api/groups/" + group).then().statusCode(200)
                .body("members.find { it.username == '" + carol + "' }.role", equalTo("owner"))
                .body("members.size()", equalTo(2));

        // Done once: another look finds nothing, and changes nothing.
        assertNull(releases.releaseOne().await().atMost(WAIT));
        assertEquals(after, rowsNaming(key));

        // The name goes to someone new, who sees nothing of the old account.
        long newId = TestAccounts.createNamed(alice);
        assertNotEquals(account, newId);
        String newSession = TestAccounts.session(alice);
        String newToken = TestAccounts.token(alice, newId, newSession);
        given().auth().oauth2(newToken).get("/api/conversations").then().statusCode(200).body("size()", equalTo(0));
        given().auth().oauth2(newToken).get("/api/conversations/" + bob + "/messages").then().statusCode(200)
                .body("size()", equalTo(0));
        given().auth().oauth2(newToken).get("/api/groups").then().statusCode(200).body("size()", equalTo(0));
        given().auth().oauth2(newToken).get("/api/groups/" + group).then().statusCode(404);
        given().auth().oauth2(newToken).queryParam("q", secret).get("/api/search").then().statusCode(200)
                .body("size()", equalTo(0));
        try (ChatClient n = ChatClient.connect(ws(), newToken)) {
            String hello = id();
            send(n, hello, carol, "new here");
            assertEquals(List.of(), n.frames().stream().filter(type("msg")).toList(), "nothing owed to the new alice");
        }

        // The old account's tokens are refused, though their name is registered again.
        assertEquals(Optional.of(401), ChatClient.refusal(ws(), "Bearer " + oldToken));
        assertEquals(Optional.of(401), ChatClient.refusal(ws(), "Bearer " + TestAccounts.token(alice, oldId,
                TestAccounts.session(alice))), "a token pairing the name with the old id, in a live session");

        // bob keeps the conversation, under the key, and is still owed what the old alice sent.
        JsonPath list = given().auth().oauth2(TestAccounts.token(bob)).get("/api/conversations").then()
                .statusCode(200).extract().jsonPath();
        assertTrue(list.getList("with").contains(key), list.prettify());
        assertEquals(0, list.getInt("find { it.with == '" + key + "' }.unread"), "his read mark followed the key");
        List<String> history = given().auth().oauth2(TestAccounts.token(bob))
                .get("/api/conversations/" + key + "/messages").then().statusCode(200).extract().jsonPath()
                .getList("from");
        assertEquals(List.of(bob, key, key), history);
        List<String> hits = given().auth().oauth2(TestAccounts.token(bob)).queryParam("q", secret)
                .get("/api/search").then().statusCode(200).extract().jsonPath().getList("from");
        assertTrue(hits.contains(key) && !hits.contains(alice), "bob finds the old alice's words under the key: " + hits);
        try (ChatClient b = connect(bob)) {
            JsonNode got = b.await(frame("msg", edited), WAIT);
            assertEquals(key, got.get("from").asText());
        }
    }

    @Test
    void nodesReleasingAtOnceReleaseEachNameOnceAsTheNodesRole() {
        String bob = TestAccounts.create("bob");
        List<String> gone = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String name = TestAccounts.create("gone" + i);
            gone.add(name);
            sql("INSERT INTO messages (sender, client_id, recipient, body, ts) VALUES ('" + name + "', 'm1', '" + bob
                    + "', 'x', 1), ('" + bob + "', 'm" + i + "', '" + name + "', 'y', 2)");
        }
        Set<Long> accounts = new HashSet<>();
        for (String name : gone) {
            accounts.add(TestAccounts.delete(name));
        }
        LocalPostgres pg = LocalPostgres.shared();
        PgConnectOptions asNode = new PgConnectOptions().setHost("127.0.0.1").setPort(pg.port())
                .setDatabase(LocalPostgres.DATABASE).setUser("chat_node").setPassword(pg.password());
        PgPool one = PgPool.pool(vertx, asNode, new PoolOptions().setMaxSize(2));
        PgPool two = PgPool.pool(vertx, asNode, new PoolOptions().setMaxSize(2));
        try {
            NameReleaseConfig config = new NameReleaseConfig() {
                @Override
                public String interval() {
                    return "off";
                }

                @Override
                public Duration timeout() {
                    return WAIT;
                }

                @Override
                public int batch() {
                    return 100;
                }
            };
            PostgresCalls calls = PostgresCalls.within(WAIT);
            NameReleases nodeOne = new NameReleases(one, calls, config);
            NameReleases nodeTwo = new NameReleases(two, calls, config);
            List<NameReleases.Released> done = java.util.Collections.synchronizedList(new ArrayList<>());
            List<Uni<Void>> racing = new ArrayList<>();
            for (NameReleases node : List.of(nodeOne, nodeTwo, nodeOne, nodeTwo)) {
                racing.add(drain(node, done));
            }
            Uni.join().all(racing).andFailFast().await().atMost(WAIT.multipliedBy(3));

            List<Long> released = done.stream().map(NameReleases.Released::accountId).toList();
            assertEquals(accounts, Set.copyOf(released), "every pending release done");
            assertEquals(accounts.size(), released.size(), "each once: " + released);
            for (String name : gone) {
                assertEquals(Map.of(), rowsNaming(name));
            }
            for (long account : accounts) {
                // (message_words too when the node's indexer reached these rows before the release, and pending_kept
                // when the keeper's copy of a message raced its ack and waits for the next pass to go: timing)
                Map<String, Integer> keyed = new java.util.TreeMap<>(rowsNaming("~" + account));
                keyed.keySet().removeIf(c -> c.startsWith("message_words.") || c.startsWith("pending_kept."));
                assertEquals(Map.of("messages.recipient", 1, "messages.sender", 1), keyed);
            }
            assertEquals(0, nodeTwo.releasePending().await().atMost(WAIT), "nothing left, and nothing done twice");
        } finally {
            one.closeAndAwait();
            two.closeAndAwait();
        }
    }

    /** One node's releases, one at a time until none is free, each recorded. */
    private static Uni<Void> drain(NameReleases node, List<NameReleases.Released> done) {
        return node.releaseOne().chain(r -> {
            if (r == null) {
                return Uni.createFrom().voidItem();
            }
            done.add(r);
            return drain(node, done);
        });
    }
}

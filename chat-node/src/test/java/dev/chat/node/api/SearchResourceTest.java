package dev.chat.node.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.chat.node.TestAccounts;
import dev.chat.testing.ChatClient;
import dev.chat.testing.quarkus.JwtKeysResource;
import dev.chat.testing.quarkus.PostgresResource;
import dev.chat.testing.quarkus.RedisResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/**
 * GET /api/search against real PostgreSQL: only what the caller may read (their one-to-one conversations, their groups
 * from their joining), an edited message by its newest text, a deleted one never, pages newest first, JSON refusals.
 * Each test searches for words of its own (the database is shared by the module's tests).
 */
@QuarkusTest
@Tag("quarkus")
@WithTestResource(PostgresResource.class)
@WithTestResource(RedisResource.class)
@WithTestResource(JwtKeysResource.class)
class SearchResourceTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TestHTTPResource("/ws/chat")
    URI http;

    @BeforeAll
    static void accountsTable() {
        TestAccounts.ensureTable();
    }

    /** A word no other test uses: letters only, so that the text-search parser keeps it as one word. */
    private static String word() {
        StringBuilder w = new StringBuilder("zq");
        for (char c : UUID.randomUUID().toString().replace("-", "").substring(0, 10).toCharArray()) {
            w.append((char) ('a' + Character.digit(c, 16)));
        }
        return w.toString();
    }

    private ChatClient connect(String user) {
        return ChatClient.connect(URI.create(http.toString().replaceFirst("^http", "ws")), TestAccounts.token(user));
    }

    private static String id(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Sends {@code frame} (JSON with its "id") and answers the ack or error that names that ID. */
    private static JsonNode answer(ChatClient c, String id, String frame) {
        c.send(frame);
        return c.await(f -> id.equals(f.path("id").asText())
                && ("ack".equals(f.path("type").asText()) || "error".equals(f.path("type").asText())), WAIT);
    }

    private static String direct(ChatClient c, String to, String body) {
        String id = id("m");
        assertEquals("ack", answer(c, id, "{\"type\":\"send\",\"id\":\"" + id + "\",\"to\":\"" + to
                + "\",\"body\":\"" + body + "\"}").path("type").asText(), c.frames().toString());
        return id;
    }

    private static String inGroup(ChatClient c, String group, String body) {
        String id = id("g");
        assertEquals("ack", answer(c, id, "{\"type\":\"send\",\"id\":\"" + id + "\",\"group\":\"" + group
                + "\",\"body\":\"" + body + "\"}").path("type").asText(), c.frames().toString());
        return id;
    }

    private static JsonPath search(String user, String q) {
        return given().auth().oauth2(TestAccounts.token(user)).queryParam("q", q).get("/api/search").then()
                .statusCode(200).contentType(ContentType.JSON).extract().jsonPath();
    }

    @Test
    void oneToOneHitsOnlyFromTheCallersOwnConversations() {
        String alice = TestAccounts.create("alice");
        String bob = TestAccounts.create("bob");
        String carol = TestAccounts.create("carol");
        String dave = TestAccounts.create("dave");
        String w = word();
        String mine;
        try (ChatClient a = connect(alice); ChatClient c = connect(carol)) {
            mine = direct(a, bob, "the " + w + " cats are running");
            direct(c, dave, "carol tells dave about " + w + " cats");
        }
        JsonPath forAlice = search(alice, w + " cat");
        assertEquals(List.of(mine), forAlice.getList("id"), "the stemmed query finds 'cats'; carol's is not hers");
        assertEquals(alice, forAlice.getString("[0].from"));
        assertEquals(bob, forAlice.getString("[0].to"));
        assertEquals("the " + w + " cats are running", forAlice.getString("[0].body"));
        assertEquals(List.of(mine), search(bob, "run " + w).getList("id"), "the recipient finds it too");
        assertEquals(1, search(dave, w).getList("id").size(), "dave finds only carol's");
        assertEquals(List.of(), search(TestAccounts.create("eve"), w).getList("id"), "a third party finds nothing");
    }

    @Test
    void aGroupIsSearchedFromTheCallersJoiningOnAndNotAfterRemoval() {
        String ann = TestAccounts.create("ann");
        String ben = TestAccounts.create("ben");
        String cat = TestAccounts.create("cat");
        String w = word();
        String group = given().auth().oauth2(TestAccounts.token(ann)).contentType(ContentType.JSON)
                .body(Map.of("name", "search", "members", List.of(ben))).post("/api/groups")
                .then().statusCode(201).extract().path("id");
        String before;
        String after;
        try (ChatClient a = connect(ann)) {
            before = inGroup(a, group, "before cat joined " + w);
            given().auth().oauth2(TestAccounts.token(ann)).contentType(ContentType.JSON).body(Map.of("username", cat))
                    .post("/api/groups/" + group + "/members").then().statusCode(201);
            after = inGroup(a, group, "after cat joined " + w);
        }
        JsonPath forBen = search(ben, w);
        assertEquals(List.of(after, before), forBen.getList("id"), "newest first");
        assertEquals(group, forBen.getString("[0].group"));
        assertEquals(List.of(after), search(cat, w).getList("id"), "nothing from before cat joined");
        assertEquals(List.of(), search(TestAccounts.create("dan"), w).getList("id"), "a non-member finds nothing");

        given().auth().oauth2(TestAccounts.token(ann)).delete("/api/groups/" + group + "/members/" + cat).then()
                .statusCode(204);
        assertEquals(List.of(), search(cat, w).getList("id"), "a removed member no longer reads the group");
    }

    @Test
    void anEditedMessageIsFoundByItsNewTextOnlyAndADeletedOneNotAtAll() {
        String ann = TestAccounts.create("ann");
        String ben = TestAccounts.create("ben");
        String oldWord = word();
        String newWord = word();
        String gone = word();
        String edited;
        try (ChatClient a = connect(ann)) {
            edited = direct(a, ben, "first " + oldWord);
            String e1 = id("e");
            assertEquals("ack", answer(a, e1, "{\"type\":\"edit\",\"id\":\"" + e1 + "\",\"target\":\"" + edited
                    + "\",\"body\":\"second " + newWord + "\"}").path("type").asText(), a.frames().toString());
            String deleted = direct(a, ben, "regret " + gone);
            String d = id("d");
            assertEquals("ack", answer(a, d, "{\"type\":\"delete\",\"id\":\"" + d + "\",\"target\":\"" + deleted
                    + "\"}").path("type").asText(), a.frames().toString());
            // Edited, then deleted: gone too, under both its texts.
            String both = direct(a, ben, "twice " + gone);
            String e2 = id("e");
            answer(a, e2, "{\"type\":\"edit\",\"id\":\"" + e2 + "\",\"target\":\"" + both + "\",\"body\":\"thrice "
                    + gone + " " + newWord + "\"}");
            String d2 = id("d");
            assertEquals("ack", answer(a, d2, "{\"type\":\"delete\",\"id\":\"" + d2 + "\",\"target\":\"" + both
                    + "\"}").path("type").asText(), a.frames().toString());
        }
        assertEquals(List.of(), search(ben, oldWord).getList("id"), "the old text is gone");
        JsonPath hit = search(ben, newWord);
        assertEquals(List.of(edited), hit.getList("id"), "found once, as the message it changed");
        assertEquals("second " + newWord, hit.getString("[0].body"));
        assertEquals(true, hit.getBoolean("[0].edited"));
        assertEquals(List.of(), search(ann, gone).getList("id"), "deleted messages are never found");
    }

    @Test
    void hitsComeNewestFirstAPageAtATime() {
        String ann = TestAccounts.create("ann");
        String ben = TestAccounts.create("ben");
        String w = word();
        List<String> ids = new ArrayList<>();
        try (ChatClient a = connect(ann)) {
            for (int i = 0; i < 5; i++) {
                ids.add(direct(a, ben, "number " + i + " " + w));
            }
        }
        List<String> seen = new ArrayList<>();
        Long before = null;
        for (int page = 0; page < 4; page++) {
            var request = given().auth().oauth2(TestAccounts.token(ben)).queryParam("q", w).queryParam("limit", 2);
            if (before != null) {
                request.queryParam("before", before);
            }
            JsonPath p = request.get("/api/search").then().statusCode(200).extract().jsonPath();
            List<String> got = p.getList("id");
            assertTrue(got.size() <= 2, "limit respected: " + got);
            if (got.isEmpty()) {
                break;
            }
            seen.addAll(got);
            before = p.getLong("[" + (got.size() - 1) + "].seq");
        }
        assertEquals(List.of(ids.get(4), ids.get(3), ids.get(2), ids.get(1), ids.get(0)), seen,
                "every hit once, newest first, across pages");
    }

    @Test
    void badInputGetsAJsonRefusal() {
        given().queryParam("q", "x").get("/api/search").then().statusCode(401).contentType(ContentType.JSON)
                .body("error", equalTo("unauthorized"));
        String token = TestAccounts.token(TestAccounts.create("ann"));
        given().auth().oauth2(token).get("/api/search").then().statusCode(400).contentType(ContentType.JSON)
                .body("error", equalTo("invalid_request"));
        given().auth().oauth2(token).queryParam("q", "   ").get("/api/search").then().statusCode(400)
                .body("error", equalTo("invalid_request"));
        given().auth().oauth2(token).queryParam("q", "a".repeat(201)).get("/api/search").then().statusCode(400)
                .contentType(ContentType.JSON).body("error", equalTo("invalid_request"));
        // A NUL (PostgreSQL refuses it in text: a 500 before) or any control character is no word to find.
        given().auth().oauth2(token).queryParam("q", "ab\u0000cd").get("/api/search").then().statusCode(400)
                .contentType(ContentType.JSON).body("error", equalTo("invalid_request"));
        given().auth().oauth2(token).queryParam("q", "x").queryParam("limit", 0).get("/api/search").then()
                .statusCode(400).body("error", equalTo("invalid_request"));
        given().auth().oauth2(token).queryParam("q", "x").queryParam("before", 0).get("/api/search").then()
                .statusCode(400).body("error", equalTo("invalid_request"));
        given().auth().oauth2(token).queryParam("q", "x").queryParam("before", "soon").get("/api/search").then()
                .statusCode(400).contentType(ContentType.JSON).body("error", equalTo("invalid_request"));
        given().auth().oauth2(token).queryParam("q", "x").queryParam("limit", "ten").get("/api/search").then()
                .statusCode(400).contentType(ContentType.JSON).body("error", equalTo("invalid_request"));
        // Query syntax is never an error: stray operators and stop words alone find nothing.
        given().auth().oauth2(token).queryParam("q", "!& | ( the").get("/api/search").then().statusCode(200)
                .body("size()", equalTo(0));
    }
}

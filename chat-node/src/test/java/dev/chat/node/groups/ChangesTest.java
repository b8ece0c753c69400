package dev.chat.node.groups;

import static dev.chat.node.TestAccounts.create;
import static dev.chat.node.TestAccounts.token;
import static dev.chat.testing.ChatClient.frame;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.chat.node.TestAccounts;
import dev.chat.testing.ChatClient;
import dev.chat.testing.LocalPostgres;
import dev.chat.testing.quarkus.JwtKeysResource;
import dev.chat.testing.quarkus.PostgresResource;
import dev.chat.testing.quarkus.RedisResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * Edits and deletes on one node against real PostgreSQL (issue 18): the edit window, the moderators' deletes outside
 * it, and who may see a change (never a member who joined after the message).
 */
@QuarkusTest
@Tag("quarkus")
@WithTestResource(PostgresResource.class)
@WithTestResource(RedisResource.class)
@WithTestResource(JwtKeysResource.class)
class ChangesTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TestHTTPResource("/ws/chat")
    URI http;

    @BeforeAll
    static void accounts() {
        TestAccounts.ensureTable();
    }

    private ChatClient connect(String user) {
        return ChatClient.connect(URI.create(http.toString().replaceFirst("^http", "ws")), token(user));
    }

    private static String id(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static JsonNode answer(ChatClient c, String id) {
        return c.await(f -> id.equals(f.path("id").asText())
                && ("ack".equals(f.path("type").asText()) || "error".equals(f.path("type").asText())), WAIT);
    }

    /** Moves a stored message back in time (its row's ts), as if it had been sent that long ago. */
    private static void age(String sender, String id, Duration by) {
        LocalPostgres.shared().psql(LocalPostgres.DATABASE, "UPDATE messages SET ts = ts - " + by.toMillis()
                + " WHERE sender = '" + sender + "' AND client_id = '" + id + "'");
    }

    @Test
    void ownMessagesChangeOnlyWithinTheWindowAndModeratorsDeleteAnyTime() {
        String ann = create("ann");
        String ben = create("ben");
        String group = given().auth().oauth2(token(ann)).contentType(ContentType.JSON)
                .body(Map.of("name", "window", "members", List.of(ben))).post("/api/groups")
                .then().statusCode(201).extract().path("id");
        String direct = id("m");
        String inGroup = id("g");
        try (ChatClient a = connect(ann); ChatClient b = connect(ben)) {
            a.sendMessage(direct, ben, "old news");
            assertEquals("ack", answer(a, direct).path("type").asText());
            b.send("{\"type\":\"send\",\"id\":\"" + inGroup + "\",\"group\":\"" + group + "\",\"body\":\"old\"}");
            assertEquals("ack", answer(b, inGroup).path("type").asText());
            // Inside the window: an edit is accepted.
            String e1 = id("e");
            a.send("{\"type\":\"edit\",\"id\":\"" + e1 + "\",\"target\":\"" + direct + "\",\"body\":\"news\"}");
            assertEquals("ack", answer(a, e1).path("type").asText(), a.frames().toString());

            age(ann, direct, Duration.ofMinutes(16));
            age(ben, inGroup, Duration.ofMinutes(16));
            String e2 = id("e");
            a.send("{\"type\":\"edit\",\"id\":\"" + e2 + "\",\"target\":\"" + direct + "\",\"body\":\"later\"}");
            assertEquals("edit_window_closed", answer(a, e2).path("code").asText(), a.frames().toString());
            String d1 = id("d");
            b.send("{\"type\":\"delete\",\"id\":\"" + d1 + "\",\"target\":\"" + inGroup + "\"}");
            assertEquals("edit_window_closed", answer(b, d1).path("code").asText(), "ben is a plain member");
            // ann owns the group: she deletes ben's old message.
            String d2 = id("d");
            a.send("{\"type\":\"delete\",\"id\":\"" + d2 + "\",\"target\":\"" + inGroup + "\",\"targetFrom\":\"" + ben
                    + "\"}");
            assertEquals("ack", answer(a, d2).path("type").asText(), a.frames().toString());
            JsonNode change = b.await(frame("delete", d2), WAIT);
            assertEquals(inGroup, change.path("target").asText());
            assertEquals(group, change.path("group").asText());
        }
    }

    @Test
    void aMemberWhoJoinedAfterAMessageNeverGetsItsChanges() {
        String ann = create("ann");
        String ben = create("ben");
        String cat = create("cat");
        String group = given().auth().oauth2(token(ann)).contentType(ContentType.JSON)
                .body(Map.of("name", "late", "members", List.of(ben))).post("/api/groups")
                .then().statusCode(201).extract().path("id");
        String m = id("g");
        try (ChatClient a = connect(ann)) {
            a.send("{\"type\":\"send\",\"id\":\"" + m + "\",\"group\":\"" + group + "\",\"body\":\"before cat\"}");
            assertEquals("ack", answer(a, m).path("type").asText());
            given().auth().oauth2(token(ann)).contentType(ContentType.JSON).body(Map.of("username", cat))
                    .post("/api/groups/" + group + "/members").then().statusCode(201);
            String e = id("e");
            a.send("{\"type\":\"edit\",\"id\":\"" + e + "\",\"target\":\"" + m + "\",\"body\":\"secret\"}");
            assertEquals("ack", answer(a, e).path("type").asText(), a.frames().toString());
            assertEquals("1", LocalPostgres.shared().psql(LocalPostgres.DATABASE, "SELECT count(*) FROM group_inbox i"
                    + " JOIN messages c ON c.seq = i.seq WHERE c.sender = '" + ann + "' AND c.client_id = '" + e + "'"),
                    "only ben, who could see the message, is owed the edit");
            // cat cannot change or even name it.
            try (ChatClient c = connect(cat)) {
                String x = id("x");
                c.send("{\"type\":\"delete\",\"id\":\"" + x + "\",\"target\":\"" + m + "\",\"targetFrom\":\"" + ann
                        + "\"}");
                assertEquals("unknown_message", answer(c, x).path("code").asText(), c.frames().toString());
            }
        }
    }
}

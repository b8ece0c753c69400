package dev.chat.node.api;

import static dev.chat.testing.ChatClient.frame;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

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

/** The web page's reads: conversations with unread counts, history pages, read marks. */
@QuarkusTest
@Tag("quarkus")
@WithTestResource(PostgresResource.class)
@WithTestResource(RedisResource.class)
@WithTestResource(JwtKeysResource.class)
class ConversationResourceTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TestHTTPResource("/ws/chat")
    URI http;

    @BeforeAll
    static void accountsTable() {
        TestAccounts.ensureTable();
    }

    private static String user(String prefix) {
        return TestAccounts.create(prefix);
    }

    private static String token(String user) {
        return TestAccounts.token(user);
    }

    /** Sends {@code n} messages from {@code from} to {@code to} through the socket; answers their IDs. */
    private List<String> send(String from, String to, int n) {
        List<String> ids = new ArrayList<>();
        try (ChatClient c = ChatClient.connect(URI.create(http.toString().replaceFirst("^http", "ws")), token(from))) {
            for (int i = 0; i < n; i++) {
                String id = UUID.randomUUID().toString();
                c.sendMessage(id, to, from + " says " + i);
                c.await(frame("ack", id), WAIT);
                ids.add(id);
            }
        }
        return ids;
    }

    @Test
    void conversationsListTheNewestMessageAndUnreadCountsUntilMarkedRead() {
        String alice = user("alice");
        String bob = user("bob");
        String carol = user("carol");
        send(bob, alice, 3);
        List<String> fromCarol = send(carol, alice, 2);
        send(alice, bob, 1);

        JsonPath list = given().auth().oauth2(token(alice)).get("/api/conversations").then().statusCode(200)
                .extract().jsonPath();
        assertEquals(List.of(bob, carol), list.getList("with"), "newest conversation first");
        assertEquals(3, list.getInt("[0].unread"), "alice's own message to bob is not unread");
        assertEquals(alice, list.getString("[0].last.from"));
        assertEquals(2, list.getInt("[1].unread"));
        assertEquals(fromCarol.get(1), list.getString("[1].last.id"));

        long lastTs = list.getLong("[1].last.ts");
        given().auth().oauth2(token(alice)).contentType(ContentType.JSON).body("{\"ts\":" + lastTs + "}")
                .put("/api/conversations/" + carol + "/read").then().statusCode(204);
        given().auth().oauth2(token(alice)).contentType(ContentType.JSON).body("{\"ts\":1}")
                .put("/api/conversations/" + carol + "/read").then().statusCode(204);
        given().auth().oauth2(token(alice)).get("/api/conversations").then().statusCode(200)
                .body("find { it.with == '" + carol + "' }.unread", equalTo(0))
                .body("find { it.with == '" + bob + "' }.unread", equalTo(3));
    }

    @Test
    void historyComesNewestFirstAPageAtATime() {
        String alice = user("alice");
        String bob = user("bob");
        List<String> ids = send(alice, bob, 5);
        JsonPath first = given().auth().oauth2(token(bob)).queryParam("limit", 3)
                .get("/api/conversations/" + alice + "/messages").then().statusCode(200).extract().jsonPath();
        assertEquals(List.of(ids.get(4), ids.get(3), ids.get(2)), first.getList("id"));
        long before = first.getLong("[2].seq");
        JsonPath second = given().auth().oauth2(token(bob)).queryParam("limit", 3).queryParam("before", before)
                .get("/api/conversations/" + alice + "/messages").then().statusCode(200).extract().jsonPath();
        assertEquals(List.of(ids.get(1), ids.get(0)), second.getList("id"));
        assertEquals(alice, second.getString("[0].from"));
        // A third party sees nothing of it.
        given().auth().oauth2(token(user("eve"))).get("/api/conversations/" + alice + "/messages").then()
                .statusCode(200).body("size()", equalTo(0));
    }

    @Test
    void refusalsAreJson() {
        given().get("/api/conversations").then().statusCode(401).contentType(ContentType.JSON)
                .body("error", equalTo("unauthorized"));
        given().auth().oauth2("garbage").get("/api/conversations").then().statusCode(401)
                .body("error", equalTo("unauthorized"));
        String alice = user("alice");
        given().auth().oauth2(token(alice)).get("/api/conversations/NOT-VALID/messages").then().statusCode(400)
                .body("error", equalTo("invalid_username"));
        given().auth().oauth2(token(alice)).queryParam("limit", 0).get("/api/conversations").then().statusCode(400)
                .body("error", equalTo("invalid_request"));
        given().auth().oauth2(token(alice)).contentType(ContentType.JSON).body("{\"ts\":\"x\"}")
                .put("/api/conversations/bob_x/read").then().statusCode(400);
        given().auth().oauth2(token(alice)).contentType(ContentType.JSON).body("{not json")
                .put("/api/conversations/bob_x/read").then().statusCode(400).body("error", equalTo("malformed_json"));
    }
}

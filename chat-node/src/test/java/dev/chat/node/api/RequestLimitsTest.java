package dev.chat.node.api;

import static dev.chat.testing.ChatClient.frame;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.emptyOrNullString;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.time.Duration;

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

/**
 * The node's HTTP and JSON limits are its own, not the framework's defaults (issue 19): a body over 256 KiB is
 * refused 413 with the JSON error body, a document nested deeper than 32 levels or with a string over 64 Ki
 * characters is refused 400 (REST) or with a {@code bad_json} error frame (socket), and the socket stays open.
 */
@QuarkusTest
@Tag("quarkus")
@WithTestResource(PostgresResource.class)
@WithTestResource(RedisResource.class)
@WithTestResource(JwtKeysResource.class)
class RequestLimitsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TestHTTPResource("/ws/chat")
    URI http;

    @BeforeAll
    static void accountsTable() {
        TestAccounts.ensureTable();
    }

    private static String nested(int depth) {
        return "[".repeat(depth) + "]".repeat(depth);
    }

    @Test
    void aBodyOverTheLimitIsRefused413WithJson() {
        String token = TestAccounts.token(TestAccounts.create("bigbody"));
        String big = "{\"name\":\"g\",\"members\":[" + "\"someone-with-a-long-name\",".repeat(12_000) + "\"x\"]}";
        given().auth().oauth2(token).contentType(ContentType.JSON).body(big).when().post("/api/groups")
                .then().statusCode(413).contentType(ContentType.JSON).body("error", equalTo("body_too_large"))
                .body("message", not(emptyOrNullString()));
    }

    @Test
    void deepOrLongJsonIsRefused400WithJson() {
        String token = TestAccounts.token(TestAccounts.create("deepbody"));
        given().auth().oauth2(token).contentType(ContentType.JSON)
                .body("{\"name\":\"g\",\"members\":[],\"x\":" + nested(100) + "}").when().post("/api/groups")
                .then().statusCode(400).contentType(ContentType.JSON).body("error", equalTo("invalid_request"));
        given().auth().oauth2(token).contentType(ContentType.JSON)
                .body("{\"name\":\"" + "n".repeat(70_000) + "\",\"members\":[]}").when().post("/api/groups")
                .then().statusCode(400).contentType(ContentType.JSON).body("error", equalTo("invalid_request"));
    }

    @Test
    void aDeepFrameGetsAnErrorFrameAndTheSocketStaysOpen() {
        String user = TestAccounts.create("deepframe");
        try (ChatClient c = ChatClient.connect(URI.create(http.toString().replaceFirst("^http", "ws")),
                TestAccounts.token(user))) {
            c.send("{\"type\":\"ping\",\"id\":\"deep\",\"x\":" + nested(100) + "}");
            JsonNode refused = c.await(fr -> "error".equals(fr.path("type").asText()), WAIT);
            assertEquals("bad_json", refused.path("code").asText(), refused.toString());
            c.send("{\"type\":\"ping\",\"id\":\"after\"}");
            c.await(frame("pong", "after"), WAIT);
        }
    }
}

package dev.chat.system;

import static io.restassured.RestAssured.given;

import java.time.Instant;

import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/**
 * Asks presence-service through the proxy where a user's sockets are, the way its contract tells a client to:
 * a 503 {@code unavailable} means "retry shortly" (Redis or the store did not answer within the service's bound),
 * so it is asked again until the caller's deadline. Only a 200 is returned; anything else, or 503 past the
 * deadline, fails the test with the last answer. (A fresh stack's presence-service once answered its first two
 * requests 503 after 5.5 s at a load average of 41, and the page test that asked once failed on it.)
 */
final class PresenceAsk {
    private PresenceAsk() {
    }

    /** The 200 body of {@code GET /api/presence/{user}} asked with {@code token}. */
    static JsonPath of(String baseUrl, String token, String user, Instant deadline) {
        while (true) {
            Response r = given().baseUri(baseUrl).auth().oauth2(token).get("/api/presence/" + user);
            if (r.statusCode() == 200) {
                return r.jsonPath();
            }
            if (r.statusCode() != 503 || Instant.now().isAfter(deadline)) {
                throw new AssertionError("presence of " + user + " answered " + r.statusCode() + ": " + r.asString());
            }
            ChatThroughProxyTest.pause(200);
        }
    }
}

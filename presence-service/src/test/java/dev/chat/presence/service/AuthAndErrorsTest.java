package dev.chat.presence.service;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.chat.testing.TestKeys;
import dev.chat.testing.quarkus.JwtKeysResource;
import dev.chat.testing.quarkus.RedisResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;

@QuarkusTest
@QuarkusTestResource(RedisResource.class)
@QuarkusTestResource(JwtKeysResource.class)
class AuthAndErrorsTest {
    private static final String USER = "someone";

    static Stream<Arguments> endpoints() {
        return Stream.of(
                Arguments.of("GET", "/api/presence/" + USER),
                Arguments.of("GET", "/api/presence?users=" + USER),
                Arguments.of("POST", "/api/presence/query"),
                Arguments.of("GET", "/api/presence/nodes"),
                // Authentication comes before validation: a stranger learns nothing about the rules.
                Arguments.of("GET", "/api/presence/NOT-VALID"));
    }

    static Stream<Arguments> badTokens() {
        long now = Jwt.now();
        return Stream.of(
                Arguments.of("signed by another key", Jwt.sign(TestKeys.generate().pair().getPrivate(), "chat", USER,
                        now + 3600)),
                Arguments.of("wrong issuer", Jwt.sign(TestKeys.shared().pair().getPrivate(), "someone-else", USER,
                        now + 3600)),
                Arguments.of("expired", Jwt.sign(TestKeys.shared().pair().getPrivate(), "chat", USER, now - 3600)),
                Arguments.of("tampered", tamper(Jwt.valid(USER))),
                Arguments.of("not a JWT", "garbage"));
    }

    @ParameterizedTest
    @MethodSource("endpoints")
    void withoutTokenEveryEndpointAnswers401Json(String method, String path) {
        call(given(), method, path)
                .then().statusCode(401).contentType("application/json")
                .header("WWW-Authenticate", "Bearer")
                .body("error", equalTo("unauthorized"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badTokens")
    void badTokenAnswers401Json(String why, String token) {
        given().header("Authorization", "Bearer " + token)
                .when().get("/api/presence/" + USER)
                .then().statusCode(401).contentType("application/json")
                .body("error", equalTo("unauthorized"));
    }

    @Test
    void nonBearerSchemeAnswers401Json() {
        given().auth().preemptive().basic(USER, "secret")
                .when().get("/api/presence/" + USER)
                .then().statusCode(401).contentType("application/json")
                .body("error", equalTo("unauthorized"));
    }

    @Test
    void validTokenIsAccepted() {
        given().header("Authorization", Jwt.bearer(USER))
                .when().get("/api/presence/" + USER)
                .then().statusCode(200);
    }

    @Test
    void unknownPathAndWrongMethodAnswerJson() {
        given().header("Authorization", Jwt.bearer(USER))
                .when().get("/api/presence/" + USER + "/extra")
                .then().statusCode(404).contentType("application/json").body("error", equalTo("not_found"));
        given().header("Authorization", Jwt.bearer(USER))
                .when().delete("/api/presence/" + USER)
                .then().statusCode(405).contentType("application/json")
                .body("error", equalTo("method_not_allowed"));
        given().when().get("/no/such/thing")
                .then().statusCode(404).contentType("application/json").body("error", equalTo("not_found"));
    }

    /** Limits set in application.properties, not Quarkus' defaults (10 MiB bodies, JSON 1,000 levels deep). */
    @Test
    void aBodyOverTheLimitIs413AndDeepOrLongJsonIs400WithJson() {
        String big = "{\"users\":[" + "\"someone\",".repeat(3_000) + "\"x\"]}";
        given().header("Authorization", Jwt.bearer(USER)).contentType("application/json").body(big)
                .when().post("/api/presence/query")
                .then().statusCode(413).contentType("application/json").body("error", equalTo("body_too_large"));
        String deep = "{\"users\":[\"" + USER + "\"],\"x\":" + "[".repeat(100) + "]".repeat(100) + "}";
        given().header("Authorization", Jwt.bearer(USER)).contentType("application/json").body(deep)
                .when().post("/api/presence/query")
                .then().statusCode(400).contentType("application/json").body("error", equalTo("invalid_request"));
    }

    private static io.restassured.response.Response call(RequestSpecification spec, String method, String path) {
        if (method.equals("POST")) {
            return spec.contentType("application/json").body("{\"users\":[\"" + USER + "\"]}").when().post(path);
        }
        return spec.when().get(path);
    }

    private static String tamper(String token) {
        String[] parts = token.split("\\.");
        String claims = new String(java.util.Base64.getUrlDecoder().decode(parts[1]))
                .replace("\"sub\":\"" + USER, "\"sub\":\"admin");
        return parts[0] + "." + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(claims.getBytes())
                + "." + parts[2];
    }
}

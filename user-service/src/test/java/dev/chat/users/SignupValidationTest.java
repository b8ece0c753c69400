package dev.chat.users;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.emptyOrNullString;

import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import dev.chat.testing.quarkus.JwtKeysResource;
import dev.chat.testing.quarkus.PostgresResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;

/** Every bad signup is a 400 with the JSON error body, never a framework error page. */
@QuarkusTest
@WithTestResource(PostgresResource.class)
@WithTestResource(JwtKeysResource.class)
class SignupValidationTest {
    private static final String GOOD_PASSWORD = "a fine password";

    static Stream<Arguments> badUsernames() {
        return Stream.of(
                Arguments.of("too short", "ab"),
                Arguments.of("empty", ""),
                Arguments.of("too long", "a".repeat(33)),
                Arguments.of("uppercase", "Alice"),
                Arguments.of("unicode letter", "jos\u00e9"),
                Arguments.of("cyrillic lookalike", "\u0430lice"),
                Arguments.of("emoji", "bob\uD83D\uDE00"),
                Arguments.of("space", "al ice"),
                Arguments.of("leading space", " alice"),
                Arguments.of("newline", "alice\nbob"),
                Arguments.of("sql injection", "x' OR '1'='1"),
                Arguments.of("sql comment", "admin'--"),
                Arguments.of("sql drop", "a; DROP TABLE accounts;--"),
                Arguments.of("like wildcard", "al%ce"),
                Arguments.of("slash", "a/b/c"),
                Arguments.of("null byte", "abc\u0000def"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badUsernames")
    void rejectsBadUsername(String why, String username) {
        post(json(username, GOOD_PASSWORD))
                .statusCode(400)
                .contentType(ContentType.JSON)
                .body("error", equalTo("invalid_username"))
                .body("message", not(emptyOrNullString()));
    }

    static Stream<Arguments> badPasswords() {
        return Stream.of(
                Arguments.of("empty", ""),
                Arguments.of("seven characters", "1234567"),
                Arguments.of("seven emoji", "\uD83D\uDE00".repeat(7)),
                Arguments.of("73 bytes of ASCII", "x".repeat(73)),
                Arguments.of("129 characters", "x".repeat(129)),
                Arguments.of("30 characters but 90 bytes", "\u20ac".repeat(30)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badPasswords")
    void rejectsBadPassword(String why, String password) {
        post(json(TestUsers.unique("pw"), password))
                .statusCode(400)
                .contentType(ContentType.JSON)
                .body("error", equalTo("invalid_password"))
                .body("message", not(emptyOrNullString()));
    }

    static Stream<Arguments> badBodies() {
        String user = "\"" + TestUsers.unique("shape") + "\"";
        return Stream.of(
                Arguments.of("empty body", ""),
                Arguments.of("whitespace body", "   "),
                Arguments.of("null body", "null"),
                Arguments.of("empty object", "{}"),
                Arguments.of("missing password", "{\"username\":" + user + "}"),
                Arguments.of("missing username", "{\"password\":\"a fine password\"}"),
                Arguments.of("null username", "{\"username\":null,\"password\":\"a fine password\"}"),
                Arguments.of("number username", "{\"username\":12345,\"password\":\"a fine password\"}"),
                Arguments.of("boolean username", "{\"username\":true,\"password\":\"a fine password\"}"),
                Arguments.of("float password", "{\"username\":" + user + ",\"password\":12345678.5}"),
                Arguments.of("number password", "{\"username\":" + user + ",\"password\":123456789}"),
                Arguments.of("object username", "{\"username\":{\"a\":1},\"password\":\"a fine password\"}"),
                Arguments.of("array username", "{\"username\":[\"abc\"],\"password\":\"a fine password\"}"),
                Arguments.of("array body", "[{\"username\":" + user + ",\"password\":\"a fine password\"}]"),
                Arguments.of("empty array body", "[]"),
                Arguments.of("string body", "\"hello\""),
                Arguments.of("number body", "42"),
                Arguments.of("truncated JSON", "{\"username\":" + user + ",\"password\":"),
                Arguments.of("not JSON", "username=alice&password=secret"),
                Arguments.of("single quotes", "{'username':'abc','password':'a fine password'}"),
                Arguments.of("trailing garbage", "{\"username\":" + user + ",\"password\":\"a fine password\"} x"),
                Arguments.of("two objects", "{\"username\":" + user + ",\"password\":\"a fine password\"}{}"),
                Arguments.of("duplicate key", "{\"username\":" + user + ",\"username\":\"abc\",\"password\":\"a fine password\"}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badBodies")
    void rejectsBadBody(String why, String body) {
        post(body)
                .statusCode(400)
                .contentType(ContentType.JSON)
                .body("error", not(emptyOrNullString()))
                .body("message", not(emptyOrNullString()));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "", "{", "[]", "{\"username\":1}" })
    void rejectsBadLoginBody(String body) {
        given().contentType(ContentType.JSON).body(body)
                .when().post("/api/auth/login")
                .then().statusCode(400)
                .contentType(ContentType.JSON)
                .body("error", not(emptyOrNullString()))
                .body("message", not(emptyOrNullString()));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "text/plain", "application/x-www-form-urlencoded" })
    void rejectsOtherContentTypes(String type) {
        given().contentType(type).body("username=abc&password=abcdefgh")
                .when().post("/api/users")
                .then().statusCode(415)
                .contentType(ContentType.JSON)
                .body("error", not(emptyOrNullString()));
    }

    private static ValidatableResponse post(String body) {
        return given().contentType(ContentType.JSON).body(body)
                .when().post("/api/users")
                .then();
    }

    private static String json(String username, String password) {
        return "{\"username\":\"" + escape(username) + "\",\"password\":\"" + escape(password) + "\"}";
    }

    private static String escape(String s) {
        StringBuilder out = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}

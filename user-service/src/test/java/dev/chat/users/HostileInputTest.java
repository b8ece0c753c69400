package dev.chat.users;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.emptyOrNullString;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.chat.testing.quarkus.JwtKeysResource;
import dev.chat.testing.quarkus.PostgresResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * Hostile input in every field of user-service: huge, Unicode and control-character usernames and passwords,
 * SQL injection strings, oversized bodies. Every answer is a status with the JSON error body (never a 500 or a
 * framework page); passwords are taken literally, whatever they hold; the accounts table survives.
 * (Malformed JSON and wrong types: SignupValidationTest. Throttling: LoginThrottlingTest.)
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
@WithTestResource(JwtKeysResource.class)
class HostileInputTest {
    /** Strings an attacker tries in every field. */
    static final List<String> SQL_INJECTION = List.of(
            "' OR '1'='1",
            "' OR 1=1 --",
            "admin'--",
            "'; DROP TABLE accounts; --",
            "\" OR \"\"=\"",
            "1; SELECT pg_sleep(5)",
            "' UNION SELECT id, password_hash FROM accounts --",
            "%' OR username LIKE '%",
            "\\'; DELETE FROM accounts WHERE '1'='1",
            "$1 $2 ?1 :name");

    static Stream<Arguments> hostileNames() {
        return Stream.of(
                Arguments.of("10,000 characters", "a".repeat(10_000)),
                Arguments.of("NUL byte", "abc\u0000def"),
                Arguments.of("only NUL", "\u0000"),
                Arguments.of("control characters", "ab\u0001\u0007\u001b[31mred\r\n"),
                Arguments.of("unicode letters", "\u00e9l\u00e8ve-\u5bc6\u7801"),
                Arguments.of("right-to-left override", "abc\u202egnp.exe"),
                Arguments.of("zero-width joiner", "ad\u200dmin"),
                Arguments.of("emoji", "\uD83D\uDE00\uD83D\uDE00\uD83D\uDE00"),
                Arguments.of("lone surrogate", "ab\uD800cd"),
                Arguments.of("fullwidth lookalike", "\uff41\uff44\uff4d\uff49\uff4e"),
                Arguments.of("sql injection", SQL_INJECTION.get(0)),
                Arguments.of("sql drop", SQL_INJECTION.get(3)),
                Arguments.of("sql union", SQL_INJECTION.get(6)),
                Arguments.of("like wildcard", SQL_INJECTION.get(7)));
    }

    @Inject
    Pool db;

    private static final java.util.concurrent.atomic.AtomicInteger SOURCE = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * A source address of its own for each failing login: from 127.0.0.1 (a trusted proxy) X-Forwarded-For names
     * the source, so these failures do not count against the address every other test logs in from.
     */
    private static String source() {
        int n = SOURCE.incrementAndGet();
        return "198.19." + (100 + n / 250) + "." + (n % 250);
    }

    @ParameterizedTest(name = "signup refuses a username: {0}")
    @MethodSource("hostileNames")
    void signupRefusesHostileUsernames(String why, String username) {
        given().contentType(ContentType.JSON).body(Map.of("username", username, "password", TestUsers.PASSWORD))
                .when().post("/api/users")
                .then().statusCode(400).contentType(ContentType.JSON)
                .body("error", equalTo("invalid_username"))
                .body("message", not(emptyOrNullString()));
    }

    @ParameterizedTest(name = "login with a hostile username is just a failed login: {0}")
    @MethodSource("hostileNames")
    void loginWithHostileUsernamesIs401(String why, String username) {
        given().contentType(ContentType.JSON).header("X-Forwarded-For", source())
                .body(Map.of("username", username, "password", TestUsers.PASSWORD))
                .when().post("/api/auth/login")
                .then().statusCode(401).contentType(ContentType.JSON)
                .body("error", equalTo("invalid_credentials"));
    }

    /** 404 (no such user) and an empty search, or 414 when the name makes the request line over 4 KiB. */
    @ParameterizedTest(name = "a lookup of a hostile name is 404: {0}")
    @MethodSource("hostileNames")
    void lookupOfHostileNamesIs404OrEmpty(String why, String username) {
        String token = TestUsers.token();
        if (username.length() > 4000) {
            // Over the HTTP codec's 4 KiB request line: refused before any application code, without a body.
            given().auth().oauth2(token).when().get("/api/users/{name}", username).then().statusCode(414);
            given().auth().oauth2(token).queryParam("query", username).when().get("/api/users").then().statusCode(414);
            return;
        }
        given().auth().oauth2(token).when().get("/api/users/{name}", username)
                .then().statusCode(404).contentType(ContentType.JSON)
                .body("error", equalTo("not_found"));
        given().auth().oauth2(token).queryParam("query", username).when().get("/api/users")
                .then().statusCode(200).contentType(ContentType.JSON).body("size()", equalTo(0));
    }

    static Stream<Arguments> unusualPasswords() {
        return Stream.of(
                Arguments.of("control characters", "tab\there\nnewline\r\u0007bell\u001b"),
                Arguments.of("NUL bytes", "nul\u0000in\u0000the\u0000middle"),
                Arguments.of("unicode", "\u043f\u0430\u0440\u043e\u043b\u044c-\u5bc6\u7801-\uD83D\uDD11"),
                Arguments.of("right-to-left", "\u05e1\u05d9\u05e1\u05de\u05d4\u202e1234"),
                Arguments.of("sql injection", SQL_INJECTION.get(0) + " --"),
                Arguments.of("sql drop", SQL_INJECTION.get(3)),
                Arguments.of("placeholders", SQL_INJECTION.get(9)),
                Arguments.of("quotes and backslashes", "\\\"'`\\\\''\"\"\\"),
                Arguments.of("72 bytes exactly", "\u00e9".repeat(36)));
    }

    /** Accepted, stored as a bcrypt hash, and only that exact password logs in. */
    @ParameterizedTest(name = "a password is taken literally: {0}")
    @MethodSource("unusualPasswords")
    void unusualPasswordsAreTakenLiterally(String why, String password) {
        String user = TestUsers.unique("pwlit");
        TestUsers.signup(user, password);
        given().contentType(ContentType.JSON).body(Map.of("username", user, "password", password))
                .when().post("/api/auth/login").then().statusCode(200).body("token", not(emptyOrNullString()));
        String almost = password.substring(0, password.length() - 1);
        given().contentType(ContentType.JSON).header("X-Forwarded-For", source())
                .body(Map.of("username", user, "password", almost))
                .when().post("/api/auth/login").then().statusCode(401);
        given().contentType(ContentType.JSON).header("X-Forwarded-For", source())
                .body(Map.of("username", user, "password", "' OR '1'='1"))
                .when().post("/api/auth/login").then().statusCode(401);
    }

    @Test
    void hugePasswordsAreRefusedAtSignupAndFailAtLogin() {
        given().contentType(ContentType.JSON).body(Map.of("username", TestUsers.unique("huge"), "password", "p".repeat(10_000)))
                .when().post("/api/users")
                .then().statusCode(400).contentType(ContentType.JSON).body("error", equalTo("invalid_password"));
        String user = TestUsers.unique("hugelogin");
        TestUsers.signup(user, TestUsers.PASSWORD);
        given().contentType(ContentType.JSON).header("X-Forwarded-For", source())
                .body(Map.of("username", user, "password", TestUsers.PASSWORD + "x".repeat(10_000)))
                .when().post("/api/auth/login").then().statusCode(401).body("error", equalTo("invalid_credentials"));
    }

    @Test
    void bodiesOverTheLimitAreRefusedWithJson() {
        // quarkus.http.limits.max-body-size=16K
        String big = "{\"username\":\"" + "a".repeat(20_000) + "\",\"password\":\"" + TestUsers.PASSWORD + "\"}";
        for (String path : List.of("/api/users", "/api/auth/login")) {
            given().contentType(ContentType.JSON).body(big).when().post(path)
                    .then().statusCode(413).contentType(ContentType.JSON)
                    .body("error", equalTo("body_too_large"))
                    .body("message", not(emptyOrNullString()));
        }
    }

    /** JSON bounded explicitly (chat.json.*), not at Jackson's defaults (1,000 levels deep). */
    @Test
    void deepJsonIsRefused400WithJson() {
        String deep = "{\"username\":\"" + TestUsers.unique("deep") + "\",\"password\":\"" + TestUsers.PASSWORD
                + "\",\"x\":" + "[".repeat(100) + "]".repeat(100) + "}";
        for (String path : List.of("/api/users", "/api/auth/login")) {
            given().contentType(ContentType.JSON).body(deep).when().post(path)
                    .then().statusCode(400).contentType(ContentType.JSON)
                    .body("message", not(emptyOrNullString()));
        }
    }

    @Test
    void sqlInjectionInTheSearchFindsNothingAndBreaksNothing() {
        String token = TestUsers.token();
        long before = accounts();
        for (String s : SQL_INJECTION) {
            List<Object> found = given().auth().oauth2(token).queryParam("query", s).when().get("/api/users")
                    .then().statusCode(200).contentType(ContentType.JSON).extract().jsonPath().getList("$");
            assertEquals(List.of(), found, "query " + s);
            given().auth().oauth2(token).queryParam("limit", s).when().get("/api/users")
                    .then().statusCode(400).contentType(ContentType.JSON).body("error", equalTo("invalid_request"));
        }
        assertEquals(before, accounts(), "no account appeared or vanished");
    }

    @Test
    void sqlInjectionInExtraFieldsIsIgnored() {
        String user = TestUsers.unique("extra-sql");
        given().contentType(ContentType.JSON)
                .body(Map.of("username", user, "password", TestUsers.PASSWORD, "id", "1; DROP TABLE accounts",
                        "password_hash", "' OR '1'='1", "role", "admin'--"))
                .when().post("/api/users").then().statusCode(201).body("username", equalTo(user));
        String hash = db.preparedQuery("SELECT password_hash FROM accounts WHERE username = $1")
                .execute(io.vertx.mutiny.sqlclient.Tuple.of(user)).await().indefinitely().iterator().next()
                .getString(0);
        org.junit.jupiter.api.Assertions.assertTrue(hash.startsWith("$2"), "a bcrypt hash, not the injected value");
    }

    private long accounts() {
        return db.query("SELECT count(*) FROM accounts").execute().await().indefinitely().iterator().next().getLong(0);
    }
}

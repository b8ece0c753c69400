package dev.chat.users;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.emptyOrNullString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.chat.testing.quarkus.JwtKeysResource;
import dev.chat.testing.quarkus.PostgresResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

@QuarkusTest
@WithTestResource(PostgresResource.class)
@WithTestResource(JwtKeysResource.class)
class UserSearchTest {

    @Test
    void findsUsersByPrefixInOrderWithoutPasswordData() {
        String token = TestUsers.token();
        String prefix = TestUsers.unique("srch");
        TestUsers.signup(prefix + "c", TestUsers.PASSWORD);
        TestUsers.signup(prefix + "a", TestUsers.PASSWORD);
        TestUsers.signup(prefix + "b", TestUsers.PASSWORD);

        List<Map<String, Object>> found = given().auth().oauth2(token)
                .queryParam("query", prefix.toUpperCase())
                .when().get("/api/users")
                .then().statusCode(200).contentType(ContentType.JSON)
                .extract().jsonPath().getList("$");

        assertEquals(List.of(prefix + "a", prefix + "b", prefix + "c"),
                found.stream().map(u -> u.get("username")).toList());
        for (Map<String, Object> user : found) {
            assertEquals(java.util.Set.of("id", "username"), user.keySet(), "only id and username");
        }
    }

    @Test
    void limitsResults() {
        String token = TestUsers.token();
        String prefix = TestUsers.unique("lim");
        for (int i = 0; i < 3; i++) {
            TestUsers.signup(prefix + i, TestUsers.PASSWORD);
        }
        given().auth().oauth2(token).queryParam("query", prefix).queryParam("limit", 2)
                .when().get("/api/users")
                .then().statusCode(200).body("size()", equalTo(2))
                .body("[0].username", equalTo(prefix + "0"));
        given().auth().oauth2(token).queryParam("query", prefix).queryParam("limit", 1000)
                .when().get("/api/users")
                .then().statusCode(200).body("size()", equalTo(3));
    }

    @Test
    void defaultLimitIs20AndMaximum50() {
        String token = TestUsers.token();
        String prefix = TestUsers.unique("many");
        for (int i = 0; i < 55; i++) {
            TestUsers.signup(prefix + String.format("%02d", i), "12345678");
        }
        given().auth().oauth2(token).queryParam("query", prefix)
                .when().get("/api/users")
                .then().statusCode(200).body("size()", equalTo(20));
        given().auth().oauth2(token).queryParam("query", prefix).queryParam("limit", 50)
                .when().get("/api/users")
                .then().statusCode(200).body("size()", equalTo(50));
        given().auth().oauth2(token).queryParam("query", prefix).queryParam("limit", 51)
                .when().get("/api/users")
                .then().statusCode(200).body("size()", equalTo(50));
    }

    @Test
    void likeWildcardsMatchOnlyThemselves() {
        String token = TestUsers.token();
        String base = TestUsers.unique("wild");
        TestUsers.signup(base + "_x", TestUsers.PASSWORD);
        TestUsers.signup(base + "ax", TestUsers.PASSWORD);
        TestUsers.signup(base + "bx", TestUsers.PASSWORD);

        List<String> underscore = names(token, base + "_");
        assertEquals(List.of(base + "_x"), underscore);
        assertEquals(List.of(), names(token, base + "%"));
        assertEquals(List.of(), names(token, "%"));
        assertEquals(List.of(), names(token, base + "!"));
        assertEquals(List.of(), names(token, base + "\\"));
        assertEquals(3, names(token, base).size());
    }

    @Test
    void badLimitIs400() {
        String token = TestUsers.token();
        for (String limit : List.of("0", "-1", "abc", "1.5")) {
            given().auth().oauth2(token).queryParam("limit", limit)
                    .when().get("/api/users")
                    .then().statusCode(400).contentType(ContentType.JSON)
                    .body("error", equalTo("invalid_request"));
        }
    }

    @Test
    void overlongQueryFindsNothing() {
        assertTrue(names(TestUsers.token(), "a".repeat(100)).isEmpty());
    }

    @Test
    void getsOneUserByName() {
        String token = TestUsers.token();
        String username = TestUsers.unique("one");
        long id = TestUsers.signup(username, TestUsers.PASSWORD);
        given().auth().oauth2(token)
                .when().get("/api/users/" + username)
                .then().statusCode(200).contentType(ContentType.JSON)
                .body("id", equalTo((int) id))
                .body("username", equalTo(username))
                .body("size()", equalTo(2));
        given().auth().oauth2(token)
                .when().get("/api/users/" + TestUsers.unique("ghost"))
                .then().statusCode(404).contentType(ContentType.JSON)
                .body("error", equalTo("not_found"));
    }

    @Test
    void requiresAValidToken() {
        String[] paths = { "/api/users", "/api/users/someone" };
        for (String path : paths) {
            given().when().get(path)
                    .then().statusCode(401).contentType(ContentType.JSON)
                    .header("WWW-Authenticate", not(emptyOrNullString()))
                    .body("error", not(emptyOrNullString()));
            given().auth().oauth2("not.a.jwt").when().get(path)
                    .then().statusCode(401).contentType(ContentType.JSON)
                    .body("error", not(emptyOrNullString()));
            String token = TestUsers.token();
            String tampered = token.substring(0, token.length() - 4) + (token.endsWith("AAAA") ? "BBBB" : "AAAA");
            given().auth().oauth2(tampered).when().get(path)
                    .then().statusCode(401).contentType(ContentType.JSON);
        }
    }

    @Test
    void rejectsTokensSignedWithAnotherKey() throws Exception {
        java.security.KeyPairGenerator gen = java.security.KeyPairGenerator.getInstance("RSA");
        gen.initialize(2048);
        java.security.PrivateKey other = gen.generateKeyPair().getPrivate();
        String forged = io.smallrye.jwt.build.Jwt.issuer("chat").upn("mallory").subject("1")
                .groups("user").expiresIn(600).sign(other);
        given().auth().oauth2(forged).when().get("/api/users")
                .then().statusCode(401).contentType(ContentType.JSON);
    }

    @Test
    void rejectsTokensWithAnotherIssuerOrExpired() {
        long now = java.time.Instant.now().getEpochSecond();
        String otherIssuer = io.smallrye.jwt.build.Jwt.issuer("not-chat").upn("mallory").subject("1")
                .groups("user").expiresIn(600).sign();
        String expired = io.smallrye.jwt.build.Jwt.issuer("chat").upn("mallory").subject("1")
                .groups("user").issuedAt(now - 7200).expiresAt(now - 3600).sign();
        for (String token : List.of(otherIssuer, expired)) {
            given().auth().oauth2(token).when().get("/api/users")
                    .then().statusCode(401).contentType(ContentType.JSON);
        }
    }

    private static List<String> names(String token, String query) {
        return given().auth().oauth2(token).queryParam("query", query)
                .when().get("/api/users")
                .then().statusCode(200)
                .extract().jsonPath().getList("username", String.class);
    }
}

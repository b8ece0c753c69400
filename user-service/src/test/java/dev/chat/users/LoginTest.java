package dev.chat.users;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.emptyOrNullString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.chat.testing.quarkus.JwtKeysResource;
import dev.chat.testing.quarkus.PostgresResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;

@QuarkusTest
@WithTestResource(PostgresResource.class)
@WithTestResource(JwtKeysResource.class)
class LoginTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @ConfigProperty(name = "mp.jwt.verify.publickey.location")
    String publicKeyLocation;

    @Test
    void issuesAnRs256TokenSignedWithTheConfiguredKey() throws Exception {
        String username = TestUsers.unique("login");
        long id = TestUsers.signup(username, TestUsers.PASSWORD);

        long before = Instant.now().getEpochSecond();
        ExtractableResponse<Response> ok = given().contentType(ContentType.JSON)
                .body(Map.of("username", username, "password", TestUsers.PASSWORD))
                .when().post("/api/auth/login")
                .then().statusCode(200).contentType(ContentType.JSON)
                .extract();
        long after = Instant.now().getEpochSecond();
        String token = ok.path("token");
        long expiresAt = ((Number) ok.path("expiresAt")).longValue();

        String[] parts = token.split("\\.");
        assertEquals(3, parts.length);
        JsonNode header = JSON.readTree(Base64.getUrlDecoder().decode(parts[0]));
        JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
        assertEquals("RS256", header.get("alg").asText());

        Signature rsa = Signature.getInstance("SHA256withRSA");
        rsa.initVerify(publicKey());
        rsa.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        assertTrue(rsa.verify(Base64.getUrlDecoder().decode(parts[2])), "signature verifies with the public key");

        assertEquals("chat", claims.get("iss").asText());
        assertEquals(username, claims.get("upn").asText());
        assertEquals(Long.toString(id), claims.get("sub").asText());
        assertEquals(List.of("user"), JSON.convertValue(claims.get("groups"), List.class));
        assertFalse(claims.get("jti").asText().isBlank());
        long iat = claims.get("iat").asLong();
        long exp = claims.get("exp").asLong();
        assertEquals(exp, expiresAt);
        assertTrue(iat >= before - 1 && iat <= after + 1, "iat is now");
        assertTrue(exp > Instant.now().getEpochSecond(), "exp in the future");
        assertTrue(Math.abs(exp - iat - 600) <= 1, "lifetime is ten minutes (the refresh token renews it): " + (exp - iat));
        assertFalse(claims.has("password"));
    }

    /** Accounts named in chat.jwt.operators (here ops-on-call) also get the operator group; no one else does. */
    @Test
    void anOperatorAccountsTokenCarriesTheOperatorGroup() throws Exception {
        given().contentType(ContentType.JSON).body(Map.of("username", "ops-on-call", "password", TestUsers.PASSWORD))
                .post("/api/users").then().statusCode(org.hamcrest.Matchers.anyOf(
                        org.hamcrest.Matchers.is(201), org.hamcrest.Matchers.is(409)));
        String token = given().contentType(ContentType.JSON)
                .body(Map.of("username", "ops-on-call", "password", TestUsers.PASSWORD)).post("/api/auth/login")
                .then().statusCode(200).extract().path("token");
        JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(token.split("\\.")[1]));
        assertEquals(java.util.Set.of("user", "operator"),
                new java.util.HashSet<>(JSON.convertValue(claims.get("groups"), List.class)));
    }

    @Test
    void everyTokenHasItsOwnId() throws Exception {
        String username = TestUsers.unique("jti");
        TestUsers.signup(username, TestUsers.PASSWORD);
        String a = claims(TestUsers.login(username, TestUsers.PASSWORD)).get("jti").asText();
        String b = claims(TestUsers.login(username, TestUsers.PASSWORD)).get("jti").asText();
        assertNotEquals(a, b);
    }

    @Test
    void wrongPasswordIs401() {
        String username = TestUsers.unique("wrongpw");
        TestUsers.signup(username, TestUsers.PASSWORD);
        loginFails(username, TestUsers.PASSWORD + "!");
        loginFails(username, "");
        loginFails(username, "x".repeat(200));
    }

    @Test
    void unknownUserIs401LikeAWrongPassword() {
        loginFails(TestUsers.unique("nobody"), TestUsers.PASSWORD);
        loginFails("Not A Valid Name ' OR 1=1 --", TestUsers.PASSWORD);
    }

    @Test
    void usernamesAreCaseSensitiveAtLogin() {
        String username = TestUsers.unique("case");
        TestUsers.signup(username, TestUsers.PASSWORD);
        loginFails(username.toUpperCase(), TestUsers.PASSWORD);
    }

    private static void loginFails(String username, String password) {
        given().contentType(ContentType.JSON)
                .body(Map.of("username", username, "password", password))
                .when().post("/api/auth/login")
                .then().statusCode(401)
                .contentType(ContentType.JSON)
                .body("error", equalTo("invalid_credentials"))
                .body("message", not(emptyOrNullString()))
                .body("token", equalTo(null));
    }

    private static JsonNode claims(String token) throws Exception {
        return JSON.readTree(Base64.getUrlDecoder().decode(token.split("\\.")[1]));
    }

    private PublicKey publicKey() throws Exception {
        String pem = Files.readString(Path.of(publicKeyLocation))
                .replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(pem)));
    }
}

package dev.chat.users;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Base64;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.chat.testing.quarkus.JwtKeysResource;
import dev.chat.testing.quarkus.PostgresResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * Refresh tokens: login sets an HttpOnly, SameSite=Strict cookie scoped to /api/auth; each refresh rotates it;
 * a used one presented again revokes its whole family; logout ends one session, logout-all every one.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
@WithTestResource(JwtKeysResource.class)
class SessionsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @jakarta.inject.Inject
    dev.chat.users.session.Sessions sessions;
    @jakarta.inject.Inject
    io.vertx.mutiny.sqlclient.Pool pool;

    private static Response login(String user) {
        return given().contentType(ContentType.JSON).body(Map.of("username", user, "password", TestUsers.PASSWORD))
                .when().post("/api/auth/login");
    }

    private static Response refresh(String refreshToken) {
        return given().cookie("chat_refresh", refreshToken).when().post("/api/auth/refresh");
    }

    private static JsonNode claims(String jwt) throws Exception {
        return JSON.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]));
    }

    private static void refused(Response r) {
        r.then().statusCode(401).contentType(ContentType.JSON).body("error", equalTo("invalid_refresh"));
        assertEquals("", r.cookie("chat_refresh"), "the cookie is cleared");
    }

    @Test
    void loginSetsTheRefreshCookieWhereScriptsCannotReadIt() throws Exception {
        String user = TestUsers.unique("sess");
        TestUsers.signup(user, TestUsers.PASSWORD);
        Response r = login(user);
        r.then().statusCode(200).body("token", org.hamcrest.Matchers.notNullValue());
        String setCookie = r.header("Set-Cookie");
        assertNotNull(setCookie);
        assertTrue(setCookie.startsWith("chat_refresh="), setCookie);
        for (String attribute : new String[] { "HttpOnly", "SameSite=Strict", "Path=/api/auth" }) {
            assertTrue(setCookie.contains(attribute), attribute + " in " + setCookie);
        }
        java.util.regex.Matcher maxAge = java.util.regex.Pattern.compile("Max-Age=(\\d+)").matcher(setCookie);
        assertTrue(maxAge.find(), setCookie);
        long days30 = 30L * 24 * 3600;
        assertTrue(Math.abs(Long.parseLong(maxAge.group(1)) - days30) <= 2, "lives 30 days: " + setCookie);
        assertFalse(setCookie.contains("Secure"), "plain HTTP: no Secure, or the browser would drop it: " + setCookie);
        assertFalse(r.asString().contains(r.cookie("chat_refresh")), "the refresh token is not in the body");
        assertFalse(claims(r.path("token")).get("sid").asText().isBlank(), "the access token names its session");

        String overTls = given().contentType(ContentType.JSON).header("X-Forwarded-Proto", "https")
                .body(Map.of("username", user, "password", TestUsers.PASSWORD)).when().post("/api/auth/login")
                .then().statusCode(200).extract().header("Set-Cookie");
        assertTrue(overTls.contains("Secure"), "over HTTPS the cookie is Secure: " + overTls);
    }

    @Test
    void aRefreshRotatesTheTokenAndKeepsTheSession() throws Exception {
        String user = TestUsers.unique("rot");
        long id = TestUsers.signup(user, TestUsers.PASSWORD);
        Response first = login(user);
        String sid = claims(first.path("token")).get("sid").asText();
        String r1 = first.cookie("chat_refresh");

        Response second = refresh(r1);
        second.then().statusCode(200).contentType(ContentType.JSON);
        String r2 = second.cookie("chat_refresh");
        assertNotEquals(r1, r2, "rotated");
        JsonNode claims = claims(second.path("token"));
        assertEquals(sid, claims.get("sid").asText(), "same session");
        assertEquals(user, claims.get("upn").asText());
        assertEquals(Long.toString(id), claims.get("sub").asText());
        assertEquals(claims.get("exp").asLong(), ((Number) second.path("expiresAt")).longValue());

        Response third = refresh(r2);
        third.then().statusCode(200);
        assertNotEquals(r2, third.cookie("chat_refresh"));
    }

    @Test
    void aReusedRefreshTokenRevokesItsWholeFamily() {
        String user = TestUsers.unique("reuse");
        TestUsers.signup(user, TestUsers.PASSWORD);
        String r1 = login(user).cookie("chat_refresh");
        String r2 = refresh(r1).then().statusCode(200).extract().cookie("chat_refresh");
        // A thief replays r1: refused, and the family is revoked, so the rightful r2 is refused too.
        refused(refresh(r1));
        refused(refresh(r2));
        // Another session of the same account is not touched.
        String other = login(user).cookie("chat_refresh");
        refresh(other).then().statusCode(200);
    }

    @Test
    void logoutEndsThisSessionOnly() {
        String user = TestUsers.unique("out");
        TestUsers.signup(user, TestUsers.PASSWORD);
        String here = login(user).cookie("chat_refresh");
        String there = login(user).cookie("chat_refresh");
        Response out = given().cookie("chat_refresh", here).when().post("/api/auth/logout");
        out.then().statusCode(204);
        assertEquals("", out.cookie("chat_refresh"), "the cookie is cleared");
        refused(refresh(here));
        refresh(there).then().statusCode(200);
        // Logging out again, or without a cookie, is harmless.
        given().cookie("chat_refresh", here).when().post("/api/auth/logout").then().statusCode(204);
        given().when().post("/api/auth/logout").then().statusCode(204);
    }

    @Test
    void logoutEverywhereEndsEverySessionOfTheAccount() {
        String user = TestUsers.unique("all");
        TestUsers.signup(user, TestUsers.PASSWORD);
        Response a = login(user);
        String b = login(user).cookie("chat_refresh");
        String bystander = TestUsers.unique("bystander");
        TestUsers.signup(bystander, TestUsers.PASSWORD);
        String theirs = login(bystander).cookie("chat_refresh");

        given().when().post("/api/auth/logout-all").then().statusCode(401);
        given().auth().oauth2(a.path("token")).when().post("/api/auth/logout-all").then().statusCode(204);
        refused(refresh(a.cookie("chat_refresh")));
        refused(refresh(b));
        refresh(theirs).then().statusCode(200);
        login(user).then().statusCode(200);
    }

    @Test
    void thePurgeForgetsExpiredTokensAndKeepsLiveOnes() {
        String user = TestUsers.unique("purge");
        TestUsers.signup(user, TestUsers.PASSWORD);
        String old = login(user).cookie("chat_refresh");
        String live = login(user).cookie("chat_refresh");
        // The first session's token ran out a while ago (as if 30 days had passed).
        pool.preparedQuery("UPDATE refresh_tokens SET expires_at = now() - interval '1 day' WHERE token_hash = $1")
                .execute(io.vertx.mutiny.sqlclient.Tuple.of(io.vertx.core.buffer.Buffer.buffer(sha256(old))))
                .await().indefinitely();
        assertTrue(sessions.purge().await().indefinitely() >= 2, "its token and its session went");
        assertEquals(0L, pool.preparedQuery("SELECT count(*) FROM refresh_tokens WHERE token_hash = $1")
                .execute(io.vertx.mutiny.sqlclient.Tuple.of(io.vertx.core.buffer.Buffer.buffer(sha256(old))))
                .await().indefinitely().iterator().next().getLong(0));
        refused(refresh(old));
        refresh(live).then().statusCode(200);
    }

    private static byte[] sha256(String s) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void refreshWithoutOrWithAForgedCookieIs401() {
        refused(given().when().post("/api/auth/refresh"));
        refused(refresh("not-a-token"));
        refused(refresh("x".repeat(5000)));
    }
}

package dev.chat.users;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.emptyOrNullString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.chat.testing.LocalPostgres;
import dev.chat.testing.quarkus.JwtKeysResource;
import dev.chat.testing.quarkus.PostgresResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.smallrye.jwt.build.Jwt;

/**
 * Change of password (every other session revoked, the current password required), deletion of the account (every
 * token and session refused, the name registrable again once chat-node released it, the old tokens still refused) and the check of every bearer token on REST against the
 * account's id and its session.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
@WithTestResource(JwtKeysResource.class)
class AccountSecurityTest {
    private static final String NEW_PASSWORD = "a brand new passphrase";

    private static Response login(String user, String password) {
        return given().contentType(ContentType.JSON).body(Map.of("username", user, "password", password))
                .when().post("/api/auth/login");
    }

    private static void live(String token) {
        given().auth().oauth2(token).get("/api/users/me").then().statusCode(200);
    }

    private static void refused(String token) {
        given().auth().oauth2(token).get("/api/users/me").then().statusCode(401).contentType(ContentType.JSON)
                .body("error", equalTo("unauthorized"));
        given().auth().oauth2(token).queryParam("query", "a").get("/api/users").then().statusCode(401);
    }

    @Test
    void changingThePasswordRevokesEveryOtherSessionAndKeepsThisOne() {
        String user = TestUsers.unique("chpw");
        TestUsers.signup(user, TestUsers.PASSWORD);
        Response here = login(user, TestUsers.PASSWORD);
        Response elsewhere = login(user, TestUsers.PASSWORD);
        String token = here.path("token");
        String otherToken = elsewhere.path("token");

        given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("currentPassword", "not the password", "newPassword", NEW_PASSWORD))
                .post("/api/auth/password").then().statusCode(403).body("error", equalTo("wrong_password"));
        given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("currentPassword", TestUsers.PASSWORD, "newPassword", "short"))
                .post("/api/auth/password").then().statusCode(400).body("error", equalTo("invalid_password"));
        given().contentType(ContentType.JSON)
                .body(Map.of("currentPassword", TestUsers.PASSWORD, "newPassword", NEW_PASSWORD))
                .post("/api/auth/password").then().statusCode(401);
        live(otherToken); // nothing changed so far

        given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("currentPassword", TestUsers.PASSWORD, "newPassword", NEW_PASSWORD))
                .post("/api/auth/password").then().statusCode(204);

        live(token);
        refused(otherToken);
        given().cookie("chat_refresh", elsewhere.cookie("chat_refresh")).post("/api/auth/refresh")
                .then().statusCode(401).body("error", equalTo("invalid_refresh"));
        given().cookie("chat_refresh", here.cookie("chat_refresh")).post("/api/auth/refresh").then().statusCode(200);
        login(user, TestUsers.PASSWORD).then().statusCode(401);
        login(user, NEW_PASSWORD).then().statusCode(200);
    }

    @Test
    void aDeletedAccountsNameIsReleasedOnlyOnceChatNodeReKeyedItAndItsTokensStayRefused() {
        String user = TestUsers.unique("gone");
        long id = TestUsers.signup(user, TestUsers.PASSWORD);
        Response session = login(user, TestUsers.PASSWORD);
        String token = session.path("token");
        String watcher = TestUsers.token();

        given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("password", "not the password"))
                .delete("/api/users/me").then().statusCode(403).body("error", equalTo("wrong_password"));
        live(token);

        Response deleted = given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("password", TestUsers.PASSWORD)).delete("/api/users/me");
        deleted.then().statusCode(204);
        assertEquals("", deleted.cookie("chat_refresh"), "the refresh cookie is cleared");

        refused(token);
        given().cookie("chat_refresh", session.cookie("chat_refresh")).post("/api/auth/refresh")
                .then().statusCode(401).body("error", equalTo("invalid_refresh"));
        login(user, TestUsers.PASSWORD).then().statusCode(401).body("error", equalTo("invalid_credentials"));
        given().auth().oauth2(watcher).get("/api/users/" + user).then().statusCode(404);
        List<String> found = given().auth().oauth2(watcher).queryParam("query", user).get("/api/users")
                .then().statusCode(200).extract().path("username");
        assertEquals(List.of(), found, "a deleted account is not found");

        // Until a chat node has re-keyed the old account's chat data, the name is taken.
        given().contentType(ContentType.JSON).body(Map.of("username", user, "password", TestUsers.PASSWORD))
                .post("/api/users").then().statusCode(409).body("error", equalTo("username_taken"));
        assertEquals(user, asChatNode("SELECT username FROM pending_name_releases WHERE account_id = " + id),
                "chat-node sees the pending release");
        // chat-node may mark it released and change nothing else of it.
        assertThrows(IllegalStateException.class, () -> asChatNode(
                "UPDATE pending_name_releases SET username = 'someone-else' WHERE account_id = " + id));
        asChatNode("UPDATE pending_name_releases SET released_at = now() WHERE account_id = " + id);
        assertEquals("", asChatNode("SELECT username FROM pending_name_releases WHERE account_id = " + id));

        // Released: the name goes to a new account, which owns nothing of the old one.
        String newPassword = "another person entirely";
        long newId = TestUsers.signup(user, newPassword);
        assertNotEquals(id, newId);
        login(user, TestUsers.PASSWORD).then().statusCode(401).body("error", equalTo("invalid_credentials"));
        String newToken = TestUsers.login(user, newPassword);
        given().auth().oauth2(newToken).get("/api/users/me").then().statusCode(200)
                .body("username", equalTo(user)).body("id", equalTo((int) newId));

        // The old account's tokens name its id: refused although their name is registered again.
        refused(token);
        given().cookie("chat_refresh", session.cookie("chat_refresh")).post("/api/auth/refresh")
                .then().statusCode(401).body("error", equalTo("invalid_refresh"));
        String forged = Jwt.issuer("chat").upn(user).subject(Long.toString(id)).groups("user").expiresIn(600).sign();
        refused(forged);
        live(newToken);
    }

    /** SQL as chat-node's runtime role would run it (deploy/postgres/roles.sql), on the tests' cluster. */
    private static String asChatNode(String sql) {
        return LocalPostgres.shared().psql(LocalPostgres.DATABASE, "SET ROLE chat_node; " + sql);
    }

    @Test
    void aTokenSpeaksOnlyForTheAccountWhoseIdItCarries() {
        String a = TestUsers.unique("ida");
        String b = TestUsers.unique("idb");
        long idA = TestUsers.signup(a, TestUsers.PASSWORD);
        TestUsers.signup(b, TestUsers.PASSWORD);
        // Signed with the real key, but pairing b's name with a's id: no such account.
        refused(Jwt.issuer("chat").upn(b).subject(Long.toString(idA)).groups("user").expiresIn(600).sign());
        live(Jwt.issuer("chat").upn(a).subject(Long.toString(idA)).groups("user").expiresIn(600).sign());
    }

    @Test
    void aSignedOutSessionsAccessTokenIsRefusedOnRest() {
        String user = TestUsers.unique("rest");
        TestUsers.signup(user, TestUsers.PASSWORD);
        Response session = login(user, TestUsers.PASSWORD);
        String token = session.path("token");
        String other = login(user, TestUsers.PASSWORD).path("token");
        live(token);
        given().cookie("chat_refresh", session.cookie("chat_refresh")).post("/api/auth/logout").then().statusCode(204);
        refused(token);
        live(other);
        given().auth().oauth2(other).post("/api/auth/logout-all").then().statusCode(204);
        refused(other);
    }

    @Test
    void theCallerSeesTheirOwnAccount() {
        String user = TestUsers.unique("me");
        long id = TestUsers.signup(user, TestUsers.PASSWORD);
        String token = TestUsers.login(user, TestUsers.PASSWORD);
        given().auth().oauth2(token).get("/api/users/me").then().statusCode(200)
                .body("username", equalTo(user)).body("id", equalTo((int) id))
                .body("message", emptyOrNullString()).body("username", not(emptyOrNullString()));
    }
}

package dev.chat.node.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.chat.node.TestAccounts;
import dev.chat.testing.quarkus.JwtKeysResource;
import dev.chat.testing.quarkus.PostgresResource;
import dev.chat.testing.quarkus.RedisResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The REST API refuses an access token of a revoked session (logout, password change, account deletion) with 401
 * and the JSON error body, though the token itself still verifies; the same user's other session is untouched.
 */
@QuarkusTest
@Tag("quarkus")
@WithTestResource(PostgresResource.class)
@WithTestResource(RedisResource.class)
@WithTestResource(JwtKeysResource.class)
class RevokedTokenRestTest {
    @BeforeAll
    static void tables() {
        TestAccounts.ensureTable();
    }

    @Test
    void aRevokedSessionsTokenIsRefusedOnEveryResource() {
        String alice = TestAccounts.create("alice_rv");
        String laptop = TestAccounts.session(alice);
        String phone = TestAccounts.session(alice);
        String old = TestAccounts.token(alice, laptop);
        given().auth().oauth2(old).get("/api/conversations").then().statusCode(200);

        TestAccounts.revoke(laptop);
        for (String path : new String[] {"/api/conversations", "/api/groups"}) {
            given().auth().oauth2(old).get(path).then().statusCode(401).body("error", equalTo("unauthorized"));
        }
        given().auth().oauth2(TestAccounts.token(alice, phone)).get("/api/groups").then().statusCode(200);
    }

    @Test
    void aTokenWithAMalformedSessionIdIsRefused() {
        String bob = TestAccounts.create("bob_rv");
        given().auth().oauth2(TestAccounts.token(bob, "not-a-uuid")).get("/api/conversations").then().statusCode(401)
                .body("error", equalTo("unauthorized"));
    }
}

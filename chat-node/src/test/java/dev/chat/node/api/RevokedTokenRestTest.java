package dev.chat.node.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.chat.node.TestAccounts;
import dev.chat.testing.Poll;
import dev.chat.testing.quarkus.JwtKeysResource;
import dev.chat.testing.quarkus.PostgresResource;
import dev.chat.testing.quarkus.RedisResource;
import io.quarkus.test.common.WithTestResource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * The REST API refuses an access token of a revoked session (logout, password change, account deletion) with 401
 * and the JSON error body, though the token itself still verifies, within the staleness bound
 * ({@code chat.revoked-sessions.max-staleness}, 1 s); the same user's other session is untouched; and the
 * revocation list costs PostgreSQL far fewer queries than requests.
 */
@QuarkusTest
@Tag("quarkus")
@WithTestResource(PostgresResource.class)
@WithTestResource(RedisResource.class)
@WithTestResource(JwtKeysResource.class)
class RevokedTokenRestTest {
    /** The staleness bound (1 s) plus room for a loaded machine: the poll's deadline, not a timing assertion. */
    private static final Duration BOUND_AND_SLACK = Duration.ofSeconds(10);

    @Inject
    MeterRegistry registry;

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
            Response refused = Poll.until(BOUND_AND_SLACK, () -> given().auth().oauth2(old).get(path),
                    r -> r.statusCode() == 401, r -> path + " still answers " + r.statusCode() + " after revocation");
            assertEquals("unauthorized", refused.path("error"), refused.asString());
        }
        given().auth().oauth2(TestAccounts.token(alice, phone)).get("/api/groups").then().statusCode(200);
    }

    @Test
    void aRequestCostsNoQueryOfItsOwn() {
        String carol = TestAccounts.create("carol_rv");
        String token = TestAccounts.token(carol, TestAccounts.session(carol));
        double checks = count("chat.revoked.sessions.checks");
        double queries = count("chat.revoked.sessions.queries");
        long start = System.nanoTime();
        for (int i = 0; i < 200; i++) {
            given().auth().oauth2(token).get("/api/groups").then().statusCode(200);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double checked = count("chat.revoked.sessions.checks") - checks;
        double asked = count("chat.revoked.sessions.queries") - queries;
        assertTrue(checked >= 200, "every request's token checked: " + checked);
        // At most one query per max-staleness (1 s) of requests, however slow the machine makes them: the bound
        // follows the time the requests took (plus the refresh at the start and one running at the end).
        assertTrue(asked <= Math.floor(seconds) + 2, asked + " queries for " + checked + " checks in " + seconds + " s");
    }

    private double count(String counter) {
        return registry.get(counter).functionCounter().count();
    }

    @Test
    void aTokenWithAMalformedSessionIdIsRefused() {
        String bob = TestAccounts.create("bob_rv");
        given().auth().oauth2(TestAccounts.token(bob, "not-a-uuid")).get("/api/conversations").then().statusCode(401)
                .body("error", equalTo("unauthorized"));
    }
}

package dev.chat.users;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.chat.testing.OpenApiContract;
import dev.chat.testing.RestFuzzer;
import dev.chat.testing.quarkus.JwtKeysResource;
import dev.chat.testing.quarkus.PostgresResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The seeded REST fuzzer (issue 19) on user-service: {@code fuzz.requests} requests (1,000 unless set; at most 90 s)
 * built from the committed docs/openapi/user-service.yaml, every operation in turn, one thing broken in each
 * ({@link RestFuzzer}), as a signed-in account, a fresh one every 25 requests (the fuzz signs accounts out
 * everywhere and gets their logins throttled). Verdicts: never a 5xx, every 4xx with the JSON error body; afterwards the fuzzing account still exists
 * with its password unchanged, and a bystander (never named in the fuzz) signs in and
 * reads its account. Replay with {@code -Dfuzz.seed=N}.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
@WithTestResource(JwtKeysResource.class)
class RestFuzzTest {
    private static final int REQUESTS = Integer.getInteger("fuzz.requests", 1_000);

    @TestHTTPResource("/")
    URI http;

    @Inject
    Pool db;

    @Test
    void everyEndpointSurvivesFuzzedRequestsAndNothingElseIsLost() {
        String fuzzer = TestUsers.unique("fuzzer");
        String bystander = TestUsers.unique("bystander");
        TestUsers.signup(fuzzer, TestUsers.PASSWORD);
        TestUsers.signup(bystander, TestUsers.PASSWORD);
        String hash = passwordHash(fuzzer);
        AtomicReference<String> token = new AtomicReference<>(TestUsers.login(fuzzer, TestUsers.PASSWORD));
        AtomicInteger calls = new AtomicInteger();

        long seed = RestFuzzer.seed();
        System.out.println("REST FUZZ user-service seed=" + seed + " requests=" + REQUESTS + " (replay: -Dfuzz.seed=" + seed + ")");
        RestFuzzer fuzz = new RestFuzzer(OpenApiContract.load("docs/openapi/user-service.yaml"), http,
                RestFuzzer.examples("username", List.of(fuzzer, "fuzz-new-" + seed % 1000),
                        "password", "not the password", "currentPassword", "not the password",
                        "newPassword", "another long password", "query", List.of("by", "fuzz"), "limit", List.of(1, 20),
                        "displayName", "Fuzzy", "v", "1", "chat_refresh", "nope"),
                () -> {
                    // A fuzzed logout-all ends the session, and fuzzed password proofs (never the right password)
                    // throttle the account's logins for a minute: every 25 requests a fresh account takes over.
                    // Every request comes from a source address of its own (withHeader below), and each fresh
                    // account signs in from yet another: the fuzz throttles neither 127.0.0.1 nor itself for good.
                    int n = calls.incrementAndGet();
                    if (n % 25 == 0) {
                        String next = TestUsers.unique("fuzzer");
                        TestUsers.signup(next, TestUsers.PASSWORD);
                        token.set(login(next, "198.18.91." + (n / 25 % 250)));
                    }
                    return token.get();
                }).withHeader("X-Forwarded-For", "198.18.90.1");
        RestFuzzer.Report report = fuzz.run(seed, REQUESTS, Duration.ofSeconds(90));
        System.out.println("REST FUZZ user-service " + report);
        report.contractNotes.stream().limit(20).forEach(n -> System.out.println("REST FUZZ contract note: " + n));
        assertEquals(List.of(), report.failures.stream().limit(20).toList(), "seed " + seed);
        assertTrue(report.requests > 100, "the fuzz ran: " + report);
        // Every endpoint and every field (issue 19): each parameter and body property of the document broken at least once.
        assertEquals(List.of(), report.unbroken, "never broken in this run: " + report);

        // Nothing else lost: the fuzzing account is still there with its password; a bystander signs in as before.
        assertEquals(hash, passwordHash(fuzzer), "the fuzzing account and its password are unchanged");
        String other = login(bystander, "198.18.92.1");
        given().auth().oauth2(other).get("/api/users/me").then().statusCode(200)
                .body("username", org.hamcrest.Matchers.equalTo(bystander));
    }

    private static String login(String username, String source) {
        return given().contentType(io.restassured.http.ContentType.JSON).header("X-Forwarded-For", source)
                .body(java.util.Map.of("username", username, "password", TestUsers.PASSWORD))
                .post("/api/auth/login").then().statusCode(200).extract().path("token");
    }

    private String passwordHash(String username) {
        var rows = db.preparedQuery("SELECT password_hash FROM accounts WHERE username = $1").execute(Tuple.of(username))
                .await().indefinitely();
        return rows.size() == 0 ? null : rows.iterator().next().getString(0);
    }
}

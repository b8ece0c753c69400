package dev.chat.users;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.emptyOrNullString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import dev.chat.testing.quarkus.JwtKeysResource;
import dev.chat.testing.quarkus.PostgresResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * Login throttling through the API: 5 failures of an account within a minute, or 20 from one source address,
 * and the next attempt gets 429 {@code too_many_attempts} with Retry-After, whatever the password. The tests
 * reach the service from 127.0.0.1, a trusted proxy, so {@code X-Forwarded-For} names the source, as HAProxy
 * sets it: each test uses addresses of its own.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
@WithTestResource(JwtKeysResource.class)
class LoginThrottlingTest {
    private static final AtomicInteger NET = new AtomicInteger();

    /** A fresh /24 of documentation addresses for one test. */
    private static String net() {
        int n = NET.incrementAndGet();
        return "198.18." + n + ".";
    }

    private static Response login(String source, String username, String password) {
        return given().contentType(ContentType.JSON).header("X-Forwarded-For", source)
                .body(Map.of("username", username, "password", password))
                .when().post("/api/auth/login");
    }

    private static void refused(Response r) {
        r.then().statusCode(429).contentType(ContentType.JSON)
                .body("error", equalTo("too_many_attempts"))
                .body("message", not(emptyOrNullString()))
                .body("token", equalTo(null));
        long header = Long.parseLong(r.header("Retry-After"));
        long body = ((Number) r.path("retryAfter")).longValue();
        assertEquals(header, body, "Retry-After header and body agree");
        assertTrue(body >= 1 && body <= 60, "retry within the minute: " + body);
    }

    @Test
    void anAccountIsThrottledAfterFiveFailuresEvenWithTheRightPasswordAndFromElsewhere() {
        String net = net();
        String user = TestUsers.unique("thr");
        TestUsers.signup(user, TestUsers.PASSWORD);
        for (int i = 0; i < 5; i++) {
            login(net + i, user, "wrong password " + i).then().statusCode(401).body("error", equalTo("invalid_credentials"));
        }
        refused(login(net + 10, user, "wrong again"));
        refused(login(net + 11, user, TestUsers.PASSWORD));
        refused(login(net() + 1, user, TestUsers.PASSWORD));
        // Other accounts are not affected.
        String other = TestUsers.unique("thr-other");
        TestUsers.signup(other, TestUsers.PASSWORD);
        login(net + 12, other, TestUsers.PASSWORD).then().statusCode(200);
    }

    @Test
    void anUnknownAccountIsThrottledTheSameSoThe429TellsNothing() {
        String net = net();
        String nobody = TestUsers.unique("ghost");
        for (int i = 0; i < 5; i++) {
            login(net + i, nobody, "whatever pw").then().statusCode(401);
        }
        refused(login(net + 9, nobody, "whatever pw"));
    }

    @Test
    void aSuccessfulLoginResetsTheAccountsCount() {
        String net = net();
        String user = TestUsers.unique("reset");
        TestUsers.signup(user, TestUsers.PASSWORD);
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 4; i++) {
                login(net + (round * 10 + i), user, "nope nope").then().statusCode(401);
            }
            login(net + (round * 10 + 5), user, TestUsers.PASSWORD).then().statusCode(200);
        }
    }

    @Test
    void aSourceIsThrottledAfterTwentyFailuresWhateverTheAccounts() {
        String source = net() + "1";
        for (int i = 0; i < 20; i++) {
            login(source, TestUsers.unique("spray" + i), "password123").then().statusCode(401);
        }
        String user = TestUsers.unique("victim");
        TestUsers.signup(user, TestUsers.PASSWORD);
        Response r = login(source, user, TestUsers.PASSWORD);
        refused(r);
        assertTrue(r.path("message").toString().contains("address"), r.asString());
        // The same account from another address logs in: the account itself was never failed.
        login(net() + "1", user, TestUsers.PASSWORD).then().statusCode(200);
    }

    /**
     * Logins still being checked are no failures: twelve concurrent logins with the right password to one account
     * from one address all get a token (they used to get 429 for every attempt past the fifth in flight).
     */
    @Test
    void concurrentCorrectLoginsToOneAccountAreNotThrottled() throws Exception {
        String source = net() + "1";
        String user = TestUsers.unique("burst");
        TestUsers.signup(user, TestUsers.PASSWORD);
        int n = 12;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(n);
        try {
            java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
            java.util.List<java.util.concurrent.Future<Integer>> answers = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) {
                answers.add(pool.submit(() -> {
                    start.await();
                    return login(source, user, TestUsers.PASSWORD).statusCode();
                }));
            }
            start.countDown();
            java.util.List<Integer> statuses = new java.util.ArrayList<>();
            for (java.util.concurrent.Future<Integer> a : answers) {
                statuses.add(a.get(60, java.util.concurrent.TimeUnit.SECONDS));
            }
            assertEquals(java.util.Collections.nCopies(n, 200), statuses, "every correct login gets a token");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void forwardedAddressesWrittenByTheClientDoNotChangeItsSource() {
        // HAProxy appends the client's address last: "spoofed, real". Only the last one counts.
        String real = net() + "1";
        for (int i = 0; i < 20; i++) {
            String spoofed = "203.0.113." + i;
            given().contentType(ContentType.JSON).header("X-Forwarded-For", spoofed + ", " + real)
                    .body(Map.of("username", TestUsers.unique("spoof" + i), "password", "password123"))
                    .when().post("/api/auth/login").then().statusCode(401);
        }
        refused(login("203.0.113.250, " + real, TestUsers.unique("spoof-x"), "password123"));
    }
}

package dev.chat.users;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.chat.testing.Poll;
import dev.chat.testing.quarkus.JwtKeysResource;
import dev.chat.testing.quarkus.PostgresResource;
import dev.chat.users.auth.HashingPool;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * With every hashing thread busy and the hashing queue full, sign-ups and logins are answered at once with 503
 * {@code busy}, Retry-After and the JSON error body, while readiness and token-checked reads still answer: they
 * never wait behind hashing. Once the jobs drain, both work again.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
@WithTestResource(JwtKeysResource.class)
class BusyHashingTest {
    @Inject
    HashingPool pool;

    @Test
    void aFullHashingQueueIsAnsweredWith503AndRetryAfterWhileReadinessStaysUp() throws Exception {
        String user = TestUsers.unique("busy");
        TestUsers.signup(user, TestUsers.PASSWORD);
        String token = TestUsers.login(user, TestUsers.PASSWORD);
        Poll.until(Duration.ofSeconds(10), () -> given().get("/q/health/ready").statusCode(), s -> s == 200,
                s -> "not ready: " + s);

        // Occupy every hashing thread first, and only then fill the queue. The login above answered before its
        // hashing thread was free again (a job's result reaches the caller first), so jobs queued at once could be
        // taken by that thread a moment after the queue looked full: the sign-up below was then queued behind jobs
        // that wait for this test, and timed out after 30 s (stop 21).
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch running = new CountDownLatch(pool.threads());
        AtomicInteger refused = new AtomicInteger();
        for (int i = 0; i < pool.threads(); i++) {
            pool.run(() -> {
                running.countDown();
                release.await();
                return null;
            }).subscribe().with(x -> { }, f -> refused.incrementAndGet());
        }
        try {
            assertTrue(running.await(10, TimeUnit.SECONDS), "every hashing thread runs a blocked job");
            for (int i = 0; i < pool.queueCapacity(); i++) {
                pool.run(() -> {
                    release.await();
                    return null;
                }).subscribe().with(x -> { }, f -> refused.incrementAndGet());
            }
            assertEquals(0, refused.get(), "no blocked job was refused");
            assertEquals(pool.queueCapacity(), pool.queued(), "the queue is full");
            for (String path : new String[] { "/api/users", "/api/auth/login" }) {
                Response r = given().contentType(ContentType.JSON)
                        .body(Map.of("username", path.endsWith("login") ? user : TestUsers.unique("busy2"),
                                "password", TestUsers.PASSWORD))
                        .when().post(path);
                r.then().statusCode(503).contentType(ContentType.JSON).body("error", equalTo("busy"));
                long header = Long.parseLong(r.header("Retry-After"));
                assertEquals(header, ((Number) r.path("retryAfter")).longValue(), "header and body agree");
                assertTrue(header >= 1 && header <= 30, "Retry-After " + header);
            }
            // Shed before any work: a sign-up the hashing pool would refuse is refused before its store lookup, so
            // even a taken name is answered busy (a retry learns it is taken). A burst of sign-ups with new names
            // would otherwise queue a lookup each on the pool the readiness probe shares (issue 17's sign-up storm).
            given().contentType(ContentType.JSON).body(Map.of("username", user, "password", TestUsers.PASSWORD))
                    .when().post("/api/users").then().statusCode(503).body("error", equalTo("busy"));
            given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
            given().auth().oauth2(token).get("/api/users/" + user).then().statusCode(200);
        } finally {
            release.countDown();
        }
        Poll.until(Duration.ofSeconds(10), () -> pool.queued() + pool.running(), n -> n == 0,
                n -> "jobs still queued or running: " + n);
        // The blocked jobs were no hashing: their time must not size the refusals of later tests in this JVM.
        pool.resetEstimate();
        // A refused login was no verdict on the password: nothing counted against the account.
        TestUsers.login(user, TestUsers.PASSWORD);
        TestUsers.signup(TestUsers.unique("after"), TestUsers.PASSWORD);
    }
}

package dev.chat.presence.service;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import dev.chat.testing.LocalRedis;
import dev.chat.testing.quarkus.JwtKeysResource;
import dev.chat.testing.quarkus.RedisResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.redis.client.Redis;

/**
 * Kills the shared test Redis and brings it back within the one test, so other classes never see it down.
 * LocalRedis.shared() is the very server RedisResource gave the app: both live in the app's class loader.
 */
@QuarkusTest
@QuarkusTestResource(RedisResource.class)
@QuarkusTestResource(JwtKeysResource.class)
class RedisOutageTest {
    @Inject
    Redis redis;

    @Test
    void redisOutageMakesServiceUnreadyAndItRecoversWithoutRestart() {
        String user = ChatNodeSim.uniqueUser();
        LocalRedis server = LocalRedis.shared();
        assertEquals(server.url(), ConfigProvider.getConfig().getValue("quarkus.redis.hosts", String.class),
                "the app must use the server this test kills");
        double failuresBefore = sweepFailures();
        server.kill();
        try {
            // Hold the outage until the sweeper has actually ticked against a dead Redis.
            Poll.until(Duration.ofSeconds(15), "a sweep tick fails", () -> sweepFailures() > failuresBefore);
            Poll.until(Duration.ofSeconds(15), "readiness DOWN", () -> given().get("/q/health/ready")
                    .then().extract().statusCode() == 503);
            given().when().get("/q/health/ready")
                    .then().statusCode(503).body("status", equalTo("DOWN"));
            // Liveness stays up: restarting this process would not bring Redis back.
            given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
            given().header("Authorization", Jwt.bearer(user))
                    .when().get("/api/presence/" + user)
                    .then().statusCode(503).contentType("application/json")
                    .header("Retry-After", "1")
                    .body("error", equalTo("unavailable"));
        } finally {
            server.restart();
        }

        Poll.until(Duration.ofSeconds(15), "readiness UP again", () -> given().get("/q/health/ready")
                .then().extract().statusCode() == 200);
        // The sweeper survived the outage: it still evicts a node that died after Redis came back.
        ChatNodeSim dead = new ChatNodeSim(redis).heartbeatAt(System.currentTimeMillis() - 60_000).open(user, 1);
        Poll.until(Duration.ofSeconds(10), "sweeper evicts again after the outage",
                () -> !dead.hasHeartbeat() && !dead.listedFor(user));
        given().header("Authorization", Jwt.bearer(user))
                .when().get("/api/presence/" + user)
                .then().statusCode(200).body("online", equalTo(false));
    }

    private static double sweepFailures() {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher m = Pattern.compile("(?m)^chat_presence_sweep_failures_total(?:\\{[^}]*\\})? (\\S+)$").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}

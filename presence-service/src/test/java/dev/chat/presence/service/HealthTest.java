package dev.chat.presence.service;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import org.junit.jupiter.api.Test;

import dev.chat.testing.quarkus.JwtKeysResource;
import dev.chat.testing.quarkus.RedisResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@QuarkusTestResource(RedisResource.class)
@QuarkusTestResource(JwtKeysResource.class)
class HealthTest {
    @Test
    void livenessIsUpWithTheSweeperCheck() {
        given().when().get("/q/health/live")
                .then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem("presence-sweeper"));
    }

    @Test
    void readinessIsUpWithRedisReachable() {
        given().when().get("/q/health/ready")
                .then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem("Redis connection health check"));
    }
}

package dev.chat.presence.service;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.chat.testing.quarkus.JwtKeysResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Redis;

/**
 * Smoke test of the packaged service (the JAR here, the native executable with -Dnative): it starts with
 * its key and Redis, refuses a request without a token, and answers a presence query from the real map.
 */
@QuarkusIntegrationTest
@WithTestResource(ItRedis.class)
@WithTestResource(JwtKeysResource.class)
class PresenceServiceIT {
    private static Vertx vertx;
    private static Redis redis;

    @BeforeAll
    static void connect() {
        vertx = Vertx.vertx();
        redis = Redis.createClient(vertx, ItRedis.url());
    }

    @AfterAll
    static void disconnect() {
        redis.close();
        vertx.closeAndAwait();
    }

    @Test
    void readyThenAPresenceQuery() {
        // The packaged service serves health and metrics on its management port only (quarkus.management.*, a
        // random one here): its public port refuses them, however the path is spelled.
        given().when().get("/q/health/ready").then().statusCode(404);
        given().when().get("/q/metrics").then().statusCode(404);

        String user = ChatNodeSim.uniqueUser();
        given().when().get("/api/presence/" + user)
                .then().statusCode(401);

        ChatNodeSim node = new ChatNodeSim(redis).heartbeat().open(user, 1);
        try {
            given().header("Authorization", Jwt.bearer(ChatNodeSim.uniqueUser()))
                    .when().get("/api/presence/" + user)
                    .then().statusCode(200)
                    .body("user", equalTo(user))
                    .body("online", equalTo(true))
                    .body("sockets", equalTo(1))
                    .body("nodes", contains(node.id));
        } finally {
            node.remove();
        }
    }
}

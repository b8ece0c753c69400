package dev.chat.presence.service;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.chat.testing.quarkus.JwtKeysResource;
import dev.chat.testing.quarkus.RedisResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;

/**
 * The other tests talk RESP3 (what the client negotiates with Redis 6+); replies to HGETALL and
 * ZRANGE WITHSCORES are shaped differently under RESP2, which a Redis proxy or an old server may impose.
 */
@QuarkusTest
@TestProfile(Resp2Test.Resp2.class)
@QuarkusTestResource(RedisResource.class)
@QuarkusTestResource(JwtKeysResource.class)
class Resp2Test {
    public static class Resp2 implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.redis.preferred-protocol-version", "resp2");
        }
    }

    @Inject
    Redis redis;

    @Test
    void clientReallyTalksResp2() {
        String info = redis.send(Request.cmd(Command.CLIENT).arg("INFO")).await().atMost(Duration.ofSeconds(5))
                .toString();
        assertTrue(info.contains(" resp=2"), info);
    }

    @Test
    void lookupsAndNodeListingReadResp2Replies() {
        String user = ChatNodeSim.uniqueUser();
        long beat = System.currentTimeMillis();
        ChatNodeSim node = new ChatNodeSim(redis).heartbeatAt(beat).open(user, 2);

        given().header("Authorization", Jwt.bearer(user))
                .when().get("/api/presence/" + user)
                .then().statusCode(200)
                .body("sockets", equalTo(2))
                .body("nodes", contains(node.id));
        given().header("Authorization", Jwt.operatorBearer(user))
                .when().get("/api/presence/nodes")
                .then().statusCode(200)
                .body("node", hasItem(node.id))
                .body("find { it.node == '" + node.id + "' }.lastHeartbeat", equalTo(beat))
                .body("find { it.node == '" + node.id + "' }.users", equalTo(1));
        node.remove();
    }
}

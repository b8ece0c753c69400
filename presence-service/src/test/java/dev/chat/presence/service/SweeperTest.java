package dev.chat.presence.service;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.chat.testing.quarkus.JwtKeysResource;
import dev.chat.testing.quarkus.RedisResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.redis.client.Redis;

@QuarkusTest
@QuarkusTestResource(RedisResource.class)
@QuarkusTestResource(JwtKeysResource.class)
class SweeperTest {
    @Inject
    Redis redis;

    @Test
    void deadNodeIsEvictedWithinSecondsWhileLiveNodeStays() {
        String both = ChatNodeSim.uniqueUser();
        String onlyDead = ChatNodeSim.uniqueUser();
        ChatNodeSim live = new ChatNodeSim(redis).heartbeat().open(both, 1);
        ChatNodeSim dead = new ChatNodeSim(redis).heartbeat().open(both, 2).open(onlyDead, 1);
        // The dead node's last heartbeat is now well in the past, as if it crashed a minute ago.
        dead.heartbeatAt(System.currentTimeMillis() - 60_000);

        Poll.until(Duration.ofSeconds(10), "dead node " + dead.id + " evicted", () -> {
            live.heartbeat(); // a live node keeps beating meanwhile
            return !dead.hasHeartbeat() && dead.socketEntries() == 0 && !dead.listedFor(both)
                    && !dead.listedFor(onlyDead);
        });

        assertTrue(live.hasHeartbeat(), "live node keeps its heartbeat");
        assertEquals(1, live.socketEntries(), "live node keeps its sockets");
        assertTrue(live.listedFor(both), "live node keeps its user entries");
        given().header("Authorization", Jwt.bearer(both))
                .when().get("/api/presence/" + both)
                .then().statusCode(200).body("sockets", equalTo(1)).body("nodes", contains(live.id));
        given().header("Authorization", Jwt.bearer(both))
                .when().get("/api/presence/" + onlyDead)
                .then().statusCode(200).body("online", equalTo(false));
        live.remove();
    }

    @Test
    void nodeThatNeverHeartbeatsAgainIsEvictedOnceItsTtlPasses() {
        String user = ChatNodeSim.uniqueUser();
        // Just beat: fresh now, dead in 5 s. The sweeper must wait for the TTL, then act within about a second.
        long start = System.currentTimeMillis();
        ChatNodeSim node = new ChatNodeSim(redis).heartbeatAt(start).open(user, 1);

        Poll.until(Duration.ofSeconds(12), "node evicted after its TTL", () -> !node.listedFor(user));
        long took = System.currentTimeMillis() - start;
        assertTrue(took >= 5_000, "evicted only after the 5 s TTL, took " + took + " ms");
        assertTrue(!node.hasHeartbeat() && node.socketEntries() == 0, "all of the node's entries are gone");
    }

    @Test
    void metricsExposePresenceGaugesAndEvictions() {
        ChatNodeSim dead = new ChatNodeSim(redis).heartbeatAt(System.currentTimeMillis() - 60_000)
                .open(ChatNodeSim.uniqueUser(), 1);
        Poll.until(Duration.ofSeconds(10), "dead node evicted", () -> !dead.hasHeartbeat());

        given().when().get("/q/metrics")
                .then().statusCode(200)
                .body(containsString("chat_presence_nodes_live"))
                .body(containsString("chat_presence_nodes_stale"))
                .body(containsString("chat_presence_sockets"))
                .body(containsString("chat_presence_evictions_total"))
                .body(containsString("chat_presence_sweep_failures_total"));
    }
}

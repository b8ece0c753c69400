package dev.chat.presence.service;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.chat.presence.service.sweep.NodeSweeper;
import dev.chat.testing.quarkus.JwtKeysResource;
import dev.chat.testing.quarkus.RedisResource;
import io.quarkus.scheduler.Scheduler;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.redis.client.Redis;

@QuarkusTest
@QuarkusTestResource(RedisResource.class)
@QuarkusTestResource(JwtKeysResource.class)
class NodesListingTest {
    @Inject
    Redis redis;

    @Inject
    Scheduler scheduler;

    @Test
    void listsLiveAndNotYetSweptNodesWithCounts() {
        // Paused so the stale node is still there to be listed as not alive.
        scheduler.pause(NodeSweeper.JOB);
        try {
            String u1 = ChatNodeSim.uniqueUser();
            String u2 = ChatNodeSim.uniqueUser();
            long liveBeat = System.currentTimeMillis();
            long staleBeat = liveBeat - 30_000;
            ChatNodeSim live = new ChatNodeSim(redis).heartbeatAt(liveBeat).open(u1, 2).open(u2, 1);
            ChatNodeSim stale = new ChatNodeSim(redis).heartbeatAt(staleBeat).open(u1, 1);

            List<Map<String, Object>> nodes = given().header("Authorization", Jwt.operatorBearer(u1))
                    .when().get("/api/presence/nodes")
                    .then().statusCode(200).contentType("application/json")
                    .extract().jsonPath().getList("$");

            Map<String, Object> l = find(nodes, live.id);
            assertEquals(3, l.get("sockets"));
            assertEquals(2, l.get("users"));
            assertEquals(liveBeat, ((Number) l.get("lastHeartbeat")).longValue());
            assertEquals(true, l.get("alive"));

            Map<String, Object> s = find(nodes, stale.id);
            assertEquals(1, s.get("sockets"));
            assertEquals(1, s.get("users"));
            assertEquals(staleBeat, ((Number) s.get("lastHeartbeat")).longValue());
            assertEquals(false, s.get("alive"));
            live.remove();
            stale.remove();
        } finally {
            scheduler.resume(NodeSweeper.JOB);
        }
    }

    /** The node listing is for operators (issue 19): a signed-in user without the operator group gets 403. */
    @Test
    void anOrdinaryUserMayNotListTheNodes() {
        given().header("Authorization", Jwt.bearer(ChatNodeSim.uniqueUser()))
                .when().get("/api/presence/nodes")
                .then().statusCode(403).contentType("application/json").body("error", org.hamcrest.Matchers.equalTo("forbidden"));
    }

    private static Map<String, Object> find(List<Map<String, Object>> nodes, String id) {
        Map<String, Object> found = nodes.stream().filter(n -> id.equals(n.get("node"))).findFirst().orElse(null);
        assertNotNull(found, "node " + id + " listed in " + nodes);
        return found;
    }
}

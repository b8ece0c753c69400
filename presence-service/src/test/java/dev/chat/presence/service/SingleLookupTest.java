package dev.chat.presence.service;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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
class SingleLookupTest {
    @Inject
    Redis redis;

    @Inject
    Scheduler scheduler;

    private final String asker = ChatNodeSim.uniqueUser();

    @Test
    void userWithSocketsIsOnline() {
        String user = ChatNodeSim.uniqueUser();
        ChatNodeSim node = new ChatNodeSim(redis).heartbeat().open(user, 2);

        given().header("Authorization", Jwt.bearer(asker))
                .when().get("/api/presence/" + user)
                .then().statusCode(200).contentType("application/json")
                .body("user", equalTo(user))
                .body("online", equalTo(true))
                .body("sockets", equalTo(2))
                .body("nodes", contains(node.id));
        node.remove();
    }

    @Test
    void unknownUserIsOffline() {
        String user = ChatNodeSim.uniqueUser();

        given().header("Authorization", Jwt.bearer(asker))
                .when().get("/api/presence/" + user)
                .then().statusCode(200)
                .body("user", equalTo(user))
                .body("online", equalTo(false))
                .body("sockets", equalTo(0))
                .body("nodes", empty());
    }

    @Test
    void socketsAreCountedAcrossNodes() {
        String user = ChatNodeSim.uniqueUser();
        ChatNodeSim a = new ChatNodeSim(redis).heartbeat().open(user, 2);
        ChatNodeSim b = new ChatNodeSim(redis).heartbeat().open(user, 1);
        String first = a.id.compareTo(b.id) < 0 ? a.id : b.id;
        String second = first.equals(a.id) ? b.id : a.id;

        given().header("Authorization", Jwt.bearer(asker))
                .when().get("/api/presence/" + user)
                .then().statusCode(200)
                .body("online", equalTo(true))
                .body("sockets", equalTo(3))
                .body("nodes", contains(first, second));
        a.remove();
        b.remove();
    }

    @Test
    void nodePastItsTtlCountsOfflineBeforeItIsSwept() {
        // Paused so the sweeper cannot tidy the stale node away first: this tests the query's own rule.
        scheduler.pause(NodeSweeper.JOB);
        try {
            String user = ChatNodeSim.uniqueUser();
            String onlyOnStale = ChatNodeSim.uniqueUser();
            ChatNodeSim live = new ChatNodeSim(redis).heartbeat().open(user, 1);
            ChatNodeSim stale = new ChatNodeSim(redis).heartbeatAt(System.currentTimeMillis() - 6_000)
                    .open(user, 2).open(onlyOnStale, 1);

            given().header("Authorization", Jwt.bearer(asker))
                    .when().get("/api/presence/" + user)
                    .then().statusCode(200)
                    .body("sockets", equalTo(1))
                    .body("nodes", contains(live.id));
            given().header("Authorization", Jwt.bearer(asker))
                    .when().get("/api/presence/" + onlyOnStale)
                    .then().statusCode(200)
                    .body("online", equalTo(false))
                    .body("sockets", equalTo(0))
                    .body("nodes", empty());
            live.remove();
            stale.remove();
        } finally {
            scheduler.resume(NodeSweeper.JOB);
        }
    }

    @Test
    void nodeThatNeverHeartbeatCountsOffline() {
        String user = ChatNodeSim.uniqueUser();
        ChatNodeSim silent = new ChatNodeSim(redis).open(user, 1);

        given().header("Authorization", Jwt.bearer(asker))
                .when().get("/api/presence/" + user)
                .then().statusCode(200)
                .body("online", equalTo(false));
        silent.remove();
    }

    @ParameterizedTest
    @ValueSource(strings = { "ab", "Alice", "abcdefghijklmnopqrstuvwxyz0123456", "bad:name", "a*b", "white space",
            "émile", "chat:presence:nodes" })
    void invalidUsernameIsRefusedWithJson(String bad) {
        given().header("Authorization", Jwt.bearer(asker))
                .pathParam("user", bad)
                .when().get("/api/presence/{user}")
                .then().statusCode(400).contentType("application/json")
                .body("error", equalTo("bad_request"))
                .body("message", startsWith("invalid username"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "abc", "a.b", "a_b-c.9", "abcdefghijklmnopqrstuvwxyz012345" })
    void boundaryUsernamesAreAccepted(String name) {
        given().header("Authorization", Jwt.bearer(asker))
                .pathParam("user", name)
                .when().get("/api/presence/{user}")
                .then().statusCode(200)
                .body("user", equalTo(name));
    }
}

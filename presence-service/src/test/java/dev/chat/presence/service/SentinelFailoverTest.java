package dev.chat.presence.service;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.chat.presence.model.PresenceKeys;
import dev.chat.testing.LocalRedisSentinel;
import dev.chat.testing.quarkus.JwtKeysResource;
import dev.chat.testing.quarkus.SentinelResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;

/**
 * presence-service in sentinel mode (QUARKUS_REDIS_CLIENT_TYPE=sentinel, the Sentinels in QUARKUS_REDIS_HOSTS): it
 * reads the map from the master the Sentinels name, and after that master is killed with -9 and a replica promoted,
 * it answers again from the new master without a restart.
 */
@QuarkusTest
@TestProfile(SentinelFailoverTest.Sentinels.class)
class SentinelFailoverTest {
    /** Its own Redis set instead of the shared server the other classes' global resources start. */
    public static class Sentinels implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(SentinelResource.class), new TestResourceEntry(JwtKeysResource.class));
        }

        @Override
        public boolean disableGlobalTestResources() {
            return true;
        }
    }

    private static final Duration FAILOVER = Duration.ofSeconds(30);

    @SentinelResource.InjectSentinel
    LocalRedisSentinel redis;

    @Test
    void answersFromTheNewMasterAfterTheMasterIsKilled() {
        String asker = ChatNodeSim.uniqueUser();
        String before = ChatNodeSim.uniqueUser();
        String node = "sentinel-node";
        writePresence(redis.masterPort(), node, before);
        awaitOnline(asker, before);

        int killed = redis.killMaster();
        int promoted = redis.awaitNewMaster(killed, FAILOVER);
        assertNotEquals(killed, promoted);

        // Written on the new master only: an answer that names this user came from there.
        String after = ChatNodeSim.uniqueUser();
        writePresence(promoted, node, after);
        awaitOnline(asker, after);
    }

    private void writePresence(int port, String node, String user) {
        redis.cli(port, "ZADD", PresenceKeys.NODES, Long.toString(System.currentTimeMillis() + 60_000), node);
        redis.cli(port, "HSET", PresenceKeys.nodeSockets(node), user + "-s1", user);
        redis.cli(port, "HSET", PresenceKeys.user(user), node, "1");
    }

    private static void awaitOnline(String asker, String user) {
        dev.chat.testing.Poll.until(FAILOVER, () -> ask(asker, user),
                r -> r.statusCode() == 200 && Boolean.TRUE.equals(r.path("online")),
                r -> "presence of " + user + " never answered online: " + r.statusCode() + " " + r.body().asString());
    }

    private static ExtractableResponse<Response> ask(String asker, String user) {
        return given().header("Authorization", Jwt.bearer(asker)).when().get("/api/presence/" + user).then().extract();
    }
}

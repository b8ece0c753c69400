package dev.chat.presence.service;

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

/** The test profile runs the orphan pass every second (30 s in prod). */
@QuarkusTest
@QuarkusTestResource(RedisResource.class)
@QuarkusTestResource(JwtKeysResource.class)
class OrphanSweeperTest {
    @Inject
    Redis redis;

    @Test
    void entriesOfNodesWithoutHeartbeatEntryAreRemovedWhileLiveOnesStay() {
        String user = ChatNodeSim.uniqueUser();
        String other = ChatNodeSim.uniqueUser();
        ChatNodeSim live = new ChatNodeSim(redis).heartbeat().open(user, 1);
        // Never heartbeated (or lost it) and left entries behind: the heartbeat-driven sweeper cannot see them.
        ChatNodeSim strayUserEntry = new ChatNodeSim(redis).userEntryOnly(user, 3);
        ChatNodeSim strayIndex = new ChatNodeSim(redis).open(other, 2);

        Poll.until(Duration.ofSeconds(10), "orphaned entries removed", () -> {
            live.heartbeat();
            return !strayUserEntry.listedFor(user) && !strayIndex.listedFor(other)
                    && strayIndex.socketEntries() == 0;
        });

        assertTrue(live.listedFor(user), "the live node's entry stays");
        assertEquals(1, live.socketEntries(), "the live node's socket index stays");
        live.remove();
    }
}

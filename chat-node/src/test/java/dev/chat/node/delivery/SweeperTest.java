package dev.chat.node.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.chat.node.config.NodeIdentity;
import dev.chat.node.protocol.ServerFrames;
import dev.chat.node.testing.FakeTime;
import dev.chat.node.testing.MemoryMessageLog;
import dev.chat.node.testing.MemorySockets;
import dev.chat.node.testing.Settings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The sweep on in-memory seams and a clock moved by hand: it pushes what its users have unacked once it can no
 * longer be on its way through the broker, again after the redelivery delay, never after the ack; a failed look is
 * retried by the next sweep.
 */
class SweeperTest {
    private final FakeTime time = new FakeTime();
    private final MemoryMessageLog log = new MemoryMessageLog().accounts("ann", "bob", "cat").group(7, "ann", "bob", "cat");
    private final MemorySockets sockets = new MemorySockets().connect("bob", 1);
    private final InFlight inFlight = new InFlight(Settings.delivery(Duration.ofSeconds(5)), time);
    private final Pusher pusher = new Pusher(sockets, inFlight, Settings.limits(20, 60, 2000), new SimpleMeterRegistry());
    private final ServerFrames frames = new ServerFrames(new ObjectMapper());
    private final Sweeper sweeper = new Sweeper(log, sockets, inFlight, pusher, frames, Runnable::run,
            new NodeIdentity("node-1"), new SimpleMeterRegistry(), time);

    private void sweep() {
        sweeper.sweep().await().indefinitely();
    }

    private int pushed() {
        return sockets.frames("bob").size();
    }

    @Test
    void anUnackedMessageIsPushedOnceOutOfTransitAgainAfterTheDelayAndNeverAfterTheAck() {
        log.append("ann", "m1", "bob", "hi", time.millis()).await().indefinitely();
        sweep();
        assertEquals(0, pushed(), "younger than a second: may still be on its way through the broker");
        time.advance(Duration.ofMillis(1_001));
        sweep();
        assertEquals(1, pushed());
        sweep();
        assertEquals(1, pushed(), "not again within the redelivery delay");
        time.advance(Duration.ofSeconds(5));
        sweep();
        assertEquals(2, pushed());
        log.ack("bob", "m1").await().indefinitely();
        inFlight.acked("bob", "m1");
        time.advance(Duration.ofSeconds(5));
        sweep();
        assertEquals(2, pushed());
    }

    @Test
    void aGroupMessageIsSweptToEachConnectedMember() {
        log.appendToGroup("ann", "g1", 7, "hi all", time.millis()).await().indefinitely();
        time.advance(Duration.ofSeconds(2));
        sweep();
        assertEquals(1, pushed());
        assertEquals(List.of(), sockets.frames("cat"), "cat has no socket here");
        assertEquals("7", frame(0).get("group").asText());
    }

    @Test
    void aFailedLookIsRetriedByTheNextSweep() {
        log.append("ann", "m1", "bob", "hi", time.millis()).await().indefinitely();
        time.advance(Duration.ofSeconds(2));
        log.failures().failNext(1);
        sweep();
        assertEquals(0, pushed());
        sweep();
        assertEquals(1, pushed());
    }

    /** Issue 19: more unacked for one user than a sweep reads at once must not starve the others. */
    @Test
    void aHeavyUsersBacklogLeavesTheOthersTheirShareOfEverySweep() {
        sockets.connect("ann", 1);
        for (int i = 0; i < 6_000; i++) {
            log.append("cat", "bulk-" + i, "ann", "backlog", time.millis()).await().indefinitely();
        }
        log.append("cat", "lost", "bob", "hi", time.millis()).await().indefinitely();
        time.advance(Duration.ofSeconds(2));
        sweep();
        assertEquals(1, pushed(), "bob's message, behind 6,000 of ann's, within one sweep");
        assertEquals("lost", frame(0).get("id").asText());
        assertEquals(2_000, sockets.frames("ann").size(), "ann gets up to her window");
    }

    @Test
    void sweepSoonSweepsWithoutWaitingForTheTick() {
        log.append("ann", "m1", "bob", "hi", time.millis()).await().indefinitely();
        time.advance(Duration.ofSeconds(2));
        sweeper.sweepSoon();
        assertEquals(1, pushed());
    }

    private com.fasterxml.jackson.databind.JsonNode frame(int i) {
        try {
            return new ObjectMapper().readTree(sockets.frames("bob").get(i));
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}

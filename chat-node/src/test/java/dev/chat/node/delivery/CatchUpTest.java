package dev.chat.node.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.chat.node.testing.EmbeddedConnection;
import dev.chat.node.testing.FakeTime;
import dev.chat.node.testing.MemoryBroker;
import dev.chat.node.testing.MemoryMessageLog;
import dev.chat.node.testing.MemoryPresence;
import dev.chat.node.testing.Settings;
import io.quarkus.websockets.next.UserData;
import io.quarkus.websockets.next.WebSocketConnection;

/**
 * A client back after a long absence (issue 19: of 4,000 messages owed, about 27 a second were delivered): one that
 * acks what it gets as it gets it is pushed its whole backlog at the pace of its acks, without waiting for sweeps
 * (the sweep, every 2 s, is for what was lost, not the way a backlog is paced). No sweep runs in this test.
 */
class CatchUpTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int BACKLOG = 2_000;

    private final FakeTime time = new FakeTime();
    private final MemoryMessageLog log = new MemoryMessageLog().accounts("ann", "bob");
    private final TestNode node = new TestNode("node-1", log, new MemoryBroker.Hub(), new MemoryPresence.PresenceMap(),
            time, Settings.limits(20, 60, 2000));
    private final WebSocketConnection bobsSocket = EmbeddedConnection.of("bob-1",
            UserData.TypedKey.forString("chat.user"), "bob");

    @Test
    void aClientAckingAsItGoesGetsItsWholeBacklogWithoutASweep() {
        for (int i = 0; i < BACKLOG; i++) {
            log.append("ann", "m" + i, "bob", "hello " + i, time.millis()).await().indefinitely();
        }
        node.sockets.connect("bob", 1);
        node.delivery.opened("bob", bobsSocket).await().indefinitely();

        Set<String> seen = new HashSet<>();
        int read = 0;
        // Each round acks what came since the last: a round trip of the client. Bounded: the backlog in rounds
        // of at least one.
        for (int round = 0; round < BACKLOG; round++) {
            List<String> frames = node.sockets.frames("bob");
            if (frames.size() == read) {
                break;
            }
            for (String f : frames.subList(read, frames.size())) {
                JsonNode msg = json(f);
                if ("msg".equals(msg.path("type").asText())) {
                    seen.add(msg.path("id").asText());
                    node.delivery.ack("bob", msg.path("id").asText()).await().indefinitely();
                }
            }
            read = frames.size();
        }

        assertEquals(BACKLOG, seen.size(), "messages pushed to a client acking as it goes, with no sweep");
        for (int i = 0; i < BACKLOG; i++) {
            assertEquals(false, log.unackedBy("bob", "ann", "m" + i), "m" + i + " acked");
        }
    }

    private static JsonNode json(String frame) {
        try {
            return JSON.readTree(frame);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}

package dev.chat.node.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.chat.node.delivery.TestNode;
import dev.chat.node.testing.EmbeddedConnection;
import dev.chat.node.testing.FakeTime;
import dev.chat.node.testing.FakeTimers;
import dev.chat.node.testing.MemoryBroker;
import dev.chat.node.testing.MemoryMessageLog;
import dev.chat.node.testing.MemoryPresence;
import dev.chat.node.testing.Settings;
import io.quarkus.websockets.next.WebSocketConnection;

/**
 * A client catching up on a backlog larger than the socket's frame burst (1,000) acks every message as it comes, at
 * once (no time passes): none of those acks is refused by the frame rate, since each answers a push of the node's
 * own, and every message ends acked. On main the acks past the burst were refused ({@code rate_limited}) and the
 * messages came again 5 s later.
 */
class CatchUpAcksTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int BACKLOG = 1_500;

    private final FakeTime time = new FakeTime();
    private final MemoryMessageLog log = new MemoryMessageLog().accounts("ann", "bob");
    private final TestNode node = new TestNode("node-1", log, new MemoryBroker.Hub(), new MemoryPresence.PresenceMap(),
            time, Settings.limits(20, 60, 2000));
    private final WebSocketConnection connection = EmbeddedConnection.of("c1", UpgradeChecks.USER, "ann");
    private final ChatSocket socket = HandlerSockets.on(node, time, new FakeTimers(time), () -> 0);

    @Test
    void acksOfPushedMessagesAreNeverRefusedByTheFrameRate() {
        for (int i = 0; i < BACKLOG; i++) {
            log.append("bob", "m" + i, "ann", "hello " + i, time.millis()).await().indefinitely();
        }
        node.sockets.connect("ann", 1);
        node.delivery.opened("ann", connection).await().indefinitely();

        Set<String> seen = new HashSet<>();
        int read = 0;
        int refused = 0;
        for (int round = 0; round < BACKLOG; round++) {
            List<String> frames = node.sockets.frames("ann");
            if (frames.size() == read) {
                break;
            }
            for (String f : frames.subList(read, frames.size())) {
                JsonNode frame = json(f);
                String type = frame.path("type").asText();
                if (type.equals("msg")) {
                    seen.add(frame.path("id").asText());
                    socket.text("{\"type\":\"ack\",\"id\":\"" + frame.path("id").asText() + "\"}", connection)
                            .await().indefinitely();
                } else if (type.equals("error")) {
                    refused++;
                }
            }
            read = frames.size();
        }

        assertEquals(0, refused, "acks refused");
        assertEquals(BACKLOG, seen.size(), "messages pushed");
        for (int i = 0; i < BACKLOG; i++) {
            assertEquals(false, log.unackedBy("ann", "bob", "m" + i), "m" + i + " acked");
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

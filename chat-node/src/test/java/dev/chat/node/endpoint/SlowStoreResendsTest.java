package dev.chat.node.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.chat.node.delivery.TestNode;
import dev.chat.node.endpoint.FrozenStoreFramesTest.SerialFrames;
import dev.chat.node.testing.EmbeddedConnection;
import dev.chat.node.testing.FakeTime;
import dev.chat.node.testing.FakeTimers;
import dev.chat.node.testing.MemoryBroker;
import dev.chat.node.testing.MemoryMessageLog;
import dev.chat.node.testing.MemoryPresence;
import dev.chat.node.testing.Settings;
import io.quarkus.websockets.next.WebSocketConnection;

/**
 * A socket's resends while the store is slow but answering (a loaded machine), at the handler, on in-memory seams.
 * A client resends what it has no answer for (the load tool after 10 s); a socket's sends are stored one after
 * another, so a resend queued behind its own original used to cost a store call and a turn of its own, and under a
 * slow spell the resends kept the queue long after the spell (docs/performance.md, eleventh round). A resend of a
 * send that is still waiting or being stored now shares the original's store call and answer.
 */
class SlowStoreResendsTest {
    /** How long each store call takes here: far longer than the sends' spacing. */
    private static final Duration SLOW = Duration.ofSeconds(3);

    private final FakeTime time = new FakeTime();
    private final FakeTimers timers = new FakeTimers(time);
    private final MemoryMessageLog log = new MemoryMessageLog().accounts("ann", "bob");
    private final TestNode node = new TestNode("node-1", log, new MemoryBroker.Hub(), new MemoryPresence.PresenceMap(),
            time, Settings.limits(20, 60, 2000)).connect("ann", 1);
    private final WebSocketConnection connection = EmbeddedConnection.of("c1", UpgradeChecks.USER, "ann");
    private final SerialFrames inbound = new SerialFrames(text -> socket().text(text, connection));
    private ChatSocket socket;

    private ChatSocket socket() {
        if (socket == null) {
            // Slow, not silent: the store answers all the time (never unavailable for silence).
            socket = HandlerSockets.on(node, time, timers, () -> 0);
        }
        return socket;
    }

    @Test
    void aResendOfASendStillWaitingItsTurnSharesItsStoreCallAndIsAnsweredToo() {
        log.failures().slow(timers, SLOW);
        inbound.arrive(send("m0", "hello"));
        inbound.arrive(send("m1", "there"));
        // m0 is being stored, m1 waits its turn: the client gives up on both and writes them again, twice.
        timers.advance(Duration.ofSeconds(1));
        inbound.arrive(send("m0", "hello"));
        inbound.arrive(send("m1", "there"));
        timers.advance(Duration.ofSeconds(1));
        inbound.arrive(send("m1", "there"));

        settle();

        assertEquals(1, log.appendCalls("ann", "m0"), "m0's resend shared the call in flight");
        assertEquals(1, log.appendCalls("ann", "m1"), "m1's resends shared its call (it was waiting)");
        assertEquals(List.of("ack m0", "ack m0", "ack m1", "ack m1", "ack m1"), answers(), "one answer per frame");
        assertEquals(2, log.size());
    }

    @Test
    void aSendWithTheSameIdAndOtherContentIsNotTakenForAResend() {
        log.failures().slow(timers, SLOW);
        inbound.arrive(send("m0", "hello"));
        inbound.arrive(send("m0", "something else"));

        settle();

        assertEquals(2, log.appendCalls("ann", "m0"), "each content asked the store");
        List<String> answers = answers();
        assertEquals(2, answers.size(), answers.toString());
        assertEquals("ack m0", answers.get(0));
        assertNotEquals("ack m0", answers.get(1), "another body under a stored ID is refused: " + answers);
    }

    @Test
    void aResendAfterItsOriginalWasAnsweredIsStoredAgainAndAckedAgain() {
        inbound.arrive(send("m0", "hello"));
        inbound.arrive(send("m0", "hello"));

        settle();

        assertEquals(2, log.appendCalls("ann", "m0"), "an answered send is not waiting: its resend asks the store");
        assertEquals(List.of("ack m0", "ack m0"), answers());
        assertEquals(1, log.size());
    }

    private static String send(String id, String body) {
        return "{\"type\":\"send\",\"id\":\"" + id + "\",\"to\":\"bob\",\"body\":\"" + body + "\"}";
    }

    /** Moves the fake clock until no store call is left (bounded: 60 s of it). */
    private void settle() {
        for (int step = 0; step < 600; step++) {
            timers.advance(Duration.ofMillis(100));
        }
    }

    /** The answers to ann's sends, in order: "ack ID", or the error's code and ID. */
    private List<String> answers() {
        List<String> out = new ArrayList<>();
        for (JsonNode f : HandlerSockets.frames(node, "ann")) {
            String type = f.path("type").asText();
            if (type.equals("ack")) {
                out.add("ack " + f.path("id").asText());
            } else if (type.equals("error")) {
                out.add(f.path("code").asText() + " " + f.path("id").asText());
            }
        }
        return out;
    }
}

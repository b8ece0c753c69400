package dev.chat.node.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.chat.node.delivery.TestNode;
import dev.chat.node.testing.EmbeddedConnection;
import dev.chat.node.testing.FakeTime;
import dev.chat.node.testing.FakeTimers;
import dev.chat.node.testing.MemoryBroker;
import dev.chat.node.testing.MemoryMessageLog;
import dev.chat.node.testing.MemoryPresence;
import dev.chat.node.testing.Settings;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.mutiny.Uni;

/**
 * {@link ChatSocket}'s frames while the store is frozen (issue 14: SIGSTOP PostgreSQL, every send answered
 * {@code unavailable} within 3 s), at the handler, on in-memory seams: the message log answers nothing until the
 * node's bound on a store call (2 s) has passed, then fails, as PostgreSQL behind {@code postgres.PostgresCalls}
 * does. Frames reach the handler as WebSockets Next hands them over in its serial mode: the next one only once the
 * handler's answer for the previous one completed. Time is a fake clock moved by the test.
 */
class FrozenStoreFramesTest {
    private static final Duration BOUND = Duration.ofSeconds(2);
    /**
     * The latest an answer may come here: the socket's answer bound (1.5 s), the store having been silent since
     * before the first frame; nothing waiting for another frame.
     */
    private static final Duration ANSWERED_WITHIN = Duration.ofMillis(1500);

    private final FakeTime time = new FakeTime();
    private final FakeTimers timers = new FakeTimers(time);
    private final MemoryMessageLog log = new MemoryMessageLog().accounts("ann", "bob");
    private final TestNode node = new TestNode("node-1", log, new MemoryBroker.Hub(), new MemoryPresence.PresenceMap(),
            time, Settings.limits(20, 60, 2000)).connect("ann", 1);
    private final ChatSocket socket = socket();
    private final WebSocketConnection connection = EmbeddedConnection.of("c1", UpgradeChecks.USER, "ann");
    private final SerialFrames inbound = new SerialFrames(text -> socket.text(text, connection));

    private ChatSocket socket() {
        // The log is frozen from the test's first step: nothing has answered since.
        long frozenAt = time.nanos();
        return HandlerSockets.on(node, time, timers, () -> (time.nanos() - frozenAt) / 1_000_000);
    }

    @Test
    void everySendIsAnsweredWithinTheStoreBoundHoweverManyFramesTheSocketSentBeforeIt() {
        log.failures().freeze(timers, BOUND);
        Map<String, Long> sentAt = new LinkedHashMap<>();
        for (int i = 0; i < 5; i++) {
            String id = "m" + i;
            sentAt.put(id, time.nanos());
            inbound.arrive("{\"type\":\"send\",\"id\":\"" + id + "\",\"to\":\"bob\",\"body\":\"hello\"}");
            // The socket also acks what it was pushed before the freeze: each ack is a store call too.
            inbound.arrive("{\"type\":\"ack\",\"id\":\"old" + i + "\"}");
            inbound.arrive("{\"type\":\"ack\",\"id\":\"older" + i + "\"}");
        }

        Map<String, Long> answeredAt = new LinkedHashMap<>();
        for (int step = 0; step < 300 && answeredAt.size() < sentAt.size(); step++) {
            timers.advance(Duration.ofMillis(100));
            for (JsonNode f : frames()) {
                String id = f.path("id").asText();
                if (sentAt.containsKey(id) && !answeredAt.containsKey(id)) {
                    answeredAt.put(id, time.nanos());
                }
            }
        }

        assertEquals(sentAt.keySet(), answeredAt.keySet(), "every send was answered");
        List<String> late = new ArrayList<>();
        sentAt.forEach((id, at) -> {
            long waited = answeredAt.get(id) - at;
            if (waited > ANSWERED_WITHIN.toNanos()) {
                late.add(id + " after " + waited / 1_000_000 + " ms");
            }
        });
        assertEquals(List.of(), late, "sends answered later than " + ANSWERED_WITHIN.toMillis() + " ms");
        for (JsonNode f : frames()) {
            if (sentAt.containsKey(f.path("id").asText())) {
                assertEquals("unavailable", f.path("code").asText(), "a frozen store acks nothing: " + f);
            }
        }
        assertTrue(log.size() == 0, "nothing was stored while frozen");
    }

    /**
     * The answer does not wait out the store call's own bound: a send is answered {@code unavailable} by the
     * socket's answer bound (1.5 s, under the store's 2 s), so what a loaded machine adds to it (timers and event
     * loops running late, the frame's way through the proxy) still fits the 3-s target with a second to spare.
     */
    @Test
    void aSendIsAnsweredBeforeTheStoreCallsOwnBoundRunsOut() {
        log.failures().freeze(timers, BOUND);
        long sentAt = time.nanos();
        inbound.arrive("{\"type\":\"send\",\"id\":\"m0\",\"to\":\"bob\",\"body\":\"hello\"}");

        long answeredAt = -1;
        for (int step = 0; step < 50 && answeredAt < 0; step++) {
            timers.advance(Duration.ofMillis(100));
            for (JsonNode f : frames()) {
                if ("m0".equals(f.path("id").asText())) {
                    assertEquals("unavailable", f.path("code").asText(), "a frozen store acks nothing: " + f);
                    answeredAt = time.nanos();
                }
            }
        }

        assertTrue(answeredAt >= 0, "the send was answered");
        long waited = (answeredAt - sentAt) / 1_000_000;
        assertTrue(waited < BOUND.toMillis(), "answered after " + waited + " ms, not before the store's own bound of "
                + BOUND.toMillis() + " ms");
    }

    private List<JsonNode> frames() {
        return HandlerSockets.frames(node, "ann");
    }

    /**
     * WebSockets Next's serial inbound processing ({@code InboundProcessingMode.SERIAL}, the default): a socket's
     * frames wait in arrival order, and the next is handed to the handler only once the {@link Uni} it answered for
     * the previous one completed.
     */
    static final class SerialFrames {
        private final Function<String, Uni<Void>> handler;
        private final ArrayDeque<String> waiting = new ArrayDeque<>();
        private boolean busy;

        SerialFrames(Function<String, Uni<Void>> handler) {
            this.handler = handler;
        }

        void arrive(String text) {
            waiting.add(text);
            next();
        }

        /** Hands over the next frame unless one is being handled (recursion is bounded by the frames waiting). */
        private void next() {
            if (busy || waiting.isEmpty()) {
                return;
            }
            busy = true;
            handler.apply(waiting.poll()).subscribe().with(x -> finished(), e -> finished());
        }

        private void finished() {
            busy = false;
            next();
        }
    }
}

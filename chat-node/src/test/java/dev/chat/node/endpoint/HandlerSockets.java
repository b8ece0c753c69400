package dev.chat.node.endpoint;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.chat.node.delivery.TestNode;
import dev.chat.node.postgres.StoreSilence;
import dev.chat.node.protocol.FrameReader;
import dev.chat.node.protocol.ServerFrames;
import dev.chat.node.sockets.TestFrameRates;
import dev.chat.node.testing.FakeTime;
import dev.chat.node.testing.FakeTimers;
import dev.chat.node.testing.Settings;

/** {@link ChatSocket} wired to a {@link TestNode}'s in-memory seams and a fake clock, as the handler tests use it. */
final class HandlerSockets {
    static final ObjectMapper JSON = new ObjectMapper();

    private HandlerSockets() {
    }

    /** The handler on {@code node}, its timers and frame rates on {@code time}, the store's silence as given. */
    static ChatSocket on(TestNode node, FakeTime time, FakeTimers timers, StoreSilence silence) {
        ChatSocket s = new ChatSocket();
        s.delivery = node.delivery;
        s.reader = new FrameReader(JSON, 4000);
        s.frames = new ServerFrames(JSON);
        s.out = node.sockets;
        s.rate = TestFrameRates.of(time);
        s.timers = timers::after;
        s.limits = Settings.sockets();
        s.time = time;
        s.silence = silence;
        return s;
    }

    /** The frames written to {@code user}'s sockets so far, parsed. */
    static List<JsonNode> frames(TestNode node, String user) {
        List<JsonNode> out = new ArrayList<>();
        for (String f : node.sockets.frames(user)) {
            try {
                out.add(JSON.readTree(f));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
        return out;
    }
}

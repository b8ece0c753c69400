package dev.chat.loadgen.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

class BusiestCommandTest {
    @Test
    void theNodeWithTheMostSocketsIsPickedAndASilentOneCountsZero() {
        Map<String, String> texts = new LinkedHashMap<>();
        texts.put("chat-node-1", "chat_sockets_open 12.0\n");
        texts.put("chat-node-2", "");
        texts.put("chat-node-3", "# TYPE chat_sockets_open gauge\nchat_sockets_open 17.0\n");
        assertEquals(Map.entry("chat-node-3", 17L), BusiestCommand.pick(texts, "chat_sockets_open"));
    }

    @Test
    void ofEqualsTheFirstNamedWins() {
        Map<String, String> texts = new LinkedHashMap<>();
        texts.put("chat-node-1", "");
        texts.put("chat-node-2", "");
        assertEquals(Map.entry("chat-node-1", 0L), BusiestCommand.pick(texts, "chat_sockets_open"));
    }
}

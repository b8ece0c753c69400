package dev.chat.system;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * The client module ({@code chat-client.js}, as the chat nodes serve it through HAProxy) in a real browser,
 * against a fake WebSocket with short intervals: message IDs, retries with the same ID until acked, an ack
 * for every received message, duplicates dropped across reconnects, backoff with jitter, the heartbeat,
 * giving up and retrying, error codes, expired and refused tokens, and what survives a reload. The checks
 * are in {@code chat-client-spec.js}.
 */
@ResourceLock(Lanes.SHARED_STACK)
class ChatClientModuleTest {
    @Test
    void theClientModuleKeepsTheContract() throws IOException {
        LocalStack stack = LocalStack.shared();
        String spec;
        try (InputStream in = ChatClientModuleTest.class.getResourceAsStream("/chat-client-spec.js")) {
            spec = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try (WebBrowser b = WebBrowser.open("client-module", WebBrowser.DESKTOP)) {
            b.get(stack.baseUrl() + "/");
            Object result = b.jsAsync("const done = arguments[arguments.length - 1];"
                    + " import('/chat-client.js').then(mod => (async (mod) => {" + spec + "})(mod))"
                    + " .then(done, e => done(['could not run: ' + e]));");
            assertEquals(List.of(), result, "the client module broke its contract:\n" + result + "\n" + b.consoleLog());
        }
    }
}

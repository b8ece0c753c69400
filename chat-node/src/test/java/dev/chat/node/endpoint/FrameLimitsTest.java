package dev.chat.node.endpoint;

import static dev.chat.node.TestAccounts.create;
import static dev.chat.node.TestAccounts.token;
import static dev.chat.testing.ChatClient.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.chat.node.TestAccounts;
import dev.chat.node.sockets.LocalSockets;
import dev.chat.testing.ChatClient;
import dev.chat.testing.Poll;
import dev.chat.testing.quarkus.JwtKeysResource;
import dev.chat.testing.quarkus.PostgresResource;
import dev.chat.testing.quarkus.RedisResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Every frame type is rate-limited, not only sends, and one user's sockets on a node are capped (issue 19), at the
 * defaults of application.properties (100 frames a second, bursts of 1,000; 16 sockets).
 */
@QuarkusTest
@Tag("quarkus")
@WithTestResource(PostgresResource.class)
@WithTestResource(RedisResource.class)
@WithTestResource(JwtKeysResource.class)
class FrameLimitsTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** Far past a burst and the refusals' budget (2,000 frames) even if the node serves 100 more a second. */
    private static final int MAX_PINGS = 50_000;

    @TestHTTPResource("/ws/chat")
    URI http;

    @Inject
    LocalSockets sockets;

    @BeforeAll
    static void accounts() {
        TestAccounts.ensureTable();
    }

    private URI ws() {
        return URI.create(http.toString().replaceFirst("^http", "ws"));
    }

    /** Two other users of the node still chat: a message from {@code a} to {@code bob} is acked and arrives. */
    private static void othersStillChat(ChatClient a, ChatClient b, String bob) {
        String id = UUID.randomUUID().toString();
        a.sendMessage(id, bob, "still here");
        a.await(frame("ack", id), WAIT);
        b.await(frame("msg", id), WAIT);
    }

    @Test
    void pingsPastTheRateAreRefusedAndAFloodIsClosedWhileOthersChat() {
        String flooder = create("pingflood");
        String ann = create("ann");
        String bob = create("bob");
        try (ChatClient f = ChatClient.connect(ws(), token(flooder)); ChatClient a = ChatClient.connect(ws(), token(ann));
                ChatClient b = ChatClient.connect(ws(), token(bob))) {
            for (int i = 0; i < MAX_PINGS && f.isOpen(); i++) {
                try {
                    f.send("{\"type\":\"ping\",\"id\":\"p" + i + "\"}");
                } catch (IllegalStateException closed) {
                    break;
                }
            }
            assertEquals(1008, f.awaitClose(WAIT), "the documented close code of a flood");
            JsonNode refused = f.await(fr -> "error".equals(fr.path("type").asText())
                    && "rate_limited".equals(fr.path("code").asText()), WAIT);
            assertTrue(refused.path("retryAfterMs").asLong() > 0, refused.toString());
            assertTrue(f.count(ChatClient.type("pong")) >= 1000, "a burst of pings was answered");

            othersStillChat(a, b, bob);
            a.send("{\"type\":\"ping\",\"id\":\"a-ping\"}");
            a.await(frame("pong", "a-ping"), WAIT);
        }
    }

    /**
     * A frame over {@code quarkus.websockets-next.server.max-message-size} (64 KiB) closes its socket with the close
     * code docs/protocol.md gives for it ({@code CloseCode.TOO_BIG}, 1009), and only that socket.
     */
    @Test
    void aFrameOverTheSizeLimitClosesItsSocketWithTheDocumentedCode() {
        String big = create("bigframe");
        String ann = create("ann");
        String bob = create("bob");
        try (ChatClient x = ChatClient.connect(ws(), token(big)); ChatClient a = ChatClient.connect(ws(), token(ann));
                ChatClient b = ChatClient.connect(ws(), token(bob))) {
            x.send("{\"type\":\"send\",\"id\":\"big\",\"to\":\"" + bob + "\",\"body\":\"" + "x".repeat(70_000) + "\"}");
            assertEquals(dev.chat.node.protocol.CloseCode.TOO_BIG.status(), x.awaitClose(WAIT), "the documented close code");
            othersStillChat(a, b, bob);
        }
    }

    @Test
    void aUserMayHoldSixteenSocketsOnANodeAndTheNextUpgradeIsRefused429() {
        String user = create("manytabs");
        List<ChatClient> open = new ArrayList<>();
        try {
            for (int i = 0; i < 16; i++) {
                open.add(ChatClient.connect(ws(), token(user)));
            }
            Poll.until(WAIT, () -> sockets.count(user), n -> n == 16, n -> n + " sockets of the user");
            assertEquals(Optional.of(429), ChatClient.refusal(ws(), "Bearer " + token(user)));

            open.remove(0).close();
            Poll.until(WAIT, () -> sockets.count(user), n -> n == 15, n -> n + " sockets of the user");
            try (ChatClient again = ChatClient.connect(ws(), token(user))) {
                again.send("{\"type\":\"ping\",\"id\":\"again\"}");
                again.await(frame("pong", "again"), WAIT);
            }
        } finally {
            open.forEach(ChatClient::close);
        }
    }
}

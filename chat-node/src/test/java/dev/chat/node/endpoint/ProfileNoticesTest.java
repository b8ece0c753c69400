package dev.chat.node.endpoint;

import static dev.chat.testing.ChatClient.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.chat.node.TestAccounts;
import dev.chat.testing.ChatClient;
import dev.chat.testing.quarkus.JwtKeysResource;
import dev.chat.testing.quarkus.PostgresResource;
import dev.chat.testing.quarkus.RedisResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A changed display name (user-service's row, stamped) is told to the sockets of those who share a conversation
 * with the person and to the person's own, as a {@code profile} frame; a stranger's socket gets none.
 */
@QuarkusTest
@Tag("quarkus")
@WithTestResource(PostgresResource.class)
@WithTestResource(RedisResource.class)
@WithTestResource(JwtKeysResource.class)
class ProfileNoticesTest {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final AtomicInteger SEQ = new AtomicInteger();

    @TestHTTPResource("/ws/chat")
    URI http;

    @BeforeAll
    static void tables() {
        TestAccounts.ensureTable();
        TestAccounts.ensureProfiles();
    }

    private URI ws() {
        return URI.create(http.toString().replaceFirst("^http", "ws"));
    }

    private static boolean isProfile(JsonNode f) {
        return "profile".equals(f.path("type").asText());
    }

    @Test
    void aRenameIsToldToThePersonsContactsAndNotToStrangers() {
        int n = SEQ.incrementAndGet();
        String ada = TestAccounts.create("ada_" + n);
        String bob = TestAccounts.create("bob_" + n);
        String eve = TestAccounts.create("eve_" + n);
        try (ChatClient a = ChatClient.connect(ws(), TestAccounts.token(ada));
                ChatClient b = ChatClient.connect(ws(), TestAccounts.token(bob));
                ChatClient e = ChatClient.connect(ws(), TestAccounts.token(eve))) {
            String m = UUID.randomUUID().toString();
            b.sendMessage(m, ada, "hello Ada"); // bob and ada now share a conversation; eve shares nothing
            b.await(frame("ack", m), WAIT);
            a.await(frame("msg", m), WAIT);

            TestAccounts.rename(ada, "Ada L.");
            JsonNode told = b.await(f -> isProfile(f) && ada.equals(f.path("user").asText()), WAIT);
            assertEquals("Ada L.", told.path("displayName").asText());
            assertFalse(told.has("avatar"), "no avatar set: left out, as in user objects");
            a.await(f -> isProfile(f) && ada.equals(f.path("user").asText()), WAIT); // her own other devices

            // The frames of one look are written together: a stranger's would be before the answer to this ping.
            e.send("{\"type\":\"ping\",\"id\":\"p1\"}");
            e.await(frame("pong", "p1"), WAIT);
            assertTrue(e.frames().stream().noneMatch(ProfileNoticesTest::isProfile),
                    "a stranger is not told: " + e.frames());
        }
    }
}

package dev.chat.node.endpoint;

import static dev.chat.testing.ChatClient.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.chat.node.TestAccounts;
import dev.chat.testing.ChatClient;
import dev.chat.testing.quarkus.JwtKeysResource;
import dev.chat.testing.quarkus.PostgresResource;
import dev.chat.testing.quarkus.RedisResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A revoked session (its row in user-service's sessions table) ends its sockets within about a second, and its
 * tokens open and renew no socket; the same user's other sessions are untouched.
 */
@QuarkusTest
@Tag("quarkus")
@WithTestResource(PostgresResource.class)
@WithTestResource(RedisResource.class)
@WithTestResource(JwtKeysResource.class)
class SessionRevocationTest {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final AtomicInteger SEQ = new AtomicInteger();

    @TestHTTPResource("/ws/chat")
    URI http;

    @BeforeAll
    static void tables() {
        TestAccounts.ensureTable();
        TestAccounts.ensureSessionsTable();
    }

    private URI ws() {
        return URI.create(http.toString().replaceFirst("^http", "ws"));
    }

    @Test
    void revokingASessionClosesItsSocketsAndRefusesItsTokens() {
        String alice = TestAccounts.create("alice_" + SEQ.incrementAndGet());
        String laptop = TestAccounts.session(alice);
        String phone = TestAccounts.session(alice);
        try (ChatClient a = ChatClient.connect(ws(), TestAccounts.token(alice, laptop));
                ChatClient b = ChatClient.connect(ws(), TestAccounts.token(alice, phone))) {
            a.send("{\"type\":\"ping\",\"id\":\"p1\"}");
            a.await(frame("pong", "p1"), WAIT);
            TestAccounts.revoke(laptop);
            assertEquals(1008, a.awaitClose(WAIT), "the revoked session's socket closed with 1008");
            assertTrue(b.isOpen(), "the other session's socket stays open");
            String m = UUID.randomUUID().toString();
            b.sendMessage(m, alice, "to myself");
            b.await(frame("ack", m), WAIT);

            // The revoked session's tokens open no socket and renew none.
            assertEquals(Optional.of(401), ChatClient.refusal(ws(), "Bearer " + TestAccounts.token(alice, laptop)));
            b.send("{\"type\":\"reauth\",\"id\":\"r1\",\"token\":\"" + TestAccounts.token(alice, laptop) + "\"}");
            b.await(f -> "error".equals(f.path("type").asText()) && "r1".equals(f.path("id").asText())
                    && "bad_token".equals(f.path("code").asText()), WAIT);
            b.send("{\"type\":\"reauth\",\"id\":\"r2\",\"token\":\"" + TestAccounts.token(alice, phone) + "\"}");
            b.await(frame("reauthed", "r2"), WAIT);
        }
    }
}

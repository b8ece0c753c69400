package dev.chat.node.endpoint;

import static dev.chat.testing.ChatClient.frame;
import static dev.chat.testing.ChatClient.type;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.chat.node.TestAccounts;
import dev.chat.testing.ChatClient;
import dev.chat.testing.Poll;
import dev.chat.testing.quarkus.JwtKeysResource;
import dev.chat.testing.quarkus.PostgresResource;
import dev.chat.testing.quarkus.RedisResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.jwt.build.Jwt;

/**
 * The {@code reauth} frame: a socket renewed with a fresh token of its own user outlives its first token's expiry;
 * a token of another user, or not a valid one, is refused with an error frame and the socket is still closed at
 * its old expiry.
 */
@QuarkusTest
@Tag("quarkus")
@WithTestResource(PostgresResource.class)
@WithTestResource(RedisResource.class)
@WithTestResource(JwtKeysResource.class)
class ReauthTest {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final AtomicInteger SEQ = new AtomicInteger();

    @TestHTTPResource("/ws/chat")
    URI http;

    @BeforeAll
    static void accountsTable() {
        TestAccounts.ensureTable();
    }

    private URI ws() {
        return URI.create(http.toString().replaceFirst("^http", "ws"));
    }

    private static String user(String prefix) {
        return TestAccounts.create(prefix + "_" + SEQ.incrementAndGet());
    }

    /** A token of {@code user} expiring {@code seconds} from now (whole seconds, as exp is). */
    private static String tokenFor(String user, long seconds) {
        return Jwt.upn(user).issuer("chat").groups("user").expiresIn(seconds).sign();
    }

    private static String reauth(String id, String token) {
        return "{\"type\":\"reauth\",\"id\":\"" + id + "\",\"token\":\"" + token + "\"}";
    }

    private static Predicate<JsonNode> error(String id, String code) {
        return f -> "error".equals(f.path("type").asText()) && id.equals(f.path("id").asText())
                && code.equals(f.path("code").asText());
    }

    /** Waits until the clock is past {@code epochSecond} plus the expiry check's second and one more. */
    private static void awaitPast(long epochSecond) {
        Poll.until(WAIT, () -> Instant.now().getEpochSecond(), now -> now > epochSecond + 2,
                now -> "clock stuck at " + now);
    }

    @Test
    void aRenewedSocketOutlivesItsFirstTokensExpiry() {
        String alice = user("alice");
        String bob = user("bob");
        // Long enough for a loaded machine to open the socket and answer the first frame before it runs out.
        long firstExp = Instant.now().getEpochSecond() + 8;
        try (ChatClient a = ChatClient.connect(ws(), tokenFor(alice, 8));
                ChatClient b = ChatClient.connect(ws(), TestAccounts.token(bob))) {
            a.send(reauth("r1", tokenFor(alice, 600)));
            JsonNode renewed = a.await(frame("reauthed", "r1"), WAIT);
            assertTrue(Instant.now().getEpochSecond() < firstExp, "renewed before the first token ran out");
            long exp = renewed.get("exp").asLong();
            assertTrue(exp >= firstExp + 590, "the new expiry is the new token's: " + exp);

            awaitPast(firstExp);
            assertTrue(a.isOpen(), "renewed: not closed at the first token's expiry");
            String m = UUID.randomUUID().toString();
            a.sendMessage(m, bob, "still here");
            a.await(frame("ack", m), WAIT);
            b.await(frame("msg", m), WAIT);
        }
    }

    @Test
    void anotherUsersTokenIsRefusedAndTheSocketClosesAtItsOldExpiry() {
        String alice = user("alice");
        String mallory = user("mallory");
        try (ChatClient a = ChatClient.connect(ws(), tokenFor(alice, 4))) {
            a.send(reauth("r2", tokenFor(mallory, 600)));
            a.await(error("r2", "wrong_user"), WAIT);
            assertEquals(1008, a.awaitClose(WAIT), "closed at the old expiry with 1008");
        }
    }

    /**
     * Tokens name their account by id ({@code sub}) as well as by name (issue 17): a deleted account's name may go to
     * someone new, so a token of another account of the same name renews nothing.
     */
    @Test
    void aTokenOfAnotherAccountOfTheSameNameRenewsNothing() {
        String alice = user("alice");
        long id = TestAccounts.id(alice);
        String session = TestAccounts.session(alice);
        String otherAccount = TestAccounts.token(alice, id + 1_000_000, session);
        try (ChatClient a = ChatClient.connect(ws(), TestAccounts.token(alice, id, session))) {
            a.send(reauth("r7", otherAccount));
            a.await(error("r7", "wrong_user"), WAIT);
            a.send(reauth("r8", TestAccounts.token(alice, id, session)));
            a.await(frame("reauthed", "r8"), WAIT);
        }
        // A socket whose token named no account id: the new token's id must still hold the name.
        try (ChatClient a = ChatClient.connect(ws(), tokenFor(alice, 600))) {
            a.send(reauth("r9", otherAccount));
            a.await(error("r9", "bad_token"), WAIT);
            assertEquals(0, a.count(type("reauthed")));
        }
        assertEquals(java.util.Optional.of(401), ChatClient.refusal(ws(), "Bearer " + otherAccount),
                "nor does it open a socket");
    }

    @Test
    void anInvalidTokenIsRefusedAndTheSocketStaysOpenUntilItsOldExpiry() {
        String alice = user("alice");
        String expired = Jwt.upn(alice).issuer("chat").groups("user").issuedAt(Instant.now().minusSeconds(7200))
                .expiresAt(Instant.now().minusSeconds(3600)).sign();
        String otherIssuer = Jwt.upn(alice).issuer("someone-else").groups("user").expiresIn(600).sign();
        try (ChatClient a = ChatClient.connect(ws(), TestAccounts.token(alice))) {
            a.send(reauth("r3", expired));
            a.await(error("r3", "bad_token"), WAIT);
            a.send(reauth("r4", otherIssuer));
            a.await(error("r4", "bad_token"), WAIT);
            a.send(reauth("r5", "not.a.jwt"));
            a.await(error("r5", "bad_token"), WAIT);
            a.send("{\"type\":\"reauth\",\"id\":\"r6\"}");
            a.await(error("r6", "bad_frame"), WAIT);
            // Still open and working: a ping is answered.
            a.send("{\"type\":\"ping\",\"id\":\"p1\"}");
            a.await(frame("pong", "p1"), WAIT);
            assertEquals(0, a.count(type("reauthed")));
        }
    }
}

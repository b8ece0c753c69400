package dev.chat.node.it;

import static dev.chat.testing.ChatClient.frame;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.chat.testing.ChatClient;
import dev.chat.testing.TestKeys;
import dev.chat.testing.quarkus.JwtKeysResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;

/**
 * Smoke test of the packaged node (the JAR here, the native executable with -Dnative): ready with its
 * database and Redis, refuses an upgrade without a token, and carries one message from socket to socket
 * (stored, acked to the sender, routed through Redis, pushed to the recipient).
 */
@QuarkusIntegrationTest
@WithTestResource(ItServices.class)
@WithTestResource(JwtKeysResource.class)
class ChatNodeIT {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TestHTTPResource("/ws/chat")
    URI http;

    @Test
    void readyThenAMessageFromSocketToSocket() {
        // The packaged service serves health and metrics on its management port only (quarkus.management.*, a
        // random one here): its public port refuses them, however the path is spelled.
        given().when().get("/q/health/ready").then().statusCode(404);
        given().when().get("/q/metrics").then().statusCode(404);

        URI ws = URI.create(http.toString().replaceFirst("^http", "ws"));
        assertEquals(Optional.of(401), ChatClient.refusal(ws, null));

        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String alice = "it_alice_" + suffix;
        String bob = "it_bob_" + suffix;
        ItServices.createAccount(alice);
        ItServices.createAccount(bob);
        try (ChatClient a = ChatClient.connect(ws, token(alice)); ChatClient b = ChatClient.connect(ws, token(bob))) {
            String id = UUID.randomUUID().toString();
            a.sendMessage(id, bob, "hello from the packaged node");
            a.await(frame("ack", id), WAIT);
            // Routed at once when Bob's socket is already in the presence map, else by the sweep.
            JsonNode got = b.await(frame("msg", id), WAIT);
            assertEquals(alice, got.get("from").asText());
            assertEquals("hello from the packaged node", got.get("body").asText());
        }
    }

    /** An RS256 token as user-service issues it, signed with the key the node verifies against. */
    private static String token(String user) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        long now = System.currentTimeMillis() / 1000;
        String header = b64.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        String claims = b64.encodeToString(("{\"iss\":\"chat\",\"sub\":\"" + user + "\",\"upn\":\"" + user
                + "\",\"groups\":[\"user\"],\"iat\":" + (now - 5) + ",\"exp\":" + (now + 600) + ",\"jti\":\""
                + UUID.randomUUID() + "\"}").getBytes(StandardCharsets.UTF_8));
        try {
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initSign(TestKeys.shared().pair().getPrivate());
            rsa.update((header + "." + claims).getBytes(StandardCharsets.US_ASCII));
            return header + "." + claims + "." + b64.encodeToString(rsa.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}

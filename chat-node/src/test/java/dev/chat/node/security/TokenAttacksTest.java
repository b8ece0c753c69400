package dev.chat.node.security;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.chat.node.TestAccounts;
import dev.chat.testing.ChatClient;
import dev.chat.testing.TestKeys;
import dev.chat.testing.quarkus.JwtKeysResource;
import dev.chat.testing.quarkus.PostgresResource;
import dev.chat.testing.quarkus.RedisResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Forged tokens, each refused at the upgrade (401 before any frame) and at the REST API: the attacks a chat
 * node must survive while it verifies tokens with nothing but user-service's public key.
 */
@QuarkusTest
@Tag("quarkus")
@WithTestResource(PostgresResource.class)
@WithTestResource(RedisResource.class)
@WithTestResource(JwtKeysResource.class)
class TokenAttacksTest {
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    @TestHTTPResource("/ws/chat")
    URI http;

    @BeforeAll
    static void accounts() {
        TestAccounts.ensureTable();
    }

    private URI ws() {
        return URI.create(http.toString().replaceFirst("^http", "ws"));
    }

    /** A token's claims for {@code user}, whose account id ({@code sub}) the socket upgrade checks too. */
    private static String claims(String user) {
        long now = Instant.now().getEpochSecond();
        return "{\"iss\":\"chat\",\"upn\":\"" + user + "\",\"sub\":\"" + TestAccounts.id(user)
                + "\",\"groups\":[\"user\"],\"iat\":" + now
                + ",\"exp\":" + (now + 600) + "}";
    }

    private static String b64(String s) {
        return B64.encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String rs256(String header, String payload, PrivateKey key) throws Exception {
        String signingInput = b64(header) + "." + b64(payload);
        Signature sig = Signature.getInstance("SHA256withRSA");
        sig.initSign(key);
        sig.update(signingInput.getBytes(StandardCharsets.US_ASCII));
        return signingInput + "." + B64.encodeToString(sig.sign());
    }

    private void refused(String token) {
        assertEquals(Optional.of(401), ChatClient.refusal(ws(), "Bearer " + token), token);
        given().auth().oauth2(token).get("/api/conversations").then().statusCode(401);
    }

    @Test
    void aProperlySignedTokenIsAcceptedSoTheRefusalsBelowMeanSomething() throws Exception {
        String alice = TestAccounts.create("alice");
        String token = rs256("{\"alg\":\"RS256\",\"typ\":\"JWT\"}", claims(alice), TestKeys.shared().pair().getPrivate());
        assertEquals(Optional.empty(), ChatClient.refusal(ws(), "Bearer " + token));
    }

    @Test
    void algNoneIsRefused() {
        String alice = TestAccounts.create("alice");
        refused(b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + b64(claims(alice)) + ".");
    }

    @Test
    void hs256SignedWithThePublicKeyAsSecretIsRefused() throws Exception {
        String alice = TestAccounts.create("alice");
        byte[] publicPem = Files.readAllBytes(TestKeys.shared().publicKey());
        String signingInput = b64("{\"alg\":\"HS256\",\"typ\":\"JWT\"}") + "." + b64(claims(alice));
        for (byte[] secret : new byte[][] {publicPem, TestKeys.shared().pair().getPublic().getEncoded()}) {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            refused(signingInput + "." + B64.encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII))));
        }
    }

    @Test
    void aTokenSignedWithAnotherKeyIsRefused() throws Exception {
        String alice = TestAccounts.create("alice");
        KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(2048);
        KeyPair other = gen.generateKeyPair();
        refused(rs256("{\"alg\":\"RS256\",\"typ\":\"JWT\"}", claims(alice), other.getPrivate()));
    }

    @Test
    void aTamperedPayloadIsRefused() throws Exception {
        String alice = TestAccounts.create("alice");
        String bob = TestAccounts.create("bob");
        String valid = rs256("{\"alg\":\"RS256\",\"typ\":\"JWT\"}", claims(alice), TestKeys.shared().pair().getPrivate());
        String[] parts = valid.split("\\.");
        refused(parts[0] + "." + b64(claims(bob)) + "." + parts[2]);
    }

    @Test
    void anExpiredOrNotYetIssuedOrForeignIssuerTokenIsRefused() throws Exception {
        String alice = TestAccounts.create("alice");
        long now = Instant.now().getEpochSecond();
        PrivateKey key = TestKeys.shared().pair().getPrivate();
        String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\"}";
        refused(rs256(header, "{\"iss\":\"chat\",\"upn\":\"" + alice + "\",\"iat\":" + (now - 7200) + ",\"exp\":"
                + (now - 3600) + "}", key));
        refused(rs256(header, "{\"iss\":\"evil\",\"upn\":\"" + alice + "\",\"iat\":" + now + ",\"exp\":" + (now + 600)
                + "}", key));
        refused(rs256(header, "{\"iss\":\"chat\",\"upn\":\"" + alice + "\",\"iat\":" + now + "}", key));
    }
}

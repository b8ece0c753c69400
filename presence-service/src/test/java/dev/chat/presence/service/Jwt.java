package dev.chat.presence.service;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Base64;
import java.util.UUID;

import dev.chat.testing.TestKeys;

/**
 * Mints RS256 tokens as user-service does, with the JDK alone: keeps a signing extension out of this
 * verify-only service and lets tests forge the bad tokens it must refuse.
 */
final class Jwt {
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private Jwt() {
    }

    /** A valid token for {@code user}, signed with the key the service verifies against. */
    static String valid(String user) {
        return sign(TestKeys.shared().pair().getPrivate(), "chat", user, now() + 3600);
    }

    static String bearer(String user) {
        return "Bearer " + valid(user);
    }

    /** A valid token of an operator account (the {@code operator} group, as user-service issues it). */
    static String operatorBearer(String user) {
        return "Bearer " + sign(TestKeys.shared().pair().getPrivate(), "chat", user, now() + 3600,
                ",\"groups\":[\"user\",\"operator\"]");
    }

    static String sign(PrivateKey key, String issuer, String user, long expiresAt) {
        return sign(key, issuer, user, expiresAt, ",\"groups\":[\"user\"]");
    }

    private static String sign(PrivateKey key, String issuer, String user, long expiresAt, String groups) {
        String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\"}";
        long iat = Math.min(now(), expiresAt - 60);
        String claims = "{\"iss\":\"" + issuer + "\",\"sub\":\"" + user + "\",\"upn\":\"" + user
                + "\",\"iat\":" + iat + ",\"exp\":" + expiresAt + ",\"jti\":\"" + UUID.randomUUID() + "\"" + groups + "}";
        String signingInput = b64(header) + "." + b64(claims);
        try {
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initSign(key);
            rsa.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + B64.encodeToString(rsa.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static long now() {
        return System.currentTimeMillis() / 1000;
    }

    private static String b64(String json) {
        return B64.encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }
}

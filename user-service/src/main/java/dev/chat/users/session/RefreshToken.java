package dev.chat.users.session;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

import io.vertx.core.buffer.Buffer;

/**
 * A refresh token: 256 random bits, base64url, handed to the client once; the server keeps only its SHA-256
 * ({@link #hash}). A token this guessable-proof needs no slow hash: there is no dictionary to try.
 */
public record RefreshToken(String value, long expiresAt) {
    private static final SecureRandom RANDOM = new SecureRandom();

    static RefreshToken generate(long expiresAt) {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return new RefreshToken(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes), expiresAt);
    }

    /** The SHA-256 of the token, as PostgreSQL's bytea takes it. */
    Buffer hash() {
        return hash(value);
    }

    static Buffer hash(String value) {
        try {
            return Buffer.buffer(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    @Override
    public String toString() {
        // Keeps the token out of logs and exception messages.
        return "RefreshToken[expiresAt=" + expiresAt + "]";
    }
}

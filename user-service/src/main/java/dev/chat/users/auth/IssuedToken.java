package dev.chat.users.auth;

/** A signed JWT and its {@code exp} claim in epoch seconds. */
public record IssuedToken(String token, long expiresAt) {
    @Override
    public String toString() {
        // Keeps the token itself out of logs and exception messages.
        return "IssuedToken[expiresAt=" + expiresAt + "]";
    }
}

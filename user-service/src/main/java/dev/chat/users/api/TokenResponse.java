package dev.chat.users.api;

import dev.chat.users.auth.IssuedToken;

public record TokenResponse(String token, long expiresAt) {
    static TokenResponse of(IssuedToken issued) {
        return new TokenResponse(issued.token(), issued.expiresAt());
    }

    @Override
    public String toString() {
        return "TokenResponse[expiresAt=" + expiresAt + "]";
    }
}

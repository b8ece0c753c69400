package dev.chat.users.api;

import jakarta.validation.constraints.NotNull;

/** Only the shape is checked here: any other mismatch is an invalid login (401), not a bad request. */
public record LoginRequest(
        @NotNull(message = "username is required") String username,
        @NotNull(message = "password is required") String password) {

    @Override
    public String toString() {
        return "LoginRequest[username=" + username + "]";
    }
}

package dev.chat.users.api;

import jakarta.validation.constraints.NotNull;

/** {@code DELETE /api/users/me}: the password, asked again before an irreversible change. */
public record PasswordConfirmation(@NotNull(message = "password is required") String password) {

    @Override
    public String toString() {
        return "PasswordConfirmation[]";
    }
}

package dev.chat.users.api;

import jakarta.validation.constraints.NotNull;

import dev.chat.users.auth.PasswordPolicy;

/** {@code POST /api/auth/password}: the current password proves the person; the new one follows the sign-up rule. */
public record PasswordChangeRequest(
        @NotNull(message = "currentPassword is required") String currentPassword,
        @NotNull(message = "newPassword is required") @PasswordPolicy String newPassword) {

    @Override
    public String toString() {
        return "PasswordChangeRequest[]";
    }
}

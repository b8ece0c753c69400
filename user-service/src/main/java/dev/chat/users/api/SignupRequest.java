package dev.chat.users.api;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

import dev.chat.common.Usernames;
import dev.chat.users.auth.PasswordPolicy;

public record SignupRequest(
        @NotNull(message = "username is required")
        @Pattern(regexp = Usernames.PATTERN, message = "username must be " + Usernames.RULE)
        String username,
        @NotNull(message = "password is required")
        @PasswordPolicy
        String password) {

    @Override
    public String toString() {
        return "SignupRequest[username=" + username + "]";
    }
}

package dev.chat.users.auth;

/** Deliberately the same for an unknown username and a wrong password. */
public class InvalidCredentialsException extends RuntimeException {
    public InvalidCredentialsException() {
        super("invalid username or password", null, false, false);
    }
}

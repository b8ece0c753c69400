package dev.chat.users.account;

public class UsernameTakenException extends RuntimeException {
    public UsernameTakenException(String username) {
        super("username is already taken: " + username, null, false, false);
    }
}

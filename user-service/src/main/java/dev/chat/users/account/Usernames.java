package dev.chat.users.account;

/** The username rule of the public contract: 3 to 32 characters of [a-z0-9_.-]. */
public final class Usernames {
    public static final String PATTERN = "[a-z0-9_.-]{3,32}";
    public static final int MAX_LENGTH = 32;

    private Usernames() {
    }
}

package dev.chat.node.protocol;

import java.util.regex.Pattern;

/** The contract's username rule: 3 to 32 characters of [a-z0-9_.-]. */
public final class Usernames {
    private static final Pattern VALID = Pattern.compile("[a-z0-9_.-]{3,32}");

    private Usernames() {
    }

    public static boolean isValid(String username) {
        return username != null && VALID.matcher(username).matches();
    }
}

package dev.chat.common;

import java.util.regex.Pattern;

/** The contract's username rule, the same in every service: 3 to 32 characters of [a-z0-9_.-]. */
public final class Usernames {
    public static final String RULE = "3 to 32 characters of a-z, 0-9, '_', '.' and '-'";
    private static final Pattern VALID = Pattern.compile("[a-z0-9_.-]{3,32}");

    private Usernames() {
    }

    public static boolean isValid(String username) {
        return username != null && VALID.matcher(username).matches();
    }
}

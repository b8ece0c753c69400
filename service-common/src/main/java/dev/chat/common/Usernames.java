package dev.chat.common;

/** The contract's username rule, the same in every service: 3 to 32 characters of [a-z0-9_.-]. */
public final class Usernames {
    public static final String RULE = "3 to 32 characters of a-z, 0-9, '_', '.' and '-'";
    /** The same rule as a regular expression, for validation annotations (a compile-time constant). */
    public static final String PATTERN = "[a-z0-9_.-]{3,32}";
    public static final int MAX_LENGTH = 32;

    private Usernames() {
    }

    /**
     * Checked on every frame that names a recipient, so a plain loop rather than a regular expression: the
     * matcher's allocations were a sixth of a chat node's (docs/performance.md).
     */
    public static boolean isValid(String username) {
        if (username == null || username.length() < 3 || username.length() > 32) {
            return false;
        }
        for (int i = 0; i < username.length(); i++) {
            char c = username.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-')) {
                return false;
            }
        }
        return true;
    }
}

package dev.chat.common;

/**
 * The key a deleted account's chat data is kept under once its name is released: {@code ~} and the account's id
 * ({@code ~42}). No username can take it ('~' is outside {@link Usernames}' rule), so the name can go to someone new
 * without handing them the old account's conversations, and the other party's history keeps the conversation under
 * this key (the page shows it as "Deleted account"). Nobody can sign in as it, and nothing can be sent to it.
 */
public final class DeletedAccounts {
    public static final String PREFIX = "~";

    private DeletedAccounts() {
    }

    /** The tombstone key of account {@code accountId}. */
    public static String key(long accountId) {
        return PREFIX + accountId;
    }

    /** Whether {@code name} is a tombstone key: '~' and a positive decimal account id, at most 19 digits. */
    public static boolean isKey(String name) {
        if (name == null || name.length() < 2 || name.length() > 20 || !name.startsWith(PREFIX)
                || name.charAt(1) == '0') {
            return false;
        }
        for (int i = 1; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }
}

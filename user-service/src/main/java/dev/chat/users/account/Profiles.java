package dev.chat.users.account;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Display names and avatars: stored in the account's row, for live (not deleted) accounts only. Every change stamps
 * {@code profile_changed_at}, which chat nodes read (view {@code profile_changes}) to tell the person's contacts.
 */
@ApplicationScoped
public class Profiles {
    /** The longest display name, in characters. */
    public static final int MAX_DISPLAY_NAME = 64;

    private final Pool pool;

    public Profiles(Pool pool) {
        this.pool = pool;
    }

    /** A stored avatar: its bytes, the type its content has, and its version. */
    public record Avatar(byte[] bytes, String type, int version) {
    }

    /** The display name as it will be stored: without surrounding white space, null when blank. */
    public static String normalise(String displayName) {
        if (displayName == null) {
            return null;
        }
        String trimmed = displayName.strip();
        return trimmed.isEmpty() ? null : trimmed;
    }

    /** True when {@code displayName} (normalised) may be stored: at most 64 characters, no control characters. */
    public static boolean valid(String displayName) {
        return displayName == null || displayName.codePointCount(0, displayName.length()) <= MAX_DISPLAY_NAME
                && displayName.codePoints().noneMatch(c -> Character.isISOControl(c)
                        || Character.getType(c) == Character.FORMAT);
    }

    /** Sets (null: clears) the display name; false when the account does not exist or is deleted. */
    public Uni<Boolean> setDisplayName(long accountId, String displayName) {
        return pool.preparedQuery("""
                UPDATE accounts SET display_name = $2, profile_changed_at = now()
                WHERE id = $1 AND deleted_at IS NULL""")
                .execute(Tuple.of(accountId, displayName)).map(r -> r.rowCount() == 1);
    }

    /** Stores a checked avatar (a new version); false when the account does not exist or is deleted. */
    public Uni<Boolean> setAvatar(long accountId, byte[] bytes, String type) {
        return pool.preparedQuery("""
                UPDATE accounts SET avatar = $2, avatar_type = $3, avatar_version = avatar_version + 1,
                    profile_changed_at = now()
                WHERE id = $1 AND deleted_at IS NULL""")
                .execute(Tuple.of(accountId, Buffer.buffer(bytes), type)).map(r -> r.rowCount() == 1);
    }

    /** Removes the avatar (a new version, so cached copies are not used); false for no live account. */
    public Uni<Boolean> clearAvatar(long accountId) {
        return pool.preparedQuery("""
                UPDATE accounts SET avatar = NULL, avatar_type = NULL, avatar_version = avatar_version + 1,
                    profile_changed_at = now()
                WHERE id = $1 AND deleted_at IS NULL""")
                .execute(Tuple.of(accountId)).map(r -> r.rowCount() == 1);
    }

    /** The avatar of a live account named {@code username}, or null when it has none. */
    public Uni<Avatar> avatar(String username) {
        return pool.preparedQuery("""
                SELECT avatar, avatar_type, avatar_version FROM accounts
                WHERE username = $1 AND deleted_at IS NULL AND avatar IS NOT NULL""")
                .execute(Tuple.of(username)).map(rows -> {
                    if (rows.size() == 0) {
                        return null;
                    }
                    Row row = rows.iterator().next();
                    return new Avatar(row.getBuffer("avatar").getBytes(), row.getString("avatar_type"),
                            row.getInteger("avatar_version"));
                });
    }
}

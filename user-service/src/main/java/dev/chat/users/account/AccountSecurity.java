package dev.chat.users.account;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * What a signed-in person does to their own account: a new password (every other session revoked) and deletion
 * (every session revoked, the name released once chat-node re-keyed its chat data). The caller has proved the
 * current password. Each is one
 * transaction, so a failure changes nothing.
 */
@ApplicationScoped
public class AccountSecurity {
    private static final Logger LOG = Logger.getLogger("dev.chat.users.audit");

    private final Pool pool;

    public AccountSecurity(Pool pool) {
        this.pool = pool;
    }

    /**
     * Stores {@code newHash} as the account's password and revokes every session of the account but
     * {@code keepSession} (the caller's; null revokes them all): chat nodes close their sockets within a second.
     * Answers false when the account no longer exists.
     */
    public Uni<Boolean> changePassword(long accountId, String keepSession, String newHash) {
        UUID keep = sessionId(keepSession);
        return pool.withTransaction(c -> c
                .preparedQuery("UPDATE accounts SET password_hash = $2 WHERE id = $1 AND deleted_at IS NULL")
                .execute(Tuple.of(accountId, newHash))
                .chain(updated -> updated.rowCount() == 0 ? Uni.createFrom().item(false)
                        : c.preparedQuery("""
                                UPDATE sessions SET revoked_at = now()
                                WHERE account_id = $1 AND revoked_at IS NULL AND id IS DISTINCT FROM $2""")
                                .execute(Tuple.of(accountId, keep))
                                .invoke(revoked -> LOG.infof("password changed id=%d sessions_revoked=%d", accountId,
                                        revoked.rowCount()))
                                .replaceWith(true)));
    }

    /**
     * Deletes the account: its id and name go to {@code name_releases} as a pending release (a chat node re-keys
     * the account's chat data from the name to {@code ~ID} and marks it released; until then the name cannot be
     * registered: V12__name_releases.sql), the row stays under {@code ~deleted~ID} with no password, display name
     * or avatar, every session is revoked (chat nodes close its sockets within a second) and its refresh tokens go.
     * Answers false when it was already deleted.
     */
    public Uni<Boolean> delete(long accountId) {
        return pool.withTransaction(c -> c
                .preparedQuery("SELECT username FROM accounts WHERE id = $1 AND deleted_at IS NULL FOR UPDATE")
                .execute(Tuple.of(accountId))
                .chain(rows -> {
                    if (rows.size() == 0) {
                        return Uni.createFrom().item(false);
                    }
                    String name = rows.iterator().next().getString("username");
                    // The same lock a sign-up of this name takes (V12__name_releases.sql): it then sees the name's
                    // release pending instead of the name free.
                    return c.preparedQuery("SELECT true AS locked FROM (SELECT pg_advisory_xact_lock(hashtext('username:' || $1::text))) l")
                            .execute(Tuple.of(name))
                            .chain(x -> c.preparedQuery(
                                    "INSERT INTO name_releases (username, account_id) VALUES ($1, $2)")
                                    .execute(Tuple.of(name, accountId)))
                            .chain(x -> c.preparedQuery("""
                                    UPDATE accounts SET username = '~deleted~' || id, password_hash = '!',
                                           deleted_at = now(), display_name = NULL, avatar = NULL,
                                           avatar_type = NULL
                                    WHERE id = $1""").execute(Tuple.of(accountId)))
                            .chain(x -> c.preparedQuery(
                                    "UPDATE sessions SET revoked_at = now() WHERE account_id = $1 AND revoked_at IS NULL")
                                    .execute(Tuple.of(accountId)))
                            .chain(x -> c.preparedQuery("""
                                    DELETE FROM refresh_tokens
                                    WHERE session_id IN (SELECT id FROM sessions WHERE account_id = $1)""")
                                    .execute(Tuple.of(accountId)))
                            .invoke(x -> LOG.infof("account deleted id=%d username=%s (name release pending)", accountId, name))
                            .replaceWith(true);
                }));
    }

    private static UUID sessionId(String sid) {
        try {
            return sid == null ? null : UUID.fromString(sid);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}

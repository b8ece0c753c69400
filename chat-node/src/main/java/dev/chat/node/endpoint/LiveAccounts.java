package dev.chat.node.endpoint;

import java.util.UUID;

import jakarta.inject.Singleton;

import org.eclipse.microprofile.jwt.JsonWebToken;

import dev.chat.node.postgres.PostgresCalls;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Whether a verified token may still open or renew a socket: the account it names still holds its name (a token
 * outlives a deleted account by up to its lifetime, and the name may be registered again by someone else: the check
 * is by account id, the token's {@code sub}, with the name, its {@code upn}) and, when it names a session
 * ({@code sid}), that session was not revoked (logout, logout everywhere, a reused refresh token). A token naming no
 * account id (user-service issues none such; v1 test tokens) is checked by name alone. One query either way, bounded
 * in time ({@link PostgresCalls}: an upgrade while PostgreSQL does not answer gets 503, never waits); user-service
 * owns both tables, and the node reads them only through its views {@code account_names} (name and id) and
 * {@code revoked_sessions}.
 */
@Singleton
class LiveAccounts {
    private static final String ACCOUNT = """
            SELECT true AS live FROM account_names WHERE username = $1 AND ($2::bigint IS NULL OR id = $2)""";
    private static final String ACCOUNT_AND_SESSION = """
            SELECT NOT EXISTS (SELECT 1 FROM revoked_sessions WHERE id = $3) AS live
            FROM account_names WHERE username = $1 AND ($2::bigint IS NULL OR id = $2)""";

    private final Pool pool;
    private final PostgresCalls calls;

    LiveAccounts(Pool pool, PostgresCalls calls) {
        this.pool = pool;
        this.calls = calls;
    }

    /**
     * True when account {@code accountId} (null: none named, any account of the name) still holds the name
     * {@code user}, and {@code session} (null: none named) is not revoked.
     */
    Uni<Boolean> live(String user, Long accountId, String session) {
        Uni<RowSet<Row>> rows = session == null
                ? pool.preparedQuery(ACCOUNT).execute(Tuple.of(user, accountId))
                : pool.preparedQuery(ACCOUNT_AND_SESSION).execute(Tuple.of(user, accountId, UUID.fromString(session)));
        return calls.bounded(rows).map(r -> r.size() > 0 && r.iterator().next().getBoolean("live"));
    }

    /** The token's account id ({@code sub}, as user-service issues it), or null when it carries no numeric one. */
    static Long accountOf(JsonWebToken token) {
        String subject = token.getSubject();
        if (subject == null) {
            return null;
        }
        try {
            return Long.valueOf(subject);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}

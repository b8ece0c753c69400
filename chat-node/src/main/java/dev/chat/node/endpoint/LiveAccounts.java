package dev.chat.node.endpoint;

import java.util.UUID;

import jakarta.inject.Singleton;

import dev.chat.node.postgres.PostgresCalls;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Whether a verified token may still open or renew a socket: its account exists (a token outlives a deleted
 * account by up to its lifetime) and, when it names a session ({@code sid}), that session was not revoked
 * (logout, logout everywhere, a reused refresh token). One query either way, bounded in time ({@link PostgresCalls}:
 * an upgrade while PostgreSQL does not answer gets 503, never waits); user-service owns both tables, and the node
 * reads them only through its views {@code account_names} and {@code revoked_sessions}.
 */
@Singleton
class LiveAccounts {
    private static final String ACCOUNT = "SELECT true AS live FROM account_names WHERE username = $1";
    private static final String ACCOUNT_AND_SESSION = """
            SELECT NOT EXISTS (SELECT 1 FROM revoked_sessions WHERE id = $2) AS live
            FROM account_names WHERE username = $1""";

    private final Pool pool;
    private final PostgresCalls calls;

    LiveAccounts(Pool pool, PostgresCalls calls) {
        this.pool = pool;
        this.calls = calls;
    }

    /** True when {@code user}'s account exists and {@code session} (null: none named) is not revoked. */
    Uni<Boolean> live(String user, String session) {
        Uni<io.vertx.mutiny.sqlclient.RowSet<io.vertx.mutiny.sqlclient.Row>> rows = session == null
                ? pool.preparedQuery(ACCOUNT).execute(Tuple.of(user))
                : pool.preparedQuery(ACCOUNT_AND_SESSION).execute(Tuple.of(user, UUID.fromString(session)));
        return calls.bounded(rows).map(r -> r.size() > 0 && r.iterator().next().getBoolean("live"));
    }
}

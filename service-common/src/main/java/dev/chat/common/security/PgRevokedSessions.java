package dev.chat.common.security;

import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Revoked sessions as user-service records them: its view {@code revoked_sessions} (db/users V10: id, revoked_at),
 * the only thing a verifying service's role may read of its tables. One indexed query per call (the partial index
 * {@code sessions_revoked_idx}).
 */
public final class PgRevokedSessions implements RevokedSessionSource {
    /**
     * Looks back 5 s before {@code since}: a revocation's time is its transaction's start ({@code now()}), which
     * may come before the previous answer though it committed after it. user-service's revoking transactions are a
     * few statements, far shorter. The LEFT JOIN answers one row with the time even when nothing was revoked, so
     * {@code since} moves on with every answer. Chat-node's sockets read the same view (SessionRevocations listens to it).
     */
    private static final String SINCE = """
            SELECT n.asked, r.id, r.revoked_at
            FROM (SELECT now() AS asked) n
            LEFT JOIN revoked_sessions r
              ON r.revoked_at > COALESCE($1::timestamptz, '-infinity'::timestamptz) - interval '5 seconds'""";

    private final Pool pool;

    public PgRevokedSessions(Pool pool) {
        this.pool = pool;
    }

    @Override
    public Uni<Revocations> since(OffsetDateTime since) {
        return pool.preparedQuery(SINCE).execute(Tuple.of(since)).map(rows -> {
            OffsetDateTime asked = null;
            Map<UUID, OffsetDateTime> revoked = new HashMap<>();
            for (Row row : rows) {
                asked = row.getOffsetDateTime("asked");
                UUID id = row.getUUID("id");
                if (id != null) {
                    revoked.put(id, row.getOffsetDateTime("revoked_at"));
                }
            }
            return new Revocations(asked, revoked);
        });
    }
}

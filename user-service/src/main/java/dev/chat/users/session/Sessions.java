package dev.chat.users.session;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import dev.chat.users.auth.AuthConfig;
import dev.chat.users.auth.TokenIssuer;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Starts, refreshes and revokes sessions. A session's refresh token is used once: each refresh marks it used and
 * issues its successor (rotation) in one statement, so two refreshes racing with one token cannot both succeed.
 * A used token presented again means two parties hold the family (the client and a thief, and the server cannot
 * tell which is which): the session is revoked, so both must sign in again. Access tokens carry the session's id
 * as {@code sid}.
 */
@ApplicationScoped
public class Sessions {
    private static final Logger LOG = Logger.getLogger("dev.chat.users.audit");

    private static final String ROTATE = """
            WITH old AS (
                UPDATE refresh_tokens t SET used_at = now()
                FROM sessions s
                WHERE t.token_hash = $1 AND t.used_at IS NULL AND t.expires_at > now()
                  AND s.id = t.session_id AND s.revoked_at IS NULL
                RETURNING t.session_id, s.account_id
            ), fresh AS (
                INSERT INTO refresh_tokens (token_hash, session_id, expires_at)
                SELECT $2, session_id, $3 FROM old
            )
            SELECT old.session_id, old.account_id, a.username
            FROM old JOIN accounts a ON a.id = old.account_id""";

    private static final String WHY_NOT = """
            SELECT t.session_id, t.used_at IS NOT NULL AS used, t.expires_at <= now() AS expired,
                   s.revoked_at IS NOT NULL AS revoked, s.account_id
            FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id
            WHERE t.token_hash = $1""";

    private final Pool pool;
    private final TokenIssuer tokens;
    private final long refreshSeconds;

    public Sessions(Pool pool, TokenIssuer tokens, AuthConfig config) {
        this.pool = pool;
        this.tokens = tokens;
        this.refreshSeconds = config.refresh().lifetime().toSeconds();
    }

    /** A new session for an account that has just proved its password: an access and a first refresh token. */
    public Uni<SignedIn> start(long accountId, String username) {
        UUID session = UUID.randomUUID();
        RefreshToken refresh = RefreshToken.generate(Instant.now().getEpochSecond() + refreshSeconds);
        return pool.withTransaction(c -> c.preparedQuery("INSERT INTO sessions (id, account_id) VALUES ($1, $2)")
                .execute(Tuple.of(session, accountId))
                .chain(x -> c.preparedQuery(
                        "INSERT INTO refresh_tokens (token_hash, session_id, expires_at) VALUES ($1, $2, $3)")
                        .execute(Tuple.of(refresh.hash(), session, at(refresh.expiresAt())))))
                .chain(x -> tokens.issue(accountId, username, session.toString()))
                .map(access -> new SignedIn(access, refresh, session.toString()));
    }

    /**
     * Rotates {@code presented}: new tokens when it is current, else why not. A reused token revokes its session
     * (every refresh token of the family, and the access tokens' {@code sid}).
     */
    public Uni<Refreshed> refresh(String presented) {
        if (presented == null || presented.isEmpty() || presented.length() > 200) {
            return Uni.createFrom().item(Refreshed.refused(Refreshed.Outcome.UNKNOWN));
        }
        Buffer hash = RefreshToken.hash(presented);
        RefreshToken next = RefreshToken.generate(Instant.now().getEpochSecond() + refreshSeconds);
        return pool.preparedQuery(ROTATE).execute(Tuple.of(hash, next.hash(), at(next.expiresAt())))
                .chain(rows -> {
                    if (rows.size() == 1) {
                        Row row = rows.iterator().next();
                        String session = row.getUUID("session_id").toString();
                        return tokens.issue(row.getLong("account_id"), row.getString("username"), session)
                                .map(access -> new Refreshed(Refreshed.Outcome.ROTATED,
                                        new SignedIn(access, next, session)));
                    }
                    return whyNot(hash);
                });
    }

    private static OffsetDateTime at(long epochSeconds) {
        return OffsetDateTime.ofInstant(Instant.ofEpochSecond(epochSeconds), ZoneOffset.UTC);
    }

    private Uni<Refreshed> whyNot(Buffer hash) {
        return pool.preparedQuery(WHY_NOT).execute(Tuple.of(hash)).chain(rows -> {
            if (rows.size() == 0) {
                return Uni.createFrom().item(Refreshed.refused(Refreshed.Outcome.UNKNOWN));
            }
            Row row = rows.iterator().next();
            UUID session = row.getUUID("session_id");
            if (row.getBoolean("revoked")) {
                return Uni.createFrom().item(Refreshed.refused(Refreshed.Outcome.REVOKED));
            }
            if (row.getBoolean("used")) {
                LOG.warnf("refresh token reused: session %s of account %d revoked", session, row.getLong("account_id"));
                return revoke(session).map(x -> Refreshed.refused(Refreshed.Outcome.REUSED));
            }
            return Uni.createFrom().item(Refreshed.refused(Refreshed.Outcome.EXPIRED));
        });
    }

    /**
     * Revokes the session {@code presented} belongs to (logout of this device); answers the session's id, or null
     * for a token that belongs to no session. Revoking twice changes nothing.
     */
    public Uni<String> logout(String presented) {
        if (presented == null || presented.isEmpty() || presented.length() > 200) {
            return Uni.createFrom().nullItem();
        }
        return pool.preparedQuery("SELECT session_id FROM refresh_tokens WHERE token_hash = $1")
                .execute(Tuple.of(RefreshToken.hash(presented)))
                .chain(rows -> rows.size() == 0 ? Uni.createFrom().nullItem()
                        : revoke(rows.iterator().next().getUUID("session_id")).map(UUID::toString));
    }

    /** Revokes the session of this id (from an access token's {@code sid}), if it is the account's. */
    public Uni<Void> logout(long accountId, String sessionId) {
        UUID id;
        try {
            id = UUID.fromString(sessionId);
        } catch (IllegalArgumentException | NullPointerException e) {
            return Uni.createFrom().voidItem();
        }
        return pool.preparedQuery("UPDATE sessions SET revoked_at = now() WHERE id = $1 AND account_id = $2 AND revoked_at IS NULL")
                .execute(Tuple.of(id, accountId)).replaceWithVoid();
    }

    /** Revokes every session of the account (logout everywhere); answers how many were open. */
    public Uni<Integer> logoutEverywhere(long accountId) {
        return pool.preparedQuery("UPDATE sessions SET revoked_at = now() WHERE account_id = $1 AND revoked_at IS NULL")
                .execute(Tuple.of(accountId)).map(RowSet::rowCount);
    }

    /**
     * Forgets what can no longer matter: refresh tokens past their expiry, spent ones older than 7 days (a copy
     * presented later is refused as unknown, without revoking its family), and sessions with no token left that were
     * not revoked within the last hour (chat nodes must still see a revocation while the session's access tokens
     * live: 10 minutes). Answers how many rows went. Runs hourly ({@link #startPurging}).
     */
    public Uni<Integer> purge() {
        return pool.query("DELETE FROM refresh_tokens WHERE expires_at < now() OR used_at < now() - interval '7 days'")
                .execute().map(RowSet::rowCount)
                .chain(tokens -> pool.query("""
                        DELETE FROM sessions s
                        WHERE NOT EXISTS (SELECT 1 FROM refresh_tokens t WHERE t.session_id = s.id)
                          AND (s.revoked_at IS NULL OR s.revoked_at < now() - interval '1 hour')""")
                        .execute().map(rows -> tokens + rows.rowCount()));
    }

    void startPurging(@Observes StartupEvent startup, io.vertx.mutiny.core.Vertx vertx) {
        vertx.setPeriodic(Duration.ofHours(1).toMillis(), id -> purge().subscribe().with(
                n -> LOG.debugf("purged %d session rows", n),
                e -> LOG.warnf("session purge failed: %s", e.toString())));
    }

    private Uni<UUID> revoke(UUID session) {
        return pool.preparedQuery("UPDATE sessions SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL")
                .execute(Tuple.of(session)).replaceWith(session);
    }
}

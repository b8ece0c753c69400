package dev.chat.common.security;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

import org.eclipse.microprofile.jwt.JsonWebToken;

import dev.chat.common.api.ApiException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Refuses, on a service that only verifies tokens (chat-node's and presence-service's REST), a bearer token whose
 * session ({@code sid}) was revoked: logout, logout everywhere, a password change (every other session), account
 * deletion, a reused refresh token. user-service records those in its {@code sessions} table; a verifying service
 * sees only the view {@code revoked_sessions} (db/users V10), one indexed lookup per authenticated request. Revoked
 * rows stay at least an hour (user-service's purge), longer than any access token lives (10 minutes), so the list
 * is bounded and never forgets a token that still verifies.
 *
 * <p>Answers: the identity unchanged when the token names no session (user-service issues none such; v1 test
 * tokens) or a live one; 401 {@code unauthorized} (AuthenticationFailedException, the JSON body of every refused
 * token) when it is revoked or its {@code sid} is no UUID; 503 {@code unavailable} when PostgreSQL does not answer
 * within the bound, never a wait. user-service itself checks more (LiveTokens: the account too) and does not use this.
 *
 * <p>Not a bean by itself: a service turns it on with a one-line subclass, so including service-common never adds
 * a database lookup to a service that does not want one.
 */
public abstract class RevokedSessionCheck implements SecurityIdentityAugmentor {
    private static final String REVOKED = "SELECT EXISTS (SELECT 1 FROM revoked_sessions WHERE id = $1) AS revoked";

    private final Pool pool;
    private final Duration bound;

    protected RevokedSessionCheck(Pool pool, Duration bound) {
        this.pool = pool;
        this.bound = bound;
    }

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        if (identity.isAnonymous() || !(identity.getPrincipal() instanceof JsonWebToken token)) {
            return Uni.createFrom().item(identity);
        }
        Optional<UUID> session;
        try {
            session = sessionOf(token);
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().failure(new AuthenticationFailedException("token with a malformed session id"));
        }
        if (session.isEmpty()) {
            return Uni.createFrom().item(identity);
        }
        return pool.preparedQuery(REVOKED).execute(Tuple.of(session.get()))
                .ifNoItem().after(bound).fail()
                .onFailure().transform(e -> new ApiException(503, "unavailable",
                        "sign-in could not be checked; try again"))
                .chain(rows -> rows.iterator().next().getBoolean("revoked")
                        ? Uni.createFrom().failure(new AuthenticationFailedException("session revoked"))
                        : Uni.createFrom().item(identity));
    }

    /**
     * The token's session id; empty when it names none; IllegalArgumentException when its {@code sid} is no UUID.
     */
    public static Optional<UUID> sessionOf(JsonWebToken token) {
        Object sid = token.getClaim("sid");
        return sid == null ? Optional.empty() : Optional.of(UUID.fromString(sid.toString().replace("\"", "")));
    }
}

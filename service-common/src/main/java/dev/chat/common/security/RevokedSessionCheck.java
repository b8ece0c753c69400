package dev.chat.common.security;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

import org.eclipse.microprofile.jwt.JsonWebToken;

import dev.chat.common.api.ApiException;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * Refuses, on a service that only verifies tokens (chat-node's and presence-service's REST), a bearer token whose
 * session ({@code sid}) was revoked: logout, logout everywhere, a password change (every other session), account
 * deletion, a reused refresh token. user-service records those in its {@code sessions} table; a verifying service
 * sees only the view {@code revoked_sessions} (db/users V10), and reads it through a {@link RevokedSessionView}:
 * a request costs no query, the view asks PostgreSQL at most once per {@code maxStaleness} (the sessions revoked
 * since its last answer). <b>Staleness bound:</b> a token of a session revoked at time t is refused by every request
 * that arrives after t + {@code maxStaleness} (1 s as the services configure it). Revoked rows stay in PostgreSQL
 * and in the view an hour, longer than any access token lives (10 minutes), so the list is bounded and never
 * forgets a token that still verifies.
 *
 * <p>Answers: the identity unchanged when the token names no session (user-service issues none such; v1 test
 * tokens) or a live one; 401 {@code unauthorized} (AuthenticationFailedException, the JSON body of every refused
 * token) when it is revoked or its {@code sid} is no UUID; 503 {@code unavailable} when the view is older than
 * {@code maxStaleness} and PostgreSQL does not answer within {@code timeout}, never a longer wait (as before the view:
 * while PostgreSQL is away, requests with a session's token answer 503, except those within {@code maxStaleness} of
 * the view's last good refresh). user-service itself checks more (LiveTokens: the account too) and does not use this.
 *
 * <p>Not a bean by itself: a service turns it on with a one-line subclass, so including service-common never adds
 * a database lookup to a service that does not want one. Metrics: {@code chat_revoked_sessions_checks_total} (tokens
 * checked), {@code chat_revoked_sessions_queries_total} (queries sent: at most one per {@code maxStaleness}),
 * {@code chat_revoked_sessions_refresh_failures_total}, {@code chat_revoked_sessions_held}.
 */
public abstract class RevokedSessionCheck implements SecurityIdentityAugmentor {
    /** As long as user-service keeps a revoked row (Sessions.purge), longer than any access token lives. */
    static final Duration KEEP = Duration.ofHours(1);

    private final RevokedSessionView view;

    protected RevokedSessionCheck(Pool pool, Duration timeout, Duration maxStaleness, MeterRegistry registry) {
        this(postgresView(pool, timeout, maxStaleness), registry);
    }

    /**
     * A check that answers from {@code view}, which the service shares with other readers (chat-node's sockets:
     * SessionRevocations), so that they ride on the same refreshes. Registers the view's metrics.
     */
    protected RevokedSessionCheck(RevokedSessionView view, MeterRegistry registry) {
        this.view = view;
        FunctionCounter.builder("chat.revoked.sessions.checks", view, RevokedSessionView::checks)
                .description("bearer tokens with a session checked against the revoked sessions").register(registry);
        FunctionCounter.builder("chat.revoked.sessions.queries", view, RevokedSessionView::queries)
                .description("queries for revoked sessions sent to PostgreSQL (at most one per max staleness)")
                .register(registry);
        FunctionCounter.builder("chat.revoked.sessions.refresh.failures", view, RevokedSessionView::failures)
                .description("refreshes of the revoked sessions that failed or timed out").register(registry);
        Gauge.builder("chat.revoked.sessions.held", view, RevokedSessionView::size)
                .description("revoked sessions held in memory").register(registry);
    }

    /**
     * The view of PostgreSQL's {@code revoked_sessions} a service's check reads: bound {@code maxStaleness}, each
     * refresh failing after {@code timeout}, a revocation kept an hour ({@link #KEEP}).
     */
    public static RevokedSessionView postgresView(Pool pool, Duration timeout, Duration maxStaleness) {
        return new RevokedSessionView(new PgRevokedSessions(pool), maxStaleness, timeout, KEEP, System::nanoTime);
    }

    /** The view this check answers from, for tests and metrics. */
    protected RevokedSessionView view() {
        return view;
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
        return view.isRevoked(session.get())
                .onFailure().transform(e -> new ApiException(503, "unavailable",
                        "sign-in could not be checked; try again"))
                .chain(revoked -> revoked
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

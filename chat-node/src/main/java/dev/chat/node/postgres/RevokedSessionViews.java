package dev.chat.node.postgres;

import java.time.Duration;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.chat.common.security.RevokedSessionCheck;
import dev.chat.common.security.RevokedSessionView;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * The node's one view of the revoked sessions (service-common's {@link RevokedSessionView} over user-service's view
 * {@code revoked_sessions}), shared by the REST check ({@code api.RevokedTokens}) and the sockets
 * ({@code endpoint.SessionRevocations}), so that both ride on the same refreshes: while sockets are open the
 * sockets' refresh once a second keeps the view fresh for REST too. Each refresh is bounded by
 * {@code chat.postgres.call-timeout}; REST answers are at most {@code chat.revoked-sessions.max-staleness} old.
 */
@Singleton
class RevokedSessionViews {
    @Produces
    @Singleton
    RevokedSessionView view(Pool pool, @ConfigProperty(name = "chat.postgres.call-timeout", defaultValue = "2s") Duration timeout,
            @ConfigProperty(name = "chat.revoked-sessions.max-staleness", defaultValue = "1s") Duration maxStaleness) {
        return RevokedSessionCheck.postgresView(pool, timeout, maxStaleness);
    }
}

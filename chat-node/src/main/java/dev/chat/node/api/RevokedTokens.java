package dev.chat.node.api;

import java.time.Duration;

import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.chat.common.security.RevokedSessionCheck;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * The node's REST API (conversations, groups) refuses a token of a revoked session with 401, as user-service does:
 * service-common's check, within {@code chat.revoked-sessions.max-staleness} of the revocation and with no query per
 * request, bounded like every other PostgreSQL call of the node ({@code chat.postgres.call-timeout}).
 * The socket has its own checks at the upgrade and on renewal (the endpoint package's LiveAccounts).
 */
// Created at start, so its metrics are there before the first request.
@Startup
@Singleton
class RevokedTokens extends RevokedSessionCheck {
    RevokedTokens(Pool pool, @ConfigProperty(name = "chat.postgres.call-timeout", defaultValue = "2s") Duration timeout,
            @ConfigProperty(name = "chat.revoked-sessions.max-staleness", defaultValue = "1s") Duration maxStaleness,
            MeterRegistry registry) {
        super(pool, timeout, maxStaleness, registry);
    }
}

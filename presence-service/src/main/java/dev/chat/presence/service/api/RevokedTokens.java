package dev.chat.presence.service.api;

import java.time.Duration;

import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.chat.common.security.RevokedSessionCheck;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * The presence API refuses a token of a revoked session with 401, as user-service and chat-node do
 * (service-common's check), within {@code chat.revoked-sessions.max-staleness} of the revocation, with no query per
 * request. The only use this service makes of PostgreSQL, as the role {@code chat_presence}, which may read the view
 * {@code revoked_sessions} and nothing else.
 */
// Created at start, so its metrics are there before the first request.
@Startup
@Singleton
class RevokedTokens extends RevokedSessionCheck {
    RevokedTokens(Pool pool, @ConfigProperty(name = "chat.presence.revocation-timeout", defaultValue = "2s") Duration timeout,
            @ConfigProperty(name = "chat.revoked-sessions.max-staleness", defaultValue = "1s") Duration maxStaleness,
            MeterRegistry registry) {
        super(pool, timeout, maxStaleness, registry);
    }
}

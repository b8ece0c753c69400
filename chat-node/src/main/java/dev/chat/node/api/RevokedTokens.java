package dev.chat.node.api;

import jakarta.inject.Singleton;

import dev.chat.common.security.RevokedSessionCheck;
import dev.chat.common.security.RevokedSessionView;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;

/**
 * The node's REST API (conversations, groups) refuses a token of a revoked session with 401, as user-service does:
 * service-common's check, within {@code chat.revoked-sessions.max-staleness} of the revocation and with no query per
 * request, bounded like every other PostgreSQL call of the node ({@code chat.postgres.call-timeout}).
 * It answers from the node's one view (postgres.RevokedSessionViews), which the sockets share: the endpoint
 * package's SessionRevocations closes a revoked session's sockets as the view learns of it, and LiveAccounts checks
 * at the upgrade and on renewal.
 */
// Created at start, so its metrics are there before the first request.
@Startup
@Singleton
class RevokedTokens extends RevokedSessionCheck {
    RevokedTokens(RevokedSessionView view, MeterRegistry registry) {
        super(view, registry);
    }
}

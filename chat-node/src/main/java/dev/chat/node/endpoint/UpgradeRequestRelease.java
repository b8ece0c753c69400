package dev.chat.node.endpoint;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import io.quarkus.vertx.http.runtime.filters.Filters;
import io.quarkus.vertx.http.runtime.security.QuarkusHttpUser;
import io.quarkus.vertx.http.runtime.security.SecurityHandlerPriorities;

/**
 * Lets an open socket drop the HTTP request it was upgraded from. websockets-next keeps the upgrade's routing
 * context (the request, the response and their headers, the context's data) for the socket's whole life when
 * HTTP security left an identity on it, even a deferred one that nobody asked for; and HTTP security leaves one
 * on every request. The socket's token is verified by {@link UpgradeChecks}, which needs none of it, so on the
 * socket's path the deferred identity is taken off after authorization and before the upgrade: about a tenth
 * of an idle socket's memory (docs/performance.md).
 */
@Singleton
class UpgradeRequestRelease {
    static final String SOCKET_PATH = "/ws/chat";

    void register(@Observes Filters filters) {
        filters.register(ctx -> {
            if (SOCKET_PATH.equals(ctx.normalizedPath())) {
                ctx.remove(QuarkusHttpUser.DEFERRED_IDENTITY_KEY);
            }
            ctx.next();
        }, SecurityHandlerPriorities.AUTHORIZATION - 1);
    }
}

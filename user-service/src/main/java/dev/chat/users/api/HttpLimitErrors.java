package dev.chat.users.api;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * A body announced over {@code chat.http.json-max-body} (every body but an avatar's, which may reach
 * {@code quarkus.http.limits.max-body-size}) gets the API's JSON error body (413
 * {@code body_too_large}) before Quarkus' own check, which would answer 413 with an empty body. (A request line
 * over 4 KiB is refused by the HTTP codec itself, 414 without a body, before any of this runs.)
 */
@ApplicationScoped
public class HttpLimitErrors {
    /** The avatar upload, the one body allowed past {@code chat.http.json-max-body}. */
    static final String AVATAR_PATH = "/api/users/me/avatar";

    @ConfigProperty(name = "quarkus.http.limits.max-body-size")
    MemorySize maxBody;

    @ConfigProperty(name = "chat.http.json-max-body")
    MemorySize jsonMaxBody;

    void install(@Observes Router router) {
        long any = maxBody.asLongValue();
        long json = Math.min(any, jsonMaxBody.asLongValue());
        router.route().order(Integer.MIN_VALUE).handler(ctx -> {
            String length = ctx.request().getHeader("Content-Length");
            long limit = AVATAR_PATH.equals(ctx.request().path()) ? any : json;
            if (length != null && tooLong(length, limit)) {
                refuse(ctx, limit);
            } else {
                ctx.next();
            }
        });
    }

    private static boolean tooLong(String length, long limit) {
        try {
            return Long.parseLong(length.trim()) > limit;
        } catch (NumberFormatException e) {
            return false; // Vert.x refuses a malformed Content-Length itself
        }
    }

    private static void refuse(RoutingContext ctx, long limit) {
        ctx.response().setStatusCode(413).putHeader("Content-Type", "application/json")
                .putHeader("Connection", "close")
                .end(new JsonObject().put("error", "body_too_large")
                        .put("message", "the request body is over the limit of " + limit / 1024 + " KiB").encode());
    }
}

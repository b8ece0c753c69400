package dev.chat.common.api;

import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * A body announced over its limit gets the API's JSON error body (413 {@code body_too_large}) before Quarkus' own
 * check, which would answer 413 with an empty body. The limit is {@code chat.http.json-max-body} when a service sets
 * it (its JSON bodies are small), except on the exact paths of {@code chat.http.large-body-paths} (an upload such as
 * user-service's avatar), which may reach {@code quarkus.http.limits.max-body-size}, the transport's hard limit for
 * every request. A chunked body (no length announced) that runs over the hard limit is still cut off by Quarkus,
 * with its empty 413. (A request line over {@code max-initial-line-length} is refused by the HTTP codec itself, 414
 * without a body.) One handler per service: a service needing a larger body on one path names the path here
 * rather than installing a second check.
 */
@ApplicationScoped
public class BodyLimit {
    @ConfigProperty(name = "quarkus.http.limits.max-body-size")
    MemorySize maxBody;

    @ConfigProperty(name = "chat.http.json-max-body")
    Optional<MemorySize> jsonMaxBody;

    @ConfigProperty(name = "chat.http.large-body-paths")
    Optional<List<String>> largeBodyPaths;

    void install(@Observes Router router) {
        long any = maxBody.asLongValue();
        long json = jsonMaxBody.map(size -> Math.min(any, size.asLongValue())).orElse(any);
        List<String> large = largeBodyPaths.orElse(List.of());
        router.route().order(Integer.MIN_VALUE).handler(ctx -> {
            String length = ctx.request().getHeader("Content-Length");
            long limit = large.contains(ctx.request().path()) ? any : json;
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

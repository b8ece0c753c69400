package dev.chat.presence.service.api;

import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import dev.chat.common.api.ApiError;
import dev.chat.presence.service.query.PresenceUnavailableException;

/**
 * presence-service's own refusal; every other failure gets its JSON body from service-common's
 * {@code JsonErrorMappers}.
 */
public class PresenceErrors {
    @ServerExceptionMapper
    public Response unavailable(PresenceUnavailableException e) {
        return Response.fromResponse(ApiError.response(503, "unavailable", "presence is temporarily unavailable, retry shortly"))
                .header("Retry-After", "1").build();
    }
}

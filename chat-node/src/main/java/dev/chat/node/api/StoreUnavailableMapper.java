package dev.chat.node.api;

import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import dev.chat.common.api.ApiError;
import dev.chat.node.postgres.PostgresCalls.StoreUnavailable;

/**
 * A REST call whose PostgreSQL statement gave no answer within {@code chat.postgres.call-timeout} is answered 503
 * with the JSON error {@code unavailable} and {@code Retry-After: 1}, the REST form of the socket's
 * {@code unavailable} error frame: the page retries, nothing was changed that a retry would do twice (a write that
 * still commits later is one the retry finds done).
 */
public class StoreUnavailableMapper {
    @ServerExceptionMapper
    public Response unavailable(StoreUnavailable e) {
        return Response.status(503).type(MediaType.APPLICATION_JSON_TYPE).header(HttpHeaders.RETRY_AFTER, "1")
                .entity(new ApiError("unavailable", "the message store did not answer in time; try again")).build();
    }
}

package dev.chat.common.api;

import java.util.Locale;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;

/**
 * Turns every failure of an API into the JSON error body, so no client ever sees a framework's HTML or
 * plain-text page. Security failures reach these mappers only when proactive authentication is off
 * ({@code quarkus.http.auth.proactive=false}). A service adds mappers for its own exceptions; the most
 * specific one wins. Jackson's messages are never echoed: they can quote the request body.
 */
public class JsonErrorMappers {
    private static final Logger LOG = Logger.getLogger(JsonErrorMappers.class);

    @ServerExceptionMapper
    public Response api(ApiException e) {
        return ApiError.response(e.status(), e.code(), e.getMessage());
    }

    @ServerExceptionMapper({ UnauthorizedException.class, AuthenticationFailedException.class })
    public Response unauthorized(RuntimeException e) {
        return Response.status(401).type(MediaType.APPLICATION_JSON_TYPE).header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
                .entity(new ApiError("unauthorized", "a valid bearer token is required")).build();
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e) {
        return ApiError.response(403, "forbidden", "not allowed");
    }

    @ServerExceptionMapper
    public Response malformedJson(JsonParseException e) {
        return ApiError.response(400, "malformed_json", "the body is not valid JSON");
    }

    /** Named explicitly: quarkus-rest-jackson ships its own mapper for this more specific type. */
    @ServerExceptionMapper({ MismatchedInputException.class, JsonProcessingException.class })
    public Response wrongShape(JsonProcessingException e) {
        return ApiError.response(400, "invalid_request", "the body does not have the expected fields and types");
    }

    /** JAX-RS' own refusals: unknown path, wrong method, wrong media type. */
    @ServerExceptionMapper
    public Response http(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        // The JSON reader reports an unreadable body as a plain 400 around Jackson's exception.
        if (status == 400 && e.getCause() instanceof JsonParseException) {
            return malformedJson((JsonParseException) e.getCause());
        }
        if (status == 400 && e.getCause() instanceof JsonProcessingException j) {
            return wrongShape(j);
        }
        if (status >= 500) {
            LOG.error("request failed", e);
            return ApiError.response(status, "internal_error", "internal error");
        }
        Response.StatusType type = e.getResponse().getStatusInfo();
        String reason = type.getReasonPhrase() == null ? "error" : type.getReasonPhrase();
        return ApiError.response(status, reason.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_"), reason);
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e) {
        LOG.error("unexpected failure", e);
        return ApiError.response(500, "internal_error", "internal error");
    }
}

package dev.chat.presence.service.api;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;

import dev.chat.presence.service.query.PresenceUnavailableException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;

/**
 * Turns every failure into a JSON {@link ApiError}, so clients never see an HTML or plain-text error page.
 * Security exceptions reach these mappers because proactive authentication is off (application.properties).
 */
public class ErrorMappers {
    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    @ServerExceptionMapper
    public Response api(ApiException e) {
        return json(e.status(), e.code(), e.getMessage());
    }

    @ServerExceptionMapper({ UnauthorizedException.class, AuthenticationFailedException.class })
    public Response unauthorized(RuntimeException e) {
        return Response.status(401).type(MediaType.APPLICATION_JSON_TYPE)
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
                .entity(new ApiError("unauthorized", "a valid bearer token is required")).build();
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e) {
        return json(403, "forbidden", "not allowed");
    }

    @ServerExceptionMapper
    public Response unavailable(PresenceUnavailableException e) {
        return Response.status(503).type(MediaType.APPLICATION_JSON_TYPE).header("Retry-After", "1")
                .entity(new ApiError("unavailable", "presence is temporarily unavailable, retry shortly")).build();
    }

    /** Named explicitly: quarkus-rest-jackson ships its own mapper for the more specific MismatchedInputException. */
    @ServerExceptionMapper({ JsonProcessingException.class, MismatchedInputException.class })
    public Response badJson(JsonProcessingException e) {
        // Jackson's own text names Java types; the client only needs to know the expected shape.
        return json(400, "bad_request", "malformed JSON body: expected {\"users\": [\"name\", ...]}");
    }

    /** JAX-RS' own refusals: unknown path, wrong method, wrong media type, unreadable body. */
    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        if (status >= 500) {
            LOG.error("request failed", e);
            return json(status, "internal_error", "internal error");
        }
        return json(status, codeFor(status), messageFor(status));
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e) {
        LOG.error("unexpected failure", e);
        return json(500, "internal_error", "internal error");
    }

    static Response json(int status, String code, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(new ApiError(code, message))
                .build();
    }

    private static String codeFor(int status) {
        return switch (status) {
            case 400 -> "bad_request";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 406 -> "not_acceptable";
            case 415 -> "unsupported_media_type";
            default -> "http_" + status;
        };
    }

    private static String messageFor(int status) {
        return switch (status) {
            case 400 -> "bad request";
            case 404 -> "no such resource";
            case 405 -> "method not allowed here";
            case 406 -> "only application/json is produced";
            case 415 -> "send application/json";
            default -> Response.Status.fromStatusCode(status) != null
                    ? Response.Status.fromStatusCode(status).getReasonPhrase()
                    : "error";
        };
    }
}

package dev.chat.users.api;

import java.util.Comparator;
import java.util.Iterator;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.Path;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import dev.chat.common.api.ApiError;
import dev.chat.users.account.UsernameTakenException;
import dev.chat.users.account.SignupThrottledException;
import dev.chat.users.auth.HashingBusyException;
import dev.chat.users.auth.InvalidCredentialsException;
import dev.chat.users.auth.LoginThrottledException;

/**
 * The account service's own failures as the JSON error body ({@link ApiError}): taken names, bad credentials,
 * throttling and a busy hashing pool (with Retry-After), validation of sign-up and login fields, and an
 * unreachable database (503, not 500). Everything generic (malformed JSON, wrong shapes, missing tokens, JAX-RS'
 * own refusals, {@code ApiException}) is service-common's {@code JsonErrorMappers}, so the same code has the same
 * words in every service. Messages are ours, never the exception's: Jackson's can quote the request body, which
 * may hold a password.
 */
public class ErrorMappers {
    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    @ServerExceptionMapper
    public Response usernameTaken(UsernameTakenException e) {
        return ApiError.response(409, "username_taken", "this username is already taken");
    }

    @ServerExceptionMapper
    public Response invalidCredentials(InvalidCredentialsException e) {
        return unauthorized("invalid_credentials", "invalid username or password");
    }

    /** 429 with Retry-After, and the seconds in the body too: {@code too_many_attempts}. */
    @ServerExceptionMapper
    public Response throttled(LoginThrottledException e) {
        return Response.status(429).type(jakarta.ws.rs.core.MediaType.APPLICATION_JSON_TYPE)
                .header(HttpHeaders.RETRY_AFTER, Long.toString(e.retryAfterSeconds()))
                .entity(new ThrottledError("too_many_attempts", e.getMessage(), e.retryAfterSeconds())).build();
    }

    /** 429 with Retry-After for a source over its sign-up limit: {@code too_many_attempts}, as for logins. */
    @ServerExceptionMapper
    public Response signupThrottled(SignupThrottledException e) {
        return Response.status(429).type(jakarta.ws.rs.core.MediaType.APPLICATION_JSON_TYPE)
                .header(HttpHeaders.RETRY_AFTER, Long.toString(e.retryAfterSeconds()))
                .entity(new ThrottledError("too_many_attempts", e.getMessage(), e.retryAfterSeconds())).build();
    }

    /**
     * 503 {@code busy} with Retry-After (and the seconds in the body) when the password-hashing queue is full: an
     * answer at once, so a burst never turns into timeouts.
     */
    @ServerExceptionMapper
    public Response busy(HashingBusyException e) {
        return Response.status(503).type(jakarta.ws.rs.core.MediaType.APPLICATION_JSON_TYPE)
                .header(HttpHeaders.RETRY_AFTER, Long.toString(e.retryAfterSeconds()))
                .entity(new ThrottledError("busy", e.getMessage(), e.retryAfterSeconds())).build();
    }

    /** One problem at a time, username before password, so clients see a stable answer. */
    @ServerExceptionMapper
    public Response invalidInput(ConstraintViolationException e) {
        ConstraintViolation<?> first = e.getConstraintViolations().stream()
                .min(Comparator.comparing((ConstraintViolation<?> v) -> rank(field(v)))
                        .thenComparing(ConstraintViolation::getMessage))
                .orElse(null);
        if (first == null) {
            return ApiError.response(400, "invalid_request", "invalid request");
        }
        String field = field(first);
        String code = switch (field) {
            case "username" -> "invalid_username";
            case "password", "newPassword" -> "invalid_password";
            default -> "invalid_request";
        };
        return ApiError.response(400, code, first.getMessage());
    }








    @ServerExceptionMapper
    public Response unexpected(Exception e) {
        if (storeUnavailable(e)) {
            // PostgreSQL stopping, restarting or unreachable: the client should retry, not report a bug.
            LOG.warnf("request failed, the database is unavailable: %s", e.getMessage());
            return Response.fromResponse(ApiError.response(503, "unavailable",
                    "the account store is unavailable; retry in a moment")).header(HttpHeaders.RETRY_AFTER, "1").build();
        }
        LOG.error("request failed", e);
        return ApiError.response(500, "internal_error", "internal error");
    }

    /**
     * The database cannot be reached or is going away: a refused or closed connection, a pool that timed out, or
     * PostgreSQL's SQLSTATE classes 08 (connection exception), 53 (insufficient resources) and 57P (shutting down,
     * starting up). Anything else stays a 500.
     */
    static boolean storeUnavailable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.net.ConnectException || t instanceof java.nio.channels.ClosedChannelException
                    || t instanceof io.vertx.sqlclient.ClosedConnectionException) {
                return true;
            }
            if (t instanceof io.vertx.pgclient.PgException pg && pg.getSqlState() != null
                    && (pg.getSqlState().startsWith("08") || pg.getSqlState().startsWith("53")
                            || pg.getSqlState().startsWith("57P"))) {
                return true;
            }
            String m = t.getMessage();
            if (m != null && (m.startsWith("Connection refused") || m.contains("Timeout waiting for connection")
                    || m.contains("Connection is not active") || m.contains("Pool closed"))) {
                return true;
            }
        }
        return false;
    }

    private static Response unauthorized(String code, String message) {
        return Response.fromResponse(ApiError.response(401, code, message))
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer").build();
    }

    private static String field(ConstraintViolation<?> v) {
        String last = "";
        for (Iterator<Path.Node> it = v.getPropertyPath().iterator(); it.hasNext();) {
            Path.Node node = it.next();
            if (node.getKind() == jakarta.validation.ElementKind.PROPERTY) {
                last = node.getName();
            }
        }
        return last;
    }

    private static int rank(String field) {
        return switch (field) {
            case "" -> 0;
            case "username" -> 1;
            case "password", "currentPassword" -> 2;
            case "newPassword" -> 3;
            default -> 4;
        };
    }
}

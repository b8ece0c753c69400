package dev.chat.users.api;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.jwt.JsonWebToken;

import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

import dev.chat.common.api.ApiError;
import dev.chat.users.account.AccountSecurity;
import dev.chat.users.auth.LoginService;
import dev.chat.users.auth.PasswordHasher;
import dev.chat.users.auth.LoginSource;
import dev.chat.users.session.Refreshed;
import dev.chat.users.session.Sessions;
import dev.chat.users.session.SignedIn;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;

/**
 * Sign-in and sessions. Login answers the v1 body ({@code token}, {@code expiresAt}) and, as an extension, sets the
 * session's refresh token in the {@link RefreshCookie}; refresh rotates it; logout revokes one session or all; a new
 * password revokes all but this one.
 */
@APIResponse(responseCode = "503", description = "unavailable: the account store cannot be reached (Retry-After)")
@Path("/api/auth")
@Produces(MediaType.APPLICATION_JSON)
public class AuthResource {
    private final LoginService login;
    private final LoginSource sources;
    private final Sessions sessions;
    private final RefreshCookie cookie;
    private final JsonWebToken caller;
    private final PasswordProof proof;
    private final PasswordHasher hasher;
    private final AccountSecurity security;

    public AuthResource(LoginService login, LoginSource sources, Sessions sessions, RefreshCookie cookie,
            JsonWebToken caller, PasswordProof proof, PasswordHasher hasher, AccountSecurity security) {
        this.proof = proof;
        this.hasher = hasher;
        this.security = security;
        this.login = login;
        this.sources = sources;
        this.sessions = sessions;
        this.cookie = cookie;
        this.caller = caller;
    }

    @APIResponse(responseCode = "200", description = "Signed in: the access token; the session's refresh token in the chat_refresh cookie", content = @Content(mediaType = "application/json", schema = @Schema(implementation = TokenResponse.class)))
    @APIResponse(responseCode = "400", description = "invalid_request, malformed_json")
    @APIResponse(responseCode = "401", description = "invalid_credentials")
    @APIResponse(responseCode = "429", description = "too_many_attempts: too many failed attempts for this account or source (Retry-After)", content = @Content(mediaType = "application/json", schema = @Schema(implementation = ThrottledError.class)))
    @APIResponse(responseCode = "503", description = "busy: the password-hashing queue is full, or unavailable: the account store cannot be reached (Retry-After; retryAfter in busy)", content = @Content(mediaType = "application/json", schema = @Schema(implementation = ThrottledError.class)))
    @POST
    @Path("login")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> login(@NotNull(message = "request body is required") @Valid LoginRequest request,
            @Context HttpServerRequest http) {
        String peer = http.remoteAddress() == null ? null : http.remoteAddress().hostAddress();
        String source = sources.of(peer, http.headers().getAll("X-Forwarded-For"));
        return login.login(request.username(), request.password(), source)
                .chain(account -> sessions.start(account.id(), account.username()))
                .map(signedIn -> tokens(signedIn, http));
    }

    /**
     * Extension: a new access token for the session whose refresh token the cookie holds, and the session's next
     * refresh token in the cookie; 401 {@code invalid_refresh} (and the cookie cleared) for a missing, unknown,
     * expired, revoked or reused one. Reuse revokes the session.
     */
    @APIResponse(responseCode = "200", description = "A new access token; the next refresh token in the cookie", content = @Content(mediaType = "application/json", schema = @Schema(implementation = TokenResponse.class)))
    @APIResponse(responseCode = "401", description = "invalid_refresh: missing, unknown, expired, revoked or reused (the cookie cleared)")
    @POST
    @Path("refresh")
    public Uni<Response> refresh(@CookieParam(RefreshCookie.NAME) String refreshToken, @Context HttpServerRequest http) {
        return sessions.refresh(refreshToken).map(r -> r.ok() ? tokens(r.tokens(), http) : refused(r, http));
    }

    /** Extension: revokes the cookie's session (this device) and clears the cookie: 204, also when there was none. */
    @APIResponse(responseCode = "204", description = "Signed out of this session (also when there was none); the cookie cleared")
    @POST
    @Path("logout")
    public Uni<Response> logout(@CookieParam(RefreshCookie.NAME) String refreshToken, @Context HttpServerRequest http) {
        return sessions.logout(refreshToken)
                .map(session -> Response.noContent().cookie(cookie.cleared(http)).build());
    }

    /** Extension: revokes every session of the caller's account (bearer token required) and clears the cookie: 204. */
    @APIResponse(responseCode = "204", description = "Every session of the account revoked; the cookie cleared")
    @APIResponse(responseCode = "401", description = "unauthorized")
    @POST
    @Path("logout-all")
    @Authenticated
    public Uni<Response> logoutEverywhere(@Context HttpServerRequest http) {
        long account = Long.parseLong(caller.getSubject());
        return sessions.logoutEverywhere(account)
                .map(n -> Response.noContent().cookie(cookie.cleared(http)).build());
    }

    /**
     * Extension: a new password (bearer token and the current password required, {@link PasswordProof}): 204 once it
     * is stored and every other session of the account is revoked; this one stays.
     */
    @APIResponse(responseCode = "204", description = "Changed; every other session revoked")
    @APIResponse(responseCode = "400", description = "invalid_password, invalid_request, malformed_json")
    @APIResponse(responseCode = "401", description = "unauthorized")
    @APIResponse(responseCode = "403", description = "wrong_password: the current password is wrong")
    @APIResponse(responseCode = "429", description = "too_many_attempts: too many failed attempts for this account or source (Retry-After)", content = @Content(mediaType = "application/json", schema = @Schema(implementation = ThrottledError.class)))
    @APIResponse(responseCode = "503", description = "busy: the password-hashing queue is full, or unavailable: the account store cannot be reached (Retry-After; retryAfter in busy)", content = @Content(mediaType = "application/json", schema = @Schema(implementation = ThrottledError.class)))
    @POST
    @Path("password")
    @Authenticated
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> changePassword(
            @NotNull(message = "request body is required") @Valid PasswordChangeRequest request,
            @Context HttpServerRequest http) {
        Object sid = caller.getClaim("sid");
        String session = sid == null ? null : sid.toString().replace("\"", "");
        return proof.of(caller, request.currentPassword(), http)
                .chain(account -> hasher.hash(request.newPassword())
                        .chain(hash -> security.changePassword(account.id(), session, hash)))
                .map(changed -> {
                    if (!changed) {
                        throw PasswordProof.unauthorized();
                    }
                    return Response.noContent().build();
                });
    }

    private Response tokens(SignedIn signedIn, HttpServerRequest http) {
        return Response.ok(TokenResponse.of(signedIn.access())).cookie(cookie.of(signedIn.refresh(), http)).build();
    }

    private Response refused(Refreshed r, HttpServerRequest http) {
        String why = switch (r.outcome()) {
            case REUSED -> "this refresh token was already used; its session is revoked: sign in again";
            case REVOKED -> "the session was signed out: sign in again";
            case EXPIRED -> "the refresh token expired: sign in again";
            default -> "no valid refresh token: sign in again";
        };
        return Response.fromResponse(ApiError.response(401, "invalid_refresh", why))
                .cookie(cookie.cleared(http)).build();
    }
}

package dev.chat.users.api;

import java.net.URI;
import java.util.List;
import java.util.Locale;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

import dev.chat.common.Usernames;
import dev.chat.common.api.ApiException;
import dev.chat.users.account.AccountRegistration;
import dev.chat.users.account.AccountRepository;
import dev.chat.users.account.Profiles;
import dev.chat.users.account.SignupThrottle;
import dev.chat.users.account.SignupThrottledException;
import dev.chat.users.auth.LoginSource;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;

@APIResponse(responseCode = "503", description = "unavailable: the account store cannot be reached (Retry-After)")
@Path("/api/users")
@Produces(MediaType.APPLICATION_JSON)
public class UserResource {
    static final int DEFAULT_LIMIT = 20;
    static final int MAX_LIMIT = 50;

    private final AccountRegistration registration;
    private final AccountRepository accounts;
    private final SignupThrottle signups;
    private final LoginSource sources;
    private final Profiles profiles;

    public UserResource(AccountRegistration registration, AccountRepository accounts, SignupThrottle signups,
            LoginSource sources, Profiles profiles) {
        this.profiles = profiles;
        this.registration = registration;
        this.accounts = accounts;
        this.signups = signups;
        this.sources = sources;
    }

    @APIResponse(responseCode = "201", description = "Created: the new account (Location: its URL)", content = @Content(mediaType = "application/json", schema = @Schema(implementation = UserView.class)))
    @APIResponse(responseCode = "400", description = "invalid_username, invalid_password, invalid_request, malformed_json")
    @APIResponse(responseCode = "409", description = "username_taken")
    @APIResponse(responseCode = "429", description = "too_many_attempts: too many sign-ups from this source (Retry-After)", content = @Content(mediaType = "application/json", schema = @Schema(implementation = ThrottledError.class)))
    @APIResponse(responseCode = "503", description = "busy: the password-hashing queue is full, or unavailable: the account store cannot be reached (Retry-After; retryAfter in busy)", content = @Content(mediaType = "application/json", schema = @Schema(implementation = ThrottledError.class)))
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> create(@NotNull(message = "request body is required") @Valid SignupRequest request,
            UriInfo uri, @Context HttpServerRequest http) {
        String peer = http.remoteAddress() == null ? null : http.remoteAddress().hostAddress();
        long wait = signups.attempt(sources.of(peer, http.headers().getAll("X-Forwarded-For")));
        if (wait > 0) {
            return Uni.createFrom().failure(new SignupThrottledException(Math.max(1, (wait + 999) / 1000)));
        }
        return registration.register(request.username(), request.password())
                .map(account -> {
                    URI location = uri.getBaseUriBuilder().path("api/users").path(account.username()).build();
                    return Response.created(location).entity(UserView.of(account)).build();
                });
    }

    /** Users whose name starts with {@code query} (case-insensitive: usernames are lower case). */
    @APIResponse(responseCode = "200", description = "The accounts whose name starts with query, by name", content = @Content(mediaType = "application/json", schema = @Schema(type = org.eclipse.microprofile.openapi.annotations.enums.SchemaType.ARRAY, implementation = UserView.class)))
    @APIResponse(responseCode = "400", description = "invalid_request: limit is not an integer from 1")
    @APIResponse(responseCode = "401", description = "unauthorized")
    @GET
    @Authenticated
    public Uni<List<UserView>> search(@QueryParam("query") String query, @QueryParam("limit") String limit) {
        int max = parseLimit(limit);
        String prefix = query == null ? "" : query.toLowerCase(Locale.ROOT);
        // No username is longer, or holds other characters (NUL, which PostgreSQL refuses in text, among them).
        if (prefix.length() > Usernames.MAX_LENGTH || !prefix.matches("[a-z0-9_.-]*")) {
            return Uni.createFrom().item(List.of());
        }
        return accounts.findByUsernamePrefix(prefix, max)
                .map(found -> found.stream().map(UserView::of).toList());
    }

    @APIResponse(responseCode = "200", description = "The account", content = @Content(mediaType = "application/json", schema = @Schema(implementation = UserView.class)))
    @APIResponse(responseCode = "401", description = "unauthorized")
    @APIResponse(responseCode = "404", description = "not_found: no such user")
    @GET
    @Path("{username}")
    @Authenticated
    public Uni<UserView> byUsername(@PathParam("username") String username) {
        String name = username.toLowerCase(Locale.ROOT);
        if (!name.matches(Usernames.PATTERN)) {
            return Uni.createFrom().failure(ApiException.notFound("no such user"));
        }
        return accounts.findByUsername(name)
                .onItem().ifNull().failWith(() -> ApiException.notFound("no such user"))
                .map(UserView::of);
    }

    /**
     * The avatar of {@code username}, without a token (an {@code <img>} sends none): 404 {@code not_found} for no
     * such user or no avatar. Cached for a year when asked with its current version ({@code v}), else revalidated.
     */
    @APIResponse(responseCode = "200", description = "The image", content = { @Content(mediaType = "image/png"),
            @Content(mediaType = "image/jpeg") })
    @APIResponse(responseCode = "404", description = "not_found: no such user, or no avatar")
    @GET
    @Path("{username}/avatar")
    @Produces({ "image/png", "image/jpeg", MediaType.APPLICATION_JSON })
    public Uni<Response> avatar(@PathParam("username") String username, @QueryParam("v") String version) {
        String name = username.toLowerCase(Locale.ROOT);
        if (!Usernames.isValid(name)) {
            throw ApiException.notFound("no such avatar");
        }
        return profiles.avatar(name).map(avatar -> {
            if (avatar == null) {
                throw ApiException.notFound("no such avatar");
            }
            boolean current = Integer.toString(avatar.version()).equals(version);
            return Response.ok(avatar.bytes(), avatar.type())
                    .header("X-Content-Type-Options", "nosniff")
                    .header("Content-Security-Policy", "default-src 'none'; sandbox")
                    .header("Cache-Control", current ? "public, max-age=31536000, immutable" : "no-cache")
                    .header("ETag", "\"" + avatar.version() + "\"")
                    .build();
        });
    }

    // Taken as text: JAX-RS answers an unparsable @QueryParam int with 404, which would mislead clients.
    static int parseLimit(String limit) {
        if (limit == null || limit.isBlank()) {
            return DEFAULT_LIMIT;
        }
        int n;
        try {
            n = Integer.parseInt(limit.trim());
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("invalid_request", "limit must be an integer from 1 to " + MAX_LIMIT);
        }
        if (n < 1) {
            throw ApiException.badRequest("invalid_request", "limit must be an integer from 1 to " + MAX_LIMIT);
        }
        return Math.min(n, MAX_LIMIT);
    }
}

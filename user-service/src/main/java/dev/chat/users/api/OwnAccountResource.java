package dev.chat.users.api;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.jwt.JsonWebToken;

import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

import dev.chat.common.api.ApiException;
import dev.chat.users.account.AccountRepository;
import dev.chat.users.account.AccountSecurity;
import dev.chat.users.account.AvatarImage;
import dev.chat.users.account.Profiles;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.mutiny.core.Vertx;

/**
 * Extensions: the caller's own account ({@code /api/users/me}): its profile (display name, avatar) and its deletion.
 * Avatars are checked by content ({@link AvatarImage}); {@link UserResource} serves them.
 */
@APIResponse(responseCode = "503", description = "unavailable: the account store cannot be reached (Retry-After)")
@Path("/api/users/me")
@Produces(MediaType.APPLICATION_JSON)
public class OwnAccountResource {
    private final AccountRepository accounts;
    private final Profiles profiles;
    private final JsonWebToken caller;
    private final Vertx vertx;
    private final PasswordProof proof;
    private final AccountSecurity security;
    private final RefreshCookie cookie;

    public OwnAccountResource(AccountRepository accounts, Profiles profiles, JsonWebToken caller, Vertx vertx,
            PasswordProof proof, AccountSecurity security, RefreshCookie cookie) {
        this.vertx = vertx;
        this.proof = proof;
        this.security = security;
        this.cookie = cookie;
        this.accounts = accounts;
        this.profiles = profiles;
        this.caller = caller;
    }

    /** The caller's own account, with its profile. */
    @APIResponse(responseCode = "200", description = "The caller's account", content = @Content(mediaType = "application/json", schema = @Schema(implementation = UserView.class)))
    @APIResponse(responseCode = "401", description = "unauthorized")
    @GET
    @Authenticated
    public Uni<UserView> me() {
        return accounts.findLive(self()).onItem().ifNull().failWith(OwnAccountResource::gone).map(UserView::of);
    }

    /** Sets or removes the display name: 400 {@code invalid_display_name} past 64 characters or with control ones. */
    @APIResponse(responseCode = "200", description = "The account with its new profile", content = @Content(mediaType = "application/json", schema = @Schema(implementation = UserView.class)))
    @APIResponse(responseCode = "400", description = "invalid_display_name, invalid_request, malformed_json")
    @APIResponse(responseCode = "401", description = "unauthorized")
    @PATCH
    @Authenticated
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<UserView> update(@NotNull(message = "request body is required") ProfileRequest request) {
        String name = Profiles.normalise(request.displayName());
        if (!Profiles.valid(name)) {
            throw ApiException.badRequest("invalid_display_name",
                    "displayName must be at most " + Profiles.MAX_DISPLAY_NAME + " characters, none of them control characters");
        }
        return profiles.setDisplayName(self(), name).chain(ok -> ok ? me() : Uni.createFrom().failure(gone()));
    }

    /**
     * Stores the body as the caller's avatar: a PNG or JPEG (by its content) of at most 64 KiB and 1024 pixels a side,
     * else 413 {@code avatar_too_large} or 415 {@code unsupported_image}.
     */
    @APIResponse(responseCode = "200", description = "The account with its new avatar", content = @Content(mediaType = "application/json", schema = @Schema(implementation = UserView.class)))
    @APIResponse(responseCode = "401", description = "unauthorized")
    @APIResponse(responseCode = "413", description = "avatar_too_large: over 64 KiB or 1024 pixels a side; body_too_large")
    @APIResponse(responseCode = "415", description = "unsupported_image: not a PNG or JPEG")
    @PUT
    @Path("avatar")
    @Authenticated
    @Consumes(MediaType.WILDCARD)
    public Uni<UserView> setAvatar(byte[] body) {
        long account = self();
        byte[] bytes = body == null ? new byte[0] : body;
        // Decoding is CPU work: on a worker, resuming on this request's context (Hibernate Reactive requires it).
        return vertx.executeBlocking(() -> AvatarImage.check(bytes), false)
                .chain(image -> switch (image.outcome()) {
                    case OK -> profiles.setAvatar(account, bytes, image.type());
                    case TOO_LARGE -> Uni.createFrom().failure(new ApiException(413, "avatar_too_large",
                            "an avatar is at most " + AvatarImage.MAX_BYTES / 1024 + " KiB"));
                    case TOO_MANY_PIXELS -> Uni.createFrom().failure(new ApiException(413, "avatar_too_large",
                            "an avatar is at most " + AvatarImage.MAX_SIDE + " pixels a side"));
                    case NOT_AN_IMAGE -> Uni.createFrom().failure(new ApiException(415, "unsupported_image",
                            "an avatar is a PNG or JPEG image"));
                })
                .chain(ok -> ok ? me() : Uni.createFrom().failure(gone()));
    }

    /** Removes the caller's avatar: 204. */
    @APIResponse(responseCode = "204", description = "Removed")
    @APIResponse(responseCode = "401", description = "unauthorized")
    @DELETE
    @Path("avatar")
    @Authenticated
    public Uni<Response> clearAvatar() {
        return profiles.clearAvatar(self()).map(ok -> {
            if (!ok) {
                throw gone();
            }
            return Response.noContent().build();
        });
    }

    /**
     * Deletes the account (bearer token and password required, {@link PasswordProof}): 204 and the refresh cookie
     * cleared once every session is revoked (sockets closed within a second, refresh tokens gone) and the name's
     * release is pending: registrable again once a chat node has re-keyed the account's chat data to {@code ~ID}
     * ({@link AccountSecurity#delete}).
     */
    @APIResponse(responseCode = "204", description = "Deleted; every session revoked; the cookie cleared")
    @APIResponse(responseCode = "400", description = "invalid_request, malformed_json")
    @APIResponse(responseCode = "401", description = "unauthorized")
    @APIResponse(responseCode = "403", description = "wrong_password: the password is wrong")
    @APIResponse(responseCode = "429", description = "too_many_attempts: too many failed attempts for this account or source (Retry-After)", content = @Content(mediaType = "application/json", schema = @Schema(implementation = ThrottledError.class)))
    @APIResponse(responseCode = "503", description = "busy: the password-hashing queue is full, or unavailable: the account store cannot be reached (Retry-After; retryAfter in busy)", content = @Content(mediaType = "application/json", schema = @Schema(implementation = ThrottledError.class)))
    @DELETE
    @Authenticated
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> delete(@NotNull(message = "request body is required") @Valid PasswordConfirmation request,
            @Context HttpServerRequest http) {
        return proof.of(caller, request.password(), http)
                .chain(account -> security.delete(account.id()))
                .map(deleted -> {
                    if (!deleted) {
                        throw gone();
                    }
                    return Response.noContent().cookie(cookie.cleared(http)).build();
                });
    }

    private long self() {
        return Long.parseLong(caller.getSubject());
    }

    private static ApiException gone() {
        return new ApiException(401, "unauthorized", "a valid bearer token is required");
    }
}

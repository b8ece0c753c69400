package dev.chat.users.api;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;

import dev.chat.users.auth.LoginService;
import dev.chat.users.auth.LoginSource;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;

@Path("/api/auth")
@Produces(MediaType.APPLICATION_JSON)
public class AuthResource {
    private final LoginService login;
    private final LoginSource sources;

    public AuthResource(LoginService login, LoginSource sources) {
        this.login = login;
        this.sources = sources;
    }

    @POST
    @Path("login")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<TokenResponse> login(@NotNull(message = "request body is required") @Valid LoginRequest request,
            @Context HttpServerRequest http) {
        String peer = http.remoteAddress() == null ? null : http.remoteAddress().hostAddress();
        String source = sources.of(peer, http.headers().getAll("X-Forwarded-For"));
        return login.login(request.username(), request.password(), source).map(TokenResponse::of);
    }
}

package dev.chat.users.api;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import dev.chat.users.auth.LoginService;
import io.smallrye.mutiny.Uni;

@Path("/api/auth")
@Produces(MediaType.APPLICATION_JSON)
public class AuthResource {
    private final LoginService login;

    public AuthResource(LoginService login) {
        this.login = login;
    }

    @POST
    @Path("login")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<TokenResponse> login(@NotNull(message = "request body is required") @Valid LoginRequest request) {
        return login.login(request.username(), request.password()).map(TokenResponse::of);
    }
}

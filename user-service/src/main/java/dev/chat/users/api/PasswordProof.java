package dev.chat.users.api;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.jwt.JsonWebToken;

import dev.chat.common.api.ApiException;
import dev.chat.users.account.Account;
import dev.chat.users.auth.InvalidCredentialsException;
import dev.chat.users.auth.LoginService;
import dev.chat.users.auth.LoginSource;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;

/**
 * The current password, asked again before a change only its owner may make (a new password, deleting the
 * account). Checked as a login is, throttle included, so a stolen access token cannot be used to guess it; a wrong
 * one is 403 {@code wrong_password} (a 401 would say the token was refused).
 */
@ApplicationScoped
public class PasswordProof {
    private final LoginService login;
    private final LoginSource sources;

    public PasswordProof(LoginService login, LoginSource sources) {
        this.login = login;
        this.sources = sources;
    }

    /** The caller's account, once {@code password} is proved for it; the token's account id must be its id. */
    public Uni<Account> of(JsonWebToken caller, String password, HttpServerRequest http) {
        String peer = http.remoteAddress() == null ? null : http.remoteAddress().hostAddress();
        String source = sources.of(peer, http.headers().getAll("X-Forwarded-For"));
        return login.login(caller.getName(), password, source)
                .onFailure(InvalidCredentialsException.class)
                .transform(e -> new ApiException(403, "wrong_password", "the current password is wrong"))
                .invoke(account -> {
                    if (!Long.toString(account.id()).equals(caller.getSubject())) {
                        throw unauthorized();
                    }
                });
    }

    static ApiException unauthorized() {
        return new ApiException(401, "unauthorized", "a valid bearer token is required");
    }
}

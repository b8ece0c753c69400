package dev.chat.users.auth;

import jakarta.enterprise.context.ApplicationScoped;

import dev.chat.users.account.Account;
import dev.chat.users.account.AccountRepository;
import dev.chat.users.events.AccountEvents;
import io.smallrye.mutiny.Uni;

/** Checks a username and password and issues a token for them. */
@ApplicationScoped
public class LoginService {
    private final AccountRepository accounts;
    private final PasswordHasher hasher;
    private final TokenIssuer tokens;
    private final AccountEvents events;

    public LoginService(AccountRepository accounts, PasswordHasher hasher, TokenIssuer tokens, AccountEvents events) {
        this.accounts = accounts;
        this.hasher = hasher;
        this.tokens = tokens;
        this.events = events;
    }

    /** Fails with {@link InvalidCredentialsException} for an unknown user and for a wrong password alike. */
    public Uni<IssuedToken> login(String username, String password) {
        return accounts.findByUsername(username).flatMap(account -> {
            // Unknown users go through a dummy verification too, so the response time does not tell them apart.
            String hash = account == null ? null : account.passwordHash();
            return hasher.verify(password, hash).flatMap(ok -> ok && account != null
                    ? succeed(account)
                    : fail(username, account == null ? "unknown_user" : "wrong_password"));
        });
    }

    private Uni<IssuedToken> succeed(Account account) {
        return tokens.issue(account.id(), account.username())
                .invoke(token -> events.loginSucceeded(account.id(), account.username()));
    }

    private Uni<IssuedToken> fail(String username, String reason) {
        events.loginFailed(username, reason);
        return Uni.createFrom().failure(new InvalidCredentialsException());
    }
}

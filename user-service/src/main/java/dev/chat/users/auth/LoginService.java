package dev.chat.users.auth;

import jakarta.enterprise.context.ApplicationScoped;

import dev.chat.users.account.Account;
import dev.chat.users.account.AccountRepository;
import dev.chat.users.account.Usernames;
import dev.chat.users.events.AccountEvents;
import io.smallrye.mutiny.Uni;

/** Checks a username and password and issues a token for them. */
@ApplicationScoped
public class LoginService {
    private final AccountRepository accounts;
    private final PasswordHasher hasher;
    private final TokenIssuer tokens;
    private final AccountEvents events;
    private final LoginThrottle throttle;

    public LoginService(AccountRepository accounts, PasswordHasher hasher, TokenIssuer tokens, AccountEvents events,
            LoginThrottle throttle) {
        this.accounts = accounts;
        this.hasher = hasher;
        this.tokens = tokens;
        this.events = events;
        this.throttle = throttle;
    }

    /**
     * Fails with {@link InvalidCredentialsException} for an unknown user and for a wrong password alike, and with
     * {@link LoginThrottledException}, before looking at the password, when the account or {@code source} has
     * failed too often lately ({@link LoginThrottle}).
     */
    public Uni<IssuedToken> login(String username, String password, String source) {
        LoginThrottle.Ticket ticket = throttle.attempt(username, source);
        if (!ticket.allowed()) {
            events.loginThrottled(username, ticket.scope(), ticket.retryAfterSeconds());
            return Uni.createFrom().failure(new LoginThrottledException(ticket.retryAfterSeconds(), ticket.scope()));
        }
        // A name no account can have (too long, control characters, NUL, which PostgreSQL refuses in text) is
        // not looked up; it still costs one full bcrypt verification, like an unknown user.
        Uni<Account> found = username.matches(Usernames.PATTERN) ? accounts.findByUsername(username)
                : Uni.createFrom().nullItem();
        return Uni.createFrom().deferred(() -> found.flatMap(account -> {
            // Unknown users go through a dummy verification too, so the response time does not tell them apart.
            String hash = account == null ? null : account.passwordHash();
            return hasher.verify(password, hash).flatMap(ok -> {
                if (ok && account != null) {
                    ticket.succeeded();
                    return succeed(account);
                }
                ticket.failed();
                return fail(username, account == null ? "unknown_user" : "wrong_password");
            });
        }))
                // A database or hashing failure is no verdict on the password: release the attempt uncounted.
                .onTermination().invoke(ticket::abandon);
    }

    /** As {@link #login(String, String, String)} from an unknown source. */
    public Uni<IssuedToken> login(String username, String password) {
        return login(username, password, null);
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

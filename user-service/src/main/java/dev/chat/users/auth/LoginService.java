package dev.chat.users.auth;

import jakarta.enterprise.context.ApplicationScoped;

import dev.chat.users.account.Account;
import dev.chat.users.account.AccountRepository;
import dev.chat.common.Usernames;
import dev.chat.users.events.AccountEvents;
import io.smallrye.mutiny.Uni;

/** Checks a username and password: the account they prove, or why not. Sessions and tokens are the caller's. */
@ApplicationScoped
public class LoginService {
    private final AccountRepository accounts;
    private final PasswordHasher hasher;
    private final AccountEvents events;
    private final LoginThrottle throttle;

    public LoginService(AccountRepository accounts, PasswordHasher hasher, AccountEvents events,
            LoginThrottle throttle) {
        this.accounts = accounts;
        this.hasher = hasher;
        this.events = events;
        this.throttle = throttle;
    }

    /**
     * Fails with {@link InvalidCredentialsException} for an unknown user and for a wrong password alike, and with
     * {@link LoginThrottledException}, before looking at the password, when the account or {@code source} has
     * failed too often lately ({@link LoginThrottle}), and with {@link HashingBusyException} when the hashing
     * queue is full (nothing counted then).
     */
    public Uni<Account> login(String username, String password, String source) {
        // Waits, if need be, for attempts in flight on the same account or source (LoginThrottle#admit).
        return throttle.admit(username, source).flatMap(ticket -> {
            if (!ticket.allowed() && LoginThrottle.BUSY.equals(ticket.scope())) {
                return Uni.createFrom().failure(new HashingBusyException(ticket.retryAfterSeconds()));
            }
            if (!ticket.allowed()) {
                events.loginThrottled(username, ticket.scope(), ticket.retryAfterSeconds());
                return Uni.createFrom().failure(new LoginThrottledException(ticket.retryAfterSeconds(), ticket.scope()));
            }
            return check(username, password, ticket)
                    // A database or hashing failure, or a refusal of the busy hashing pool, is no verdict on the
                    // password: the attempt is released uncounted.
                    .onTermination().invoke(ticket::abandon);
        });
    }

    private Uni<Account> check(String username, String password, LoginThrottle.Ticket ticket) {
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
        }));
    }

    /** As {@link #login(String, String, String)} from an unknown source. */
    public Uni<Account> login(String username, String password) {
        return login(username, password, null);
    }

    private Uni<Account> succeed(Account account) {
        events.loginSucceeded(account.id(), account.username());
        return Uni.createFrom().item(account);
    }

    private Uni<Account> fail(String username, String reason) {
        events.loginFailed(username, reason);
        return Uni.createFrom().failure(new InvalidCredentialsException());
    }
}

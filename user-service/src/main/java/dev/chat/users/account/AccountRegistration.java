package dev.chat.users.account;

import jakarta.enterprise.context.ApplicationScoped;

import dev.chat.users.auth.HashingBusyException;
import dev.chat.users.auth.PasswordHasher;
import dev.chat.users.events.AccountEvents;
import io.smallrye.mutiny.Uni;

/** Creates accounts; the caller has already validated the username and password rules. */
@ApplicationScoped
public class AccountRegistration {
    private final AccountRepository accounts;
    private final PasswordHasher hasher;
    private final AccountEvents events;

    public AccountRegistration(AccountRepository accounts, PasswordHasher hasher, AccountEvents events) {
        this.accounts = accounts;
        this.hasher = hasher;
        this.events = events;
    }

    /**
     * Stores a new account, or fails with {@link UsernameTakenException}, or with {@link HashingBusyException} when
     * the hashing pool would refuse its job: then before anything else, so that a burst of sign-ups (each a new
     * name, so no throttle serialises them as it does logins to one account) is shed before each would queue a
     * store lookup on the pool that readiness's probe shares. A taken name is then answered busy too; its retry
     * learns it is taken.
     */
    public Uni<Account> register(String username, String password) {
        HashingBusyException busy = hasher.busyNow();
        if (busy != null) {
            return Uni.createFrom().failure(busy);
        }
        // The existence check only spares the bcrypt work for the common case; the insert decides.
        return accounts.usernameExists(username)
                .flatMap(exists -> exists
                        ? Uni.createFrom().failure(new UsernameTakenException(username))
                        : hasher.hash(password))
                .flatMap(hash -> accounts.insert(new Account(username, hash)))
                .onFailure(UniqueViolation::isCauseOf).transform(e -> new UsernameTakenException(username))
                .invoke(events::accountCreated);
    }
}

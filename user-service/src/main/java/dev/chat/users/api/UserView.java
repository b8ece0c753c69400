package dev.chat.users.api;

import dev.chat.users.account.Account;

/** The public face of an account: never anything about its password. */
public record UserView(long id, String username) {
    static UserView of(Account account) {
        return new UserView(account.id(), account.username());
    }
}

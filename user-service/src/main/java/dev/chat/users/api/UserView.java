package dev.chat.users.api;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.chat.users.account.Account;

/**
 * The public face of an account: never anything about its password. {@code displayName} and {@code avatar} (the
 * avatar's URL, with its version) are extensions of v1's {@code id} and {@code username}, present only when set.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record UserView(long id, String username, String displayName, String avatar) {
    static UserView of(Account account) {
        String avatar = account.hasAvatar()
                ? "/api/users/" + account.username() + "/avatar?v=" + account.avatarVersion()
                : null;
        return new UserView(account.id(), account.username(), account.displayName(), avatar);
    }
}

package dev.chat.users.account;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;

@ApplicationScoped
public class AccountRepository implements PanacheRepositoryBase<Account, Long> {
    /** The LIKE escape character; '!' rather than backslash so no layer (Java, HQL, SQL) re-interprets it. */
    private static final char LIKE_ESCAPE = '!';

    @WithSession
    public Uni<Account> findByUsername(String username) {
        return find("username", username).firstResult();
    }

    /** The account of this id unless it was deleted; null otherwise. */
    @WithSession
    public Uni<Account> findLive(long id) {
        return find("id = ?1 and deletedAt is null", id).firstResult();
    }

    @WithSession
    public Uni<Boolean> usernameExists(String username) {
        return count("username", username).map(n -> n > 0);
    }

    @WithTransaction
    public Uni<Account> insert(Account account) {
        return persist(account);
    }

    /** Accounts whose username starts with {@code prefix} taken literally, so '%' and '_' match only themselves. */
    @WithSession
    public Uni<List<Account>> findByUsernamePrefix(String prefix, int limit) {
        return find("username like ?1 escape '" + LIKE_ESCAPE + "' order by username", escapeLike(prefix) + "%")
                .range(0, limit - 1)
                .list();
    }

    static String escapeLike(String literal) {
        StringBuilder out = new StringBuilder(literal.length() + 8);
        for (char c : literal.toCharArray()) {
            if (c == LIKE_ESCAPE || c == '%' || c == '_') {
                out.append(LIKE_ESCAPE);
            }
            out.append(c);
        }
        return out.toString();
    }
}

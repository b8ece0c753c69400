package dev.chat.users.session;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Every bearer token this service accepts (signature, issuer and expiry already checked by smallrye-jwt) must
 * also still be live: its account ({@code sub}, the account id, with {@code upn}, its name) exists and is not
 * deleted, and its session ({@code sid}) is one of that account's and not revoked. Checked against the
 * {@code sessions} table, one indexed query per authenticated request: the table is the revocation list. A session
 * must exist, not merely be absent from the revoked ones, so the hourly purge of revoked rows ({@link Sessions#purge})
 * can never bring a revoked session's tokens back, whatever the access tokens' lifetime. (A token that names no
 * session, which this service never issues, is checked for its account only.) Keyed by
 * account id, so a token can never speak for another account of the same name. A dead token is refused as any
 * invalid one: 401 {@code unauthorized}.
 */
@ApplicationScoped
public class LiveTokens implements SecurityIdentityAugmentor {
    private static final String LIVE = """
            SELECT EXISTS (SELECT 1 FROM accounts WHERE id = $1 AND username = $2 AND deleted_at IS NULL)
               AND ($3::uuid IS NULL
                    OR EXISTS (SELECT 1 FROM sessions WHERE id = $3 AND account_id = $1 AND revoked_at IS NULL)) AS live""";

    private final Pool pool;

    public LiveTokens(Pool pool) {
        this.pool = pool;
    }

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        if (identity.isAnonymous() || !(identity.getPrincipal() instanceof JsonWebToken token)) {
            return Uni.createFrom().item(identity);
        }
        long account;
        try {
            account = Long.parseLong(token.getSubject());
        } catch (NumberFormatException | NullPointerException e) {
            return Uni.createFrom().failure(new AuthenticationFailedException("token without an account id"));
        }
        UUID session;
        try {
            session = session(token);
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().failure(new AuthenticationFailedException("token with a malformed session id"));
        }
        return pool.preparedQuery(LIVE).execute(Tuple.of(account, token.getName(), session))
                .map(rows -> rows.iterator().next().getBoolean("live"))
                .chain(live -> live ? Uni.createFrom().item(identity)
                        : Uni.createFrom().failure(new AuthenticationFailedException("token revoked")));
    }

    /** The token's session id, or null when it names none; IllegalArgumentException for one that is no UUID. */
    static UUID session(JsonWebToken token) {
        Object sid = token.getClaim("sid");
        return sid == null ? null : UUID.fromString(sid.toString().replace("\"", ""));
    }
}

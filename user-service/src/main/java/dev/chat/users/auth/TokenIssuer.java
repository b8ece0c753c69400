package dev.chat.users.auth;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;

/**
 * Issues RS256 JWTs signed with the key at {@code smallrye.jwt.sign.key.location}. The other services verify
 * them with the public key and expect {@code iss}, {@code upn} (the username) and the {@code user} group (plus
 * {@code operator} for the accounts named in {@code chat.jwt.operators});
 * {@code sid} names the session (the sign-in) the token was issued in, which logout revokes.
 */
@ApplicationScoped
public class TokenIssuer {
    static final String GROUP = "user";
    /** The group of operator accounts ({@code chat.jwt.operators}): what operator-only endpoints require. */
    static final String OPERATOR = "operator";

    private final Vertx vertx;
    private final AuthConfig config;

    public TokenIssuer(Vertx vertx, AuthConfig config) {
        this.vertx = vertx;
        this.config = config;
    }

    // Issuing tokens is this service's purpose: an unreadable signing key fails startup, not the first login.
    void checkSigningKey(@Observes StartupEvent startup) {
        sign(0L, "startup-check", "startup-check", Instant.now());
    }

    /**
     * An access token for the account in session {@code sessionId} (its {@code sid} claim). Signing may read the
     * key file and costs an RSA operation, so it runs on a worker.
     */
    public Uni<IssuedToken> issue(long accountId, String username, String sessionId) {
        return vertx.executeBlocking(() -> sign(accountId, username, sessionId, Instant.now()), false);
    }

    private IssuedToken sign(long accountId, String username, String sessionId, Instant now) {
        long issuedAt = now.getEpochSecond();
        long expiresAt = issuedAt + config.jwt().lifetime().toSeconds();
        String token = Jwt.issuer(config.jwt().issuer())
                .upn(username)
                .subject(Long.toString(accountId))
                .groups(config.jwt().operators().orElse(List.of()).contains(username) ? Set.of(GROUP, OPERATOR)
                        : Set.of(GROUP))
                .issuedAt(issuedAt)
                .expiresAt(expiresAt)
                .claim("jti", UUID.randomUUID().toString())
                .claim("sid", sessionId)
                .jws()
                .algorithm(SignatureAlgorithm.RS256)
                .sign();
        return new IssuedToken(token, expiresAt);
    }
}

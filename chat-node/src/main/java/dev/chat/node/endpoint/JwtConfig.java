package dev.chat.node.endpoint;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The tokens a socket's upgrade accepts, under {@code chat.jwt.*}; application.properties hands the issuer to
 * {@code mp.jwt.verify.issuer}, which {@link UpgradeChecks} verifies with.
 */
@ConfigMapping(prefix = "chat.jwt")
public interface JwtConfig {
    /** The {@code iss} user-service signs with; tokens from anyone else are refused. */
    @WithDefault("chat")
    String issuer();
}

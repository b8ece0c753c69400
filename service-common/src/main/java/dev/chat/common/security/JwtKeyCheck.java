package dev.chat.common.security;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.runtime.StartupEvent;

/**
 * Refuses to start a service that verifies tokens without its verification key. smallrye-jwt reads the key
 * lazily, so a missing MP_JWT_VERIFY_PUBLICKEY_LOCATION would otherwise show up only as every token answering
 * 401, long after the deployment looked healthy.
 */
@ApplicationScoped
public class JwtKeyCheck {
    @ConfigProperty(name = "mp.jwt.verify.publickey.location")
    Optional<String> location;

    @ConfigProperty(name = "mp.jwt.verify.publickey")
    Optional<String> inlineKey;

    void onStart(@Observes StartupEvent event) {
        if (inlineKey.isPresent()) {
            return;
        }
        String where = location.orElseThrow(() -> new IllegalStateException(
                "no JWT verification key: set MP_JWT_VERIFY_PUBLICKEY_LOCATION to user-service's public key (PEM)"));
        // Only plain file paths are checked here; classpath: and URL locations are left to smallrye-jwt.
        if (!where.contains(":") && !Files.isReadable(Path.of(where))) {
            throw new IllegalStateException("JWT verification key " + where
                    + " (MP_JWT_VERIFY_PUBLICKEY_LOCATION) is not a readable file");
        }
    }
}

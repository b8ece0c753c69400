package dev.chat.users.health;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** {@code chat.health.*}: the background probe readiness is answered from. */
@ConfigMapping(prefix = "chat.health")
public interface HealthConfig {
    /** {@code chat.health.probe-interval}: how often the probe asks PostgreSQL; readiness fails after three misses. */
    @WithDefault("PT1S")
    Duration probeInterval();
}

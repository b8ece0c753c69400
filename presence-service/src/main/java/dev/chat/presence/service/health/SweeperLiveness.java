package dev.chat.presence.service.health;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

import dev.chat.presence.service.sweep.SweepClock;

/**
 * Alive while the sweeper keeps ticking. It deliberately ignores Redis: an unreachable Redis makes the service
 * unready (the redis-client's readiness check), and restarting the process would not bring Redis back.
 */
@Liveness
@ApplicationScoped
public class SweeperLiveness implements HealthCheck {
    @Inject
    SweepClock clock;

    /** Silence allowed before the scheduler counts as stuck; well above the tick interval and sweep timeout. */
    @ConfigProperty(name = "chat.presence.liveness-max-silence", defaultValue = "60s")
    Duration maxSilence;

    @Override
    public HealthCheckResponse call() {
        long silentMs = System.currentTimeMillis() - clock.lastTickStarted();
        return HealthCheckResponse.named("presence-sweeper")
                .status(silentMs <= maxSilence.toMillis())
                .withData("msSinceLastTick", silentMs)
                .build();
    }
}

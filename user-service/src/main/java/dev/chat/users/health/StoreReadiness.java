package dev.chat.users.health;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;

/**
 * Ready while the background probe ({@link StoreProbe}) reaches PostgreSQL. Answered from memory on the event loop:
 * never queued behind password hashing, so HAProxy's check does not time out under a login storm.
 */
@Readiness
@ApplicationScoped
public class StoreReadiness implements AsyncHealthCheck {
    static final String NAME = "Reactive PostgreSQL connection (background probe)";

    private final StoreProbe probe;

    public StoreReadiness(StoreProbe probe) {
        this.probe = probe;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        boolean up = probe.up();
        var answer = HealthCheckResponse.named(NAME).status(up);
        if (!up) {
            answer.withData("problem", probe.problem());
        }
        return Uni.createFrom().item(answer.build());
    }
}

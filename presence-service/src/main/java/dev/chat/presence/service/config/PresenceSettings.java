package dev.chat.presence.service.config;

import java.time.Duration;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.chat.presence.model.PresenceKeys;

/**
 * The service's tunables under {@code chat.presence.*}. The sweep interval itself is read by the
 * {@code @Scheduled} expression; this bean holds what code needs.
 */
@ApplicationScoped
public class PresenceSettings {

    /**
     * How long a node may go without a heartbeat before it counts as dead. Unset means the value the chat
     * nodes are built against ({@link PresenceKeys#DEFAULT_NODE_TTL_MS}), so the two sides cannot drift
     * apart by a forgotten property.
     */
    @ConfigProperty(name = "chat.presence.node-ttl")
    Optional<Duration> nodeTtl;

    /** Upper bound for one sweep tick, so a hung Redis connection cannot block later ticks forever. */
    @ConfigProperty(name = "chat.presence.sweep-timeout", defaultValue = "5s")
    Duration sweepTimeout;

    /** Upper bound for one query's Redis round trip before answering 503. */
    @ConfigProperty(name = "chat.presence.query-timeout", defaultValue = "2s")
    Duration queryTimeout;

    /** Most user names one bulk query may carry. */
    @ConfigProperty(name = "chat.presence.max-bulk-users", defaultValue = "200")
    int maxBulkUsers;

    public long nodeTtlMillis() {
        return nodeTtl.map(Duration::toMillis).orElse(PresenceKeys.DEFAULT_NODE_TTL_MS);
    }

    /** Heartbeats at or after this instant are fresh; older ones belong to dead nodes. */
    public long freshSince(long nowMillis) {
        return nowMillis - nodeTtlMillis();
    }

    public Duration sweepTimeout() {
        return sweepTimeout;
    }

    public Duration queryTimeout() {
        return queryTimeout;
    }

    public int maxBulkUsers() {
        return maxBulkUsers;
    }
}

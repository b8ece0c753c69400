package dev.chat.node.delivery;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * What one user may cost delivery on this node, under {@code chat.limits.*} (the socket's own limits, under the
 * same prefix, are {@code sockets.SocketLimits}).
 */
@ConfigMapping(prefix = "chat.limits")
public interface DeliveryLimits {
    /** Sends a user may make per second on one node, sustained (a token bucket)... */
    @WithDefault("20")
    double sendsPerSecond();

    /** ...and in a burst. */
    @WithDefault("60")
    int sendBurst();

    /**
     * Delivery rows (one per member but the sender) a user's group sends may write per second on one node,
     * sustained: a group send costs its size, so a large group is a slow one to send to (docs/protocol.md)...
     */
    @WithDefault("500")
    double groupRowsPerSecond();

    /** ...and at once: two sends to a group of 5,000, or a burst of 200 to a group of 50. */
    @WithDefault("10000")
    int groupRowBurst();

    /** Messages pushed to a user on this node and not acked yet; past it new ones wait in PostgreSQL. */
    @WithDefault("2000")
    int maxUnackedPerUser();
}

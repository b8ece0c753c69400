package dev.chat.node.sockets;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * How much one socket may hold back, under {@code chat.limits.*} (what a user may cost delivery, under the same
 * prefix, is {@code delivery.DeliveryLimits}).
 */
@ConfigMapping(prefix = "chat.limits")
public interface SocketLimits {
    /**
     * Frames written to one socket that the network has not taken yet; past it the socket is cut off. Messages
     * stop being pushed to a socket at half of it (they wait in PostgreSQL for the next sweep).
     */
    @WithDefault("1000")
    int maxPendingWrites();

    /** How long a socket may take no message while messages wait for it before it is cut off as slow. */
    @WithDefault("10s")
    Duration slowConsumerGrace();
}

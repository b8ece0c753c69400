package dev.chat.node.config;

import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Who this node is, under {@code chat.node.*}. Every package owns its own settings (e.g.
 * {@code delivery.DeliveryConfig}, {@code sockets.SocketLimits}); only what the whole node shares is here.
 */
@ConfigMapping(prefix = "chat.node")
public interface NodeConfig {
    /** This node's id in the presence map and its Redis channel name; unique per running node. */
    Optional<String> id();

    /**
     * Migrate the schema while the rest of the node starts (readiness waits for it) rather than before:
     * the migration's half second is then no longer added to the time to ready. Tests turn it off, so that
     * the tables exist before their first request.
     */
    @WithDefault("true")
    boolean migrateInBackground();
}

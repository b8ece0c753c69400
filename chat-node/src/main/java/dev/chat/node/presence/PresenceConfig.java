package dev.chat.node.presence;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The presence map's settings on a chat node, under {@code chat.presence.*}. */
@ConfigMapping(prefix = "chat.presence")
public interface PresenceConfig {
    /**
     * How often the node refreshes its heartbeat; presence-service evicts a node silent for 5 s. Read by
     * {@link NodeHeartbeat}'s schedule ({@code ${chat.presence.heartbeat-interval}}).
     */
    @WithDefault("1s")
    Duration heartbeatInterval();
}

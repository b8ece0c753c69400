package dev.chat.node.lifecycle;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How the node leaves, under {@code chat.drain.*}. */
@ConfigMapping(prefix = "chat.drain")
public interface DrainConfig {
    /**
     * How long after SIGTERM the node closes its sockets: long enough for HAProxy's health check (every
     * second, two failures) to stop sending it new ones; shorter than {@code quarkus.shutdown.delay}.
     */
    @WithDefault("2500ms")
    Duration closeSocketsAfter();
}

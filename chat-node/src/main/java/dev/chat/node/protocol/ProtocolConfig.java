package dev.chat.node.protocol;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The protocol's own limit. Its key, {@code chat.delivery.max-body-chars}, keeps the name it had when one mapping
 * held every setting (deployments set it); delivery's settings share the prefix ({@code delivery.DeliveryConfig}).
 */
@ConfigMapping(prefix = "chat.delivery")
public interface ProtocolConfig {
    /** The longest accepted message body, in characters (documented in docs/protocol.md). */
    @WithDefault("4000")
    int maxBodyChars();
}

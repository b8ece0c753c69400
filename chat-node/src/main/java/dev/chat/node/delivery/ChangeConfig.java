package dev.chat.node.delivery;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Edits and deletes, under {@code chat.changes.*} (docs/protocol.md). */
@ConfigMapping(prefix = "chat.changes")
public interface ChangeConfig {
    /** How long after sending a person may edit or delete their own message. Group owners and admins delete any time. */
    @WithDefault("15m")
    Duration window();
}

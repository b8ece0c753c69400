package dev.chat.node.groups;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Group invite codes, under {@code chat.groups.*}: what a code gets unless its maker asks otherwise, and the most
 * it may ask for.
 */
@ConfigMapping(prefix = "chat.groups")
public interface GroupsConfig {
    @WithDefault("7d")
    Duration inviteLifetime();

    @WithDefault("30d")
    Duration inviteMaxLifetime();

    @WithDefault("100")
    int inviteUses();

    @WithDefault("1000")
    int inviteMaxUses();
}

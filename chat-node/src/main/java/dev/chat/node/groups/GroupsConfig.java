package dev.chat.node.groups;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Groups, under {@code chat.groups.*}: what an invite code gets unless its maker asks otherwise, the most it may
 * ask for, and the size past which members are added only with their consent.
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

    /**
     * Consent: a group larger than this takes only members who have sent the adder a direct message; anyone else
     * joins by invite code, of their own accord (docs/protocol.md, "Groups").
     */
    @WithDefault("20")
    int maxSizeWithoutConsent();
}

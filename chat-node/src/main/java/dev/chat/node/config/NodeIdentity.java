package dev.chat.node.config;

import java.util.UUID;

import jakarta.inject.Singleton;

/** The id this node goes by in the presence map and on its Redis channel. */
@Singleton
public class NodeIdentity {
    private final String id;

    NodeIdentity(ChatConfig config) {
        // A random id keeps two test nodes in one Redis apart; the start script names its nodes.
        this.id = config.node().id().filter(s -> !s.isBlank())
                .orElseGet(() -> "node-" + UUID.randomUUID().toString().substring(0, 8));
    }

    public String id() {
        return id;
    }
}

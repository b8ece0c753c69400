package dev.chat.node.config;

import java.util.UUID;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

/** The id this node goes by in the presence map and on its Redis channel. */
@Singleton
public class NodeIdentity {
    private final String id;

    @Inject
    NodeIdentity(NodeConfig config) {
        // A random id keeps two test nodes in one Redis apart; the start script names its nodes.
        this(config.id().filter(s -> !s.isBlank())
                .orElseGet(() -> "node-" + UUID.randomUUID().toString().substring(0, 8)));
    }

    /** A node named {@code id}: for unit tests that run several nodes in one JVM. */
    public NodeIdentity(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }
}

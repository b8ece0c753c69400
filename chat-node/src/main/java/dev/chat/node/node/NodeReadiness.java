package dev.chat.node.node;

import jakarta.inject.Singleton;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import dev.chat.node.redis.CommandLink;
import dev.chat.node.routing.Broker;

/**
 * Ready to take sockets: this node can publish, hears what others publish to it, and is not draining.
 * (PostgreSQL and Redis have their own readiness checks from their extensions.)
 */
@Singleton
@Readiness
public class NodeReadiness implements HealthCheck {
    private final CommandLink commands;
    private final Broker broker;
    private final Drain drain;
    private final NodeIdentity node;

    NodeReadiness(CommandLink commands, Broker broker, Drain drain, NodeIdentity node) {
        this.commands = commands;
        this.broker = broker;
        this.drain = drain;
        this.node = node;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("chat-node")
                .status(commands.isUp() && broker.isListening() && !drain.isDraining())
                .withData("node", node.id())
                .withData("redisCommands", commands.isUp())
                .withData("subscribed", broker.isListening())
                .withData("draining", drain.isDraining())
                .build();
    }
}

package dev.chat.node.node;

import jakarta.inject.Singleton;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import dev.chat.node.redis.CommandLink;
import dev.chat.node.routing.Broker;

/** Not ready while this node cannot publish or cannot hear what others publish to it. */
@Singleton
@Readiness
public class RoutingReadiness implements HealthCheck {
    private final CommandLink commands;
    private final Broker broker;

    RoutingReadiness(CommandLink commands, Broker broker) {
        this.commands = commands;
        this.broker = broker;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("chat-node routing")
                .status(commands.isUp() && broker.isListening())
                .withData("commands", commands.isUp())
                .withData("subscribed", broker.isListening())
                .build();
    }
}

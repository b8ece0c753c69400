package dev.chat.node.lifecycle;

import jakarta.inject.Singleton;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import dev.chat.node.config.NodeIdentity;
import dev.chat.node.postgres.PostgresCalls;
import dev.chat.node.redis.CommandLink;
import dev.chat.node.routing.Broker;

/**
 * Ready to take sockets: this node can publish, hears what others publish to it, PostgreSQL answers with the
 * schema migrated, and it is not draining. Every part is a state kept up to date in the background, so the check answers at once however
 * busy the node is; the extensions' own Redis and PostgreSQL checks, which queue a command behind the load, are
 * off (application.properties). The data also says how long ago PostgreSQL and Redis last answered a call
 * ({@code postgresLastSuccessMs}, {@code redisLastReplyMs}; -1 before the first), which tells a stale link from a
 * fresh one while the node is not ready.
 */
@Singleton
@Readiness
public class NodeReadiness implements HealthCheck {
    private final CommandLink commands;
    private final Broker broker;
    private final Drain drain;
    private final NodeIdentity node;
    private final DatabaseProbe database;
    private final SchemaMigration schema;
    private final PostgresCalls postgres;

    NodeReadiness(CommandLink commands, Broker broker, Drain drain, NodeIdentity node, DatabaseProbe database,
            SchemaMigration schema, PostgresCalls postgres) {
        this.postgres = postgres;
        this.database = database;
        this.schema = schema;
        this.commands = commands;
        this.broker = broker;
        this.drain = drain;
        this.node = node;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("chat-node")
                .status(commands.isUp() && broker.isListening() && database.isUp() && schema.isDone()
                        && !drain.isDraining())
                .withData("node", node.id())
                .withData("redisCommands", commands.isUp())
                .withData("subscribed", broker.isListening())
                .withData("postgres", database.isUp())
                .withData("schema", schema.isDone())
                .withData("draining", drain.isDraining())
                .withData("postgresLastSuccessMs", postgres.sinceLastSuccessMillis())
                .withData("redisLastReplyMs", commands.sinceLastReplyMillis())
                .build();
    }
}

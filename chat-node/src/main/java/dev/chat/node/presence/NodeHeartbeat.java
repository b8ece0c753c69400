package dev.chat.node.presence;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.chat.node.config.NodeIdentity;
import dev.chat.node.redis.CommandLink;
import dev.chat.presence.model.PresenceKeys;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Request;

/**
 * Keeps this node alive in the presence map. When the heartbeat finds the node's entry gone (first beat,
 * evicted by presence-service after a stall, or Redis restarted empty) it writes every local socket again,
 * so routing to this node recovers within one beat.
 */
@Singleton
public class NodeHeartbeat {
    private static final Logger LOG = Logger.getLogger(NodeHeartbeat.class);

    private final CommandLink redis;
    private final HeldSockets sockets;
    private final String node;
    private final Counter beats;
    private volatile boolean stopped;

    NodeHeartbeat(CommandLink redis, HeldSockets sockets, NodeIdentity identity, MeterRegistry registry) {
        this.beats = Counter.builder("chat.node.heartbeats").description("heartbeats written to the presence map")
                .register(registry);
        this.redis = redis;
        this.sockets = sockets;
        this.node = identity.id();
    }

    @Scheduled(every = "${chat.presence.heartbeat-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> beat() {
        if (stopped || !redis.isUp()) {
            return Uni.createFrom().voidItem();
        }
        return redis.send(Request.cmd(Command.ZADD).arg(PresenceKeys.NODES).arg(System.currentTimeMillis()).arg(node))
                .invoke(() -> beats.increment())
                .onItem().transformToUni(added -> added != null && added.toInteger() == 1 ? rewrite() : Uni.createFrom().voidItem())
                .onFailure().recoverWithUni(e -> {
                    LOG.warnf("node=%s heartbeat failed: %s", node, e.getMessage());
                    return Uni.createFrom().voidItem();
                });
    }

    /** Writes every socket of this node into the presence map (absolute counts, so repeating is harmless). */
    Uni<Void> rewrite() {
        List<Request> batch = new ArrayList<>();
        Map<String, List<String>> held = sockets.socketIdsByUser();
        for (Map.Entry<String, List<String>> e : held.entrySet()) {
            for (String socketId : e.getValue()) {
                batch.add(Request.cmd(Command.HSET).arg(PresenceKeys.nodeSockets(node)).arg(socketId).arg(e.getKey()));
            }
            batch.add(Request.cmd(Command.HSET).arg(PresenceKeys.user(e.getKey())).arg(node).arg(e.getValue().size()));
        }
        if (batch.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        LOG.infof("node=%s registering %d users again in the presence map", node, held.size());
        return redis.batch(batch).replaceWithVoid();
    }

    /** No more beats: the node is leaving and removes itself. */
    public void stop() {
        stopped = true;
    }
}

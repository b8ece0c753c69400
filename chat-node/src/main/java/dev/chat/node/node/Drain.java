package dev.chat.node.node;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

import dev.chat.node.presence.NodeHeartbeat;
import dev.chat.node.socket.LocalSockets;
import dev.chat.presence.model.NodeEviction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Redis;

/**
 * Leaving without losing anything: readiness goes down (HAProxy stops sending new sockets), every socket
 * is closed with 1012 "service restart" so clients reconnect elsewhere at once, and the node removes its
 * own presence entries instead of waiting for presence-service to time it out. Unacked messages stay in
 * PostgreSQL and follow each user to their new node.
 */
@Singleton
@Readiness
public class Drain implements HealthCheck {
    private static final Logger LOG = Logger.getLogger(Drain.class);
    private static final CloseReason RESTART = new CloseReason(1012, "node draining; reconnect");

    private final LocalSockets sockets;
    private final NodeHeartbeat heartbeat;
    private final Redis redis;
    private final String node;
    private volatile boolean draining;

    Drain(LocalSockets sockets, NodeHeartbeat heartbeat, Redis redis, NodeIdentity identity) {
        this.sockets = sockets;
        this.heartbeat = heartbeat;
        this.redis = redis;
        this.node = identity.id();
    }

    public boolean isDraining() {
        return draining;
    }

    /** Starts a drain; safe to call more than once. */
    public Uni<Void> drain() {
        draining = true;
        heartbeat.stop();
        List<Uni<Void>> closing = new ArrayList<>();
        for (Set<WebSocketConnection> set : sockets.snapshot().values()) {
            for (WebSocketConnection c : set) {
                closing.add(c.close(RESTART).onFailure().recoverWithNull());
            }
        }
        LOG.infof("node=%s draining: closing %d sockets", node, closing.size());
        Uni<Void> closed = closing.isEmpty() ? Uni.createFrom().voidItem()
                : Uni.join().all(closing).andCollectFailures().replaceWithVoid().onFailure().recoverWithNull();
        return closed.chain(() -> NodeEviction.evict(redis, node))
                .invoke(users -> LOG.infof("node=%s left the presence map (%d users)", node, users.size()))
                .onFailure().invoke(e -> LOG.warnf("node=%s could not leave the presence map (%s); presence-service "
                        + "will evict it", node, e.getMessage()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    void onShutdown(@Observes ShutdownEvent event) {
        try {
            drain().await().atMost(Duration.ofSeconds(5));
        } catch (RuntimeException e) {
            LOG.warnf("node=%s drain at shutdown incomplete: %s", node, e.getMessage());
        }
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("chat-node drain").status(!draining).withData("node", node).build();
    }
}

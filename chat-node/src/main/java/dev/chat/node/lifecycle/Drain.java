package dev.chat.node.lifecycle;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.chat.node.config.NodeIdentity;
import dev.chat.node.presence.NodeHeartbeat;
import dev.chat.node.sockets.LocalSockets;
import dev.chat.presence.model.NodeEviction;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import dev.chat.node.protocol.CloseCode;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Redis;

/**
 * Leaving without losing anything. On SIGTERM Quarkus first runs a shutdown delay
 * ({@code quarkus.shutdown.delay}); at its start readiness goes down and new upgrades are refused with
 * 503, so HAProxy's health check takes the node out of rotation; shortly before the delay ends every socket
 * is closed with 1012 "service restart", so clients reconnect to the other nodes at once, and the node
 * removes its own presence entries instead of waiting for presence-service to time it out. Unacked
 * messages stay in PostgreSQL and follow each user to their new node.
 */
@Singleton
public class Drain {
    private static final Logger LOG = Logger.getLogger(Drain.class);

    private final LocalSockets sockets;
    private final NodeHeartbeat heartbeat;
    private final Redis redis;
    private final Vertx vertx;
    private final DrainConfig config;
    private final String node;
    private volatile boolean draining;
    private volatile Uni<Void> drained;

    Drain(LocalSockets sockets, NodeHeartbeat heartbeat, Redis redis, Vertx vertx, DrainConfig config,
            NodeIdentity identity) {
        this.sockets = sockets;
        this.heartbeat = heartbeat;
        this.redis = redis;
        this.vertx = vertx;
        this.config = config;
        this.node = identity.id();
    }

    public boolean isDraining() {
        return draining;
    }

    /** Closes every socket and leaves the presence map; runs once, later calls share its outcome. */
    public synchronized Uni<Void> drain() {
        if (drained == null) {
            drained = closeAndLeave().memoize().indefinitely();
        }
        return drained;
    }

    private Uni<Void> closeAndLeave() {
        draining = true;
        heartbeat.stop();
        List<Uni<Void>> closing = new ArrayList<>();
        sockets.forEach((user, c) -> closing.add(c.close(CloseCode.DRAINING.closeReason()).onFailure().recoverWithNull()));
        LOG.infof("node=%s draining: closing %d sockets", node, closing.size());
        Uni<Void> closed = closing.isEmpty() ? Uni.createFrom().voidItem()
                : Uni.join().all(closing).andCollectFailures().replaceWithVoid().onFailure().recoverWithNull();
        return closed.chain(() -> NodeEviction.evict(redis, node))
                .invoke(users -> LOG.infof("node=%s left the presence map (%d users)", node, users.size()))
                .onFailure().invoke(e -> LOG.warnf("node=%s could not leave the presence map (%s); presence-service "
                        + "will evict it", node, e.getMessage()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /** SIGTERM: out of rotation now, sockets closed once HAProxy has had two health checks to notice. */
    void onShutdownDelay(@Observes ShutdownDelayInitiatedEvent event) {
        draining = true;
        long closeAfter = Math.max(1, config.closeSocketsAfter().toMillis());
        LOG.infof("node=%s draining: not ready; closing sockets in %d ms", node, closeAfter);
        vertx.setTimer(closeAfter, t -> drain().subscribe().with(x -> {
        }, e -> {
        }));
    }

    /** The last step of any shutdown; after a delay-drain it finds nothing left to do but is harmless. */
    void onShutdown(@Observes ShutdownEvent event) {
        try {
            drain().await().atMost(Duration.ofSeconds(5));
        } catch (RuntimeException e) {
            LOG.warnf("node=%s drain at shutdown incomplete: %s", node, e.getMessage());
        }
    }
}

package dev.chat.node.routing;

import java.util.Set;

import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.chat.node.delivery.Pusher;
import dev.chat.node.node.NodeIdentity;
import dev.chat.node.presence.PresenceManager;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Sends a stored message towards the recipient's sockets: one presence lookup, then one publish per node
 * that holds them, or a direct write when that node is this one. Best effort by design: whatever does not
 * arrive is still in PostgreSQL and reaches the recipient through the sweep or their next connect.
 */
@Singleton
public class Router {
    private static final Logger LOG = Logger.getLogger(Router.class);

    private final PresenceManager presence;
    private final Broker broker;
    private final Pusher pusher;
    private final String self;
    private final Counter published;
    private final Counter unheard;
    private final Counter redisErrors;

    Router(PresenceManager presence, Broker broker, Pusher pusher, NodeIdentity identity, MeterRegistry registry) {
        this.presence = presence;
        this.broker = broker;
        this.pusher = pusher;
        this.self = identity.id();
        this.published = Counter.builder("chat.messages.routed").tag("via", "redis").register(registry);
        this.redisErrors = Counter.builder("chat.redis.errors").description("Redis commands that failed")
                .register(registry);
        this.unheard = Counter.builder("chat.messages.unheard")
                .description("publishes no node was subscribed to; the message waits in PostgreSQL")
                .register(registry);
    }

    /** Routes a msg frame: it is pushed again until acked (see InFlight and the sweep). */
    public void route(String to, String id, String frame) {
        presence.nodesOf(to).subscribe().with(nodes -> deliver(nodes, to, id, frame),
                e -> {
                    redisErrors.increment();
                    LOG.warnf("node=%s user=%s msg=%s presence lookup failed (%s); left to the sweep", self, to, id,
                            e.getMessage());
                });
    }

    /** Routes a notice nobody acks (e.g. delivered): at most once, to the sockets open right now. */
    public void notify(String to, String frame) {
        presence.nodesOf(to).subscribe().with(nodes -> deliver(nodes, to, "", frame),
                e -> LOG.debugf("node=%s user=%s notice dropped: %s", self, to, e.getMessage()));
    }

    private void deliver(Set<String> nodes, String to, String id, String frame) {
        for (RouteTarget target : RouteTarget.of(nodes, self)) {
            if (target.local()) {
                write(to, id, frame);
                continue;
            }
            published.increment();
            broker.publish(target.node(), new Envelope(to, id, frame).encode()).subscribe().with(receivers -> {
                if (receivers == 0) {
                    unheard.increment();
                    LOG.debugf("node=%s user=%s msg=%s no subscriber on %s; left to the sweep", self, to, id,
                            target.node());
                }
            }, e -> {
                redisErrors.increment();
                LOG.warnf("node=%s user=%s msg=%s publish to %s failed (%s); left to the sweep", self, to, id,
                        target.node(), e.getMessage());
            });
        }
    }

    /** Receives what other nodes published to this one. */
    public void onPayload(String payload) {
        Envelope e = Envelope.decode(payload);
        if (e == null) {
            LOG.warnf("node=%s dropped a payload that is not an envelope", self);
            return;
        }
        write(e.recipient(), e.id(), e.frame());
    }

    private void write(String user, String id, String frame) {
        if (id.isEmpty()) {
            pusher.notice(user, frame);
        } else {
            pusher.push(user, id, frame);
        }
    }
}

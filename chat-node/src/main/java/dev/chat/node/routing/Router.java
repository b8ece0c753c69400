package dev.chat.node.routing;

import java.util.Collection;
import java.util.List;

import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.chat.node.config.ChatLog;
import dev.chat.node.config.NodeIdentity;
import dev.chat.node.presence.PresenceManager;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Sends a stored message towards its recipients' sockets: one presence lookup (one round trip for any
 * number of recipients), then one publish per node that holds any of them, or a direct write when that
 * node is this one. Best effort by design: whatever does not arrive is still in PostgreSQL and reaches the
 * recipient through the sweep or their next connect.
 */
@Singleton
public class Router {
    private static final Logger LOG = Logger.getLogger(Router.class);
    private static final ChatLog CLOG = ChatLog.of(Router.class);

    private final PresenceManager presence;
    private final Broker broker;
    private final LocalRecipients local;
    private final String self;
    private final Counter published;
    private final Counter unheard;
    private final Counter redisErrors;

    public Router(PresenceManager presence, Broker broker, LocalRecipients local, NodeIdentity identity, MeterRegistry registry) {
        this.presence = presence;
        this.broker = broker;
        this.local = local;
        this.self = identity.id();
        this.published = Counter.builder("chat.messages.routed").tag("via", "redis").register(registry);
        this.redisErrors = Counter.builder("chat.redis.errors").description("Redis commands that failed")
                .register(registry);
        this.unheard = Counter.builder("chat.messages.unheard")
                .description("publishes no node was subscribed to; the message waits in PostgreSQL")
                .register(registry);
    }

    /** Routes a msg frame to one user: it is pushed again until acked (see InFlight and the sweep). */
    public void route(String to, String id, String frame) {
        presence.nodesOf(to).subscribe().with(nodes -> deliver(RouteTarget.plan(to, nodes, self), id, frame),
                e -> lookupFailed(to, id, e));
    }

    /** Routes a msg frame to many users (a group's members), grouped by the node that holds them. */
    public void route(Collection<String> recipients, String id, String frame) {
        if (recipients.isEmpty()) {
            return;
        }
        presence.nodesOf(recipients).subscribe().with(byUser -> deliver(RouteTarget.plan(byUser, self), id, frame),
                e -> lookupFailed(recipients.size() + " members", id, e));
    }

    /** Routes a notice nobody acks (delivered, typing): at most once, to the sockets open right now. */
    public void notify(String to, String frame) {
        presence.nodesOf(to).subscribe().with(nodes -> deliver(RouteTarget.plan(to, nodes, self), "", frame),
                e -> CLOG.debug(to, null, "user=%s notice dropped: %s", to, e.getMessage()));
    }

    public void notify(Collection<String> recipients, String frame) {
        presence.nodesOf(recipients).subscribe().with(byUser -> deliver(RouteTarget.plan(byUser, self), "", frame),
                e -> LOG.debugf("node=%s notice to %d users dropped: %s", self, recipients.size(), e.getMessage()));
    }

    private void lookupFailed(String to, String id, Throwable e) {
        redisErrors.increment();
        CLOG.warn(to, id, "user=%s msg=%s presence lookup failed (%s); left to the sweep", to, id, e.getMessage());
    }

    private void deliver(List<RouteTarget> targets, String id, String frame) {
        for (RouteTarget target : targets) {
            if (target.local()) {
                write(target.recipients(), id, frame);
                continue;
            }
            if (!id.isEmpty()) {
                published.increment();
            }
            broker.publish(target.node(), new Envelope(target.recipients(), id, frame).encode()).subscribe().with(
                    receivers -> {
                        if (receivers == 0 && !id.isEmpty()) {
                            unheard.increment();
                            LOG.debugf("node=%s msg=%s no subscriber on %s; left to the sweep", self, id, target.node());
                        }
                    }, e -> {
                        redisErrors.increment();
                        LOG.warnf("node=%s msg=%s publish to %s failed (%s); left to the sweep", self, id,
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
        write(e.recipients(), e.id(), e.frame());
    }

    private void write(List<String> users, String id, String frame) {
        for (String user : users) {
            if (id.isEmpty()) {
                local.notice(user, frame);
            } else {
                local.push(user, id, frame);
            }
        }
    }
}

package dev.chat.node.routing;

import java.util.function.Consumer;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.chat.node.config.NodeIdentity;
import dev.chat.node.redis.CommandLink;
import dev.chat.node.redis.RedisLink;
import dev.chat.node.redis.RedisMode;
import dev.chat.presence.model.PresenceKeys;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import io.vertx.redis.client.ResponseType;

/**
 * {@link Broker} on Redis pub/sub: one channel per node, publishes pipelined on the node's command link,
 * and one dedicated subscriber connection per node.
 *
 * <p>With sharded pub/sub ({@link RedisMode#shardedPubSub()}, Redis 7) the node channel is a sharded channel:
 * SPUBLISH / SSUBSCRIBE, pushes named {@code smessage}. On a Redis Cluster the client routes both by the
 * channel's hash slot, so a node's messages travel only through the shard that owns its channel, never over
 * the cluster bus to every shard. When that slot moves to another shard, the old owner unsubscribes the node
 * ({@code sunsubscribe} push); the subscriber then reconnects, which reads the slot map again and subscribes at
 * the new owner. Meanwhile payloads may be lost, which the sweep makes up for, as after any gap.
 *
 * <p>A subscriber connection can go deaf without closing: its server frozen, cut off, or left behind by a Sentinel
 * failover while publishes go to the new master. So, on a single Redis or through Sentinels, the node asks every
 * second over its command link (which reaches the server publishes go to) how many subscribe to its channel there
 * (PUBSUB NUMSUB); when the answer has been 0 for {@link #DEAF_AFTER_MS} the subscriber connects again (in sentinel
 * mode, to the master the Sentinels name now) and subscribes anew; the sweep then delivers what the gap dropped.
 * A question, not a publish, so that the node's channel carries only messages. On a Redis Cluster, where a
 * failover moves a slot's subscribers with it, the slot-move handling above does this job.
 */
@Singleton
public class RedisBroker implements Broker {
    private static final Logger LOG = Logger.getLogger(RedisBroker.class);

    private final CommandLink commands;
    private final Redis redis;
    private final Vertx vertx;
    private final String channel;
    private final boolean sharded;
    private final Command publish;
    private final Command subscribe;
    private final String messageKind;
    private final String subscribeKind;
    private final String unsubscribeKind;
    private final java.time.Duration callTimeout;
    private static final long SUBSCRIBE_TIMEOUT_MS = 5_000;
    private static final long RESUBSCRIBE_DELAY_MS = 100;
    private static final long PROBE_EVERY_MS = 1_000;
    static final long DEAF_AFTER_MS = 3_000;

    private volatile RedisLink subscriber;
    private volatile boolean listening;
    private volatile long subscriptions;
    private volatile Runnable onSubscribed;
    /** System.nanoTime() when Redis last counted this node among its channel's subscribers, or it last subscribed. */
    private volatile long lastHeard;
    private final boolean probing;
    private volatile long probeTimer = -1;

    RedisBroker(CommandLink commands, Redis redis, Vertx vertx, NodeIdentity identity, RedisMode mode) {
        this.commands = commands;
        this.redis = redis;
        this.vertx = vertx;
        this.channel = PresenceKeys.channel(identity.id());
        this.sharded = mode.shardedPubSub();
        this.publish = sharded ? Command.SPUBLISH : Command.PUBLISH;
        this.subscribe = sharded ? Command.SSUBSCRIBE : Command.SUBSCRIBE;
        this.messageKind = sharded ? "smessage" : "message";
        this.subscribeKind = sharded ? "ssubscribe" : "subscribe";
        this.unsubscribeKind = sharded ? "sunsubscribe" : "unsubscribe";
        this.callTimeout = mode.callTimeout();
        this.probing = !mode.cluster();
        LOG.infof("node channel %s: Redis %s", channel, mode);
    }

    @Override
    public Uni<Long> publish(String node, String payload) {
        return commands.send(Request.cmd(publish).arg(PresenceKeys.channel(node)).arg(payload))
                .map(Response::toLong);
    }

    @Override
    public void listen(Consumer<String> onPayload, Runnable onSubscribed) {
        this.onSubscribed = onSubscribed;
        subscriber = new RedisLink("subscriber", redis, vertx, callTimeout, push -> onPush(push, onPayload), link -> {
            listening = false;
            long generation = ++subscriptions;
            // The confirmation may come as the command's reply or only as a push (it depends on the protocol
            // version and on timing): either one counts, once.
            link.send(Request.cmd(subscribe).arg(channel)).subscribe().with(ok -> subscribed(generation),
                    e -> LOG.warnf("%s %s failed: %s", subscribeKind, channel, e.getMessage()));
            vertx.setTimer(SUBSCRIBE_TIMEOUT_MS, t -> {
                if (!listening && generation == subscriptions) {
                    LOG.warnf("no confirmation of %s %s within %d ms; reconnecting", subscribeKind, channel,
                            SUBSCRIBE_TIMEOUT_MS);
                    link.restart();
                }
            });
        });
        subscriber.open();
        if (probing) {
            probeTimer = vertx.setPeriodic(PROBE_EVERY_MS, t -> probe());
        }
    }

    /**
     * Asks whether Redis, where this node's publishes go, counts a subscriber on its channel; starts the subscriber
     * over when it has not for {@link #DEAF_AFTER_MS}.
     */
    private void probe() {
        RedisLink s = subscriber;
        if (s == null || !listening) {
            return;
        }
        if (System.nanoTime() - lastHeard > DEAF_AFTER_MS * 1_000_000) {
            LOG.warnf("%s: Redis has not counted this node's subscription for %d ms; subscribing again", channel,
                    DEAF_AFTER_MS);
            listening = false;
            lastHeard = System.nanoTime();
            s.restart();
            return;
        }
        commands.send(Request.cmd(Command.PUBSUB).arg("NUMSUB").arg(channel)).subscribe().with(r -> {
            // A flat [channel, count] array (RESP2) or a map (RESP3): get(key) reads both.
            Response n = r == null ? null : r.get(channel);
            if (n != null && n.toLong() > 0) {
                lastHeard = System.nanoTime();
            }
        }, e -> LOG.debugf("PUBSUB NUMSUB %s failed: %s", channel, e.getMessage()));
    }

    private synchronized void subscribed(long generation) {
        if (listening || generation != subscriptions) {
            return;
        }
        listening = true;
        lastHeard = System.nanoTime();
        LOG.infof("subscribed to %s", channel);
        onSubscribed.run();
    }

    /**
     * Pub/sub pushes arrive as ["message", channel, payload] (sharded: "smessage"), RESP2 multi-bulk or RESP3
     * push. An unsubscribe nobody asked for (a sharded channel whose slot moved to another shard, or one whose
     * shard was removed) starts the subscriber over, which subscribes again wherever the slot lives now.
     */
    private void onPush(Response push, Consumer<String> onPayload) {
        if (push == null || (push.type() != ResponseType.PUSH && push.type() != ResponseType.MULTI) || push.size() < 3) {
            return;
        }
        String kind = push.get(0).toString();
        if (messageKind.equals(kind)) {
            onPayload.accept(push.get(2).toString());
        } else if (subscribeKind.equals(kind)) {
            subscribed(subscriptions);
        } else if (unsubscribeKind.equals(kind)) {
            listening = false;
            RedisLink s = subscriber;
            if (sharded && s != null) {
                LOG.warnf("%s was unsubscribed by Redis (its slot moved?); subscribing again", channel);
                vertx.setTimer(RESUBSCRIBE_DELAY_MS, t -> s.restart());
            }
        }
    }

    @Override
    public boolean isListening() {
        RedisLink s = subscriber;
        return listening && s != null && s.isUp();
    }

    @PreDestroy
    void close() {
        if (probeTimer >= 0) {
            vertx.cancelTimer(probeTimer);
        }
        RedisLink s = subscriber;
        if (s != null) {
            s.close();
        }
    }
}

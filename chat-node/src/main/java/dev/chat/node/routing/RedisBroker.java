package dev.chat.node.routing;

import java.util.function.Consumer;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.chat.node.node.NodeIdentity;
import dev.chat.node.redis.CommandLink;
import dev.chat.node.redis.RedisLink;
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
 */
@Singleton
public class RedisBroker implements Broker {
    private static final Logger LOG = Logger.getLogger(RedisBroker.class);

    private final CommandLink commands;
    private final Redis redis;
    private final Vertx vertx;
    private final String channel;
    private static final long SUBSCRIBE_TIMEOUT_MS = 5_000;

    private volatile RedisLink subscriber;
    private volatile boolean listening;
    private volatile long subscriptions;
    private volatile Runnable onSubscribed;

    RedisBroker(CommandLink commands, Redis redis, Vertx vertx, NodeIdentity identity) {
        this.commands = commands;
        this.redis = redis;
        this.vertx = vertx;
        this.channel = PresenceKeys.channel(identity.id());
    }

    @Override
    public Uni<Long> publish(String node, String payload) {
        return commands.send(Request.cmd(Command.PUBLISH).arg(PresenceKeys.channel(node)).arg(payload))
                .map(Response::toLong);
    }

    @Override
    public void listen(Consumer<String> onPayload, Runnable onSubscribed) {
        this.onSubscribed = onSubscribed;
        subscriber = new RedisLink("subscriber", redis, vertx, push -> onPush(push, onPayload), link -> {
            listening = false;
            long generation = ++subscriptions;
            // The confirmation may come as the command's reply or only as a push (it depends on the protocol
            // version and on timing): either one counts, once.
            link.send(Request.cmd(Command.SUBSCRIBE).arg(channel)).subscribe().with(ok -> subscribed(generation),
                    e -> LOG.warnf("subscribe to %s failed: %s", channel, e.getMessage()));
            vertx.setTimer(SUBSCRIBE_TIMEOUT_MS, t -> {
                if (!listening && generation == subscriptions) {
                    LOG.warnf("no confirmation of SUBSCRIBE %s within %d ms; reconnecting", channel, SUBSCRIBE_TIMEOUT_MS);
                    link.restart();
                }
            });
        });
        subscriber.open();
    }

    private synchronized void subscribed(long generation) {
        if (listening || generation != subscriptions) {
            return;
        }
        listening = true;
        LOG.infof("subscribed to %s", channel);
        onSubscribed.run();
    }

    /** Pub/sub pushes arrive as ["message", channel, payload] (RESP2 multi-bulk or RESP3 push). */
    private void onPush(Response push, Consumer<String> onPayload) {
        if (push == null || (push.type() != ResponseType.PUSH && push.type() != ResponseType.MULTI) || push.size() < 3) {
            return;
        }
        String kind = push.get(0).toString();
        if ("message".equals(kind)) {
            onPayload.accept(push.get(2).toString());
        } else if ("subscribe".equals(kind)) {
            subscribed(subscriptions);
        } else if ("unsubscribe".equals(kind)) {
            listening = false;
        }
    }

    @Override
    public boolean isListening() {
        RedisLink s = subscriber;
        return listening && s != null && s.isUp();
    }

    @PreDestroy
    void close() {
        RedisLink s = subscriber;
        if (s != null) {
            s.close();
        }
    }
}

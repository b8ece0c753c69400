package dev.chat.node.redis;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;

/**
 * The node's one link for Redis commands: presence writes and lookups, heartbeats and publishes share it,
 * pipelined. Listeners run after every (re)connect, so state Redis lost can be written again: the layers above
 * register what to restore ({@link #onConnect}); this package knows nothing of them. Every call answers within
 * {@link RedisMode#callTimeout()}.
 */
@Singleton
public class CommandLink {
    private final RedisLink link;
    private final boolean cluster;
    private final List<Runnable> onConnect = new CopyOnWriteArrayList<>();

    CommandLink(Redis redis, Vertx vertx, RedisMode mode) {
        this.cluster = mode.cluster();
        this.link = new RedisLink("commands", redis, vertx, mode.callTimeout(), null,
                l -> onConnect.forEach(Runnable::run));
        link.open();
    }

    /** {@code listener} runs after every (re)connect of the link, on its event loop; it must not block. */
    public void onConnect(Runnable listener) {
        onConnect.add(listener);
    }

    public Uni<Response> send(Request request) {
        return link.send(request);
    }

    /** Pipelined; on a Redis Cluster as single commands, since a batch's keys usually span shards there. */
    public Uni<List<Response>> batch(List<Request> requests) {
        return link.batch(requests, cluster);
    }

    public boolean isUp() {
        return link.isUp();
    }

    /** Milliseconds since Redis last answered on this link; -1 if it never did. */
    public long sinceLastReplyMillis() {
        return link.sinceLastReplyMillis();
    }

    @PreDestroy
    void close() {
        link.close();
    }
}

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
 * pipelined. Listeners run after every (re)connect, so state Redis lost can be written again.
 */
@Singleton
public class CommandLink {
    private final RedisLink link;
    private final boolean cluster;
    private final List<Runnable> onConnect = new CopyOnWriteArrayList<>();

    CommandLink(Redis redis, Vertx vertx, RedisMode mode) {
        this.cluster = mode.cluster();
        this.link = new RedisLink("commands", redis, vertx, null, l -> onConnect.forEach(Runnable::run));
        link.open();
    }

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

    @PreDestroy
    void close() {
        link.close();
    }
}

package dev.chat.presence.model;

import java.util.ArrayList;
import java.util.List;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.RedisConnection;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;

/**
 * Pipelined batches that work on a single Redis and on a Redis Cluster alike.
 *
 * <p>Vert.x's cluster client sends a batch to one shard only and refuses, before any I/O, a batch whose keys
 * live on different shards ("CROSSSLOT ... client side resharding is not supported"). The presence map spreads
 * its keys over every shard on purpose (one hash per user, {@link PresenceKeys}), so a lookup of many users
 * usually spans shards. Here such a refused batch is sent again as single commands on one connection: the
 * cluster client routes each to its shard, each shard's commands still share one pipelined connection and keep
 * their order, and the answers come back in the order of the requests. On a single Redis the batch is never
 * refused and nothing changes.
 */
public final class RedisBatches {
    private RedisBatches() {
    }

    /** Whether {@code e} is the cluster client's refusal of a batch (or command) spanning shards. */
    public static boolean crossSlot(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && m.contains("CROSSSLOT")) {
                return true;
            }
        }
        return false;
    }

    /** One batch on {@code connection}, split into single commands when the keys span shards. */
    public static Uni<List<Response>> batch(RedisConnection connection, List<Request> requests) {
        if (requests.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return connection.batch(requests).onFailure(RedisBatches::crossSlot)
                .recoverWithUni(() -> oneByOne(connection, requests));
    }

    /**
     * One batch through the client's pool; when the keys span shards, the commands go one by one over a single
     * connection taken from the pool (never one pooled connection per command, which would overflow its wait
     * queue for a node with thousands of users).
     */
    public static Uni<List<Response>> batch(Redis redis, List<Request> requests) {
        if (requests.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return redis.batch(requests).onFailure(RedisBatches::crossSlot)
                .recoverWithUni(() -> redis.connect().onItem().transformToUni(c -> oneByOne(c, requests)
                        .onTermination().call(() -> c.close().onFailure().recoverWithNull())));
    }

    /** Every request sent at once (pipelined), answers in request order; fails when any command fails. */
    public static Uni<List<Response>> oneByOne(RedisConnection connection, List<Request> requests) {
        List<Uni<Response>> sends = new ArrayList<>(requests.size());
        for (Request r : requests) {
            sends.add(connection.send(r));
        }
        if (sends.size() == 1) {
            return sends.get(0).map(r -> {
                List<Response> one = new ArrayList<>(1);
                one.add(r);
                return one;
            });
        }
        return Uni.join().all(sends).andFailFast();
    }
}

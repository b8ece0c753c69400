package dev.chat.node.redis;

import java.util.Locale;
import java.util.Optional;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * How this node uses Redis: a single server (the default) or a Redis Cluster
 * ({@code quarkus.redis.client-type=cluster}, {@code quarkus.redis.hosts} naming one or more of its masters),
 * and whether node channels use sharded pub/sub ({@code chat.redis.sharded-pubsub}: SSUBSCRIBE/SPUBLISH,
 * Redis 7). Unset, sharded pub/sub follows the client type: on a cluster, a classic PUBLISH is copied to every
 * shard over the cluster bus, which is what sharding is meant to avoid; a sharded channel lives on the one shard
 * that owns its hash slot, and only that shard carries its messages.
 */
@Singleton
public class RedisMode {
    private final boolean cluster;
    private final boolean sharded;

    @Inject
    RedisMode(@ConfigProperty(name = "quarkus.redis.client-type", defaultValue = "standalone") String clientType,
            @ConfigProperty(name = "chat.redis.sharded-pubsub") Optional<Boolean> shardedPubSub) {
        this.cluster = "cluster".equals(clientType.trim().toLowerCase(Locale.ROOT));
        this.sharded = shardedPubSub.orElse(cluster);
    }

    public RedisMode(boolean cluster, boolean sharded) {
        this.cluster = cluster;
        this.sharded = sharded;
    }

    /** The client talks to a Redis Cluster: multi-key batches may span shards (see {@link CommandLink#batch}). */
    public boolean cluster() {
        return cluster;
    }

    /** Node channels are sharded channels: SSUBSCRIBE / SPUBLISH / smessage. */
    public boolean shardedPubSub() {
        return sharded;
    }

    @Override
    public String toString() {
        return (cluster ? "cluster" : "standalone") + (sharded ? ", sharded pub/sub" : ", classic pub/sub");
    }
}

package dev.chat.node.redis;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * How this node uses Redis: a single server (the default), a master with replicas watched by Sentinels
 * ({@code quarkus.redis.client-type=sentinel}, {@code quarkus.redis.hosts} naming the Sentinels,
 * {@code quarkus.redis.master-name}; every link connects to the master they name) or a Redis Cluster
 * ({@code quarkus.redis.client-type=cluster}, {@code quarkus.redis.hosts} naming one or more of its masters),
 * and whether node channels use sharded pub/sub ({@code chat.redis.sharded-pubsub}: SSUBSCRIBE/SPUBLISH,
 * Redis 7). Unset, sharded pub/sub follows the client type: on a cluster, a classic PUBLISH is copied to every
 * shard over the cluster bus, which is what sharding is meant to avoid; a sharded channel lives on the one shard
 * that owns its hash slot, and only that shard carries its messages.
 *
 * <p>{@code chat.redis.call-timeout} bounds every command and connect of the node's links (see {@link RedisLink}).
 */
@Singleton
public class RedisMode {
    private static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(2);

    private final boolean cluster;
    private final boolean sentinel;
    private final boolean sharded;
    private final Duration callTimeout;

    @Inject
    RedisMode(@ConfigProperty(name = "quarkus.redis.client-type", defaultValue = "standalone") String clientType,
            @ConfigProperty(name = "chat.redis.sharded-pubsub") Optional<Boolean> shardedPubSub,
            @ConfigProperty(name = "chat.redis.call-timeout", defaultValue = "2s") Duration callTimeout) {
        String type = clientType.trim().toLowerCase(Locale.ROOT);
        this.cluster = "cluster".equals(type);
        this.sentinel = "sentinel".equals(type);
        this.sharded = shardedPubSub.orElse(cluster);
        this.callTimeout = callTimeout;
    }

    public RedisMode(boolean cluster, boolean sharded) {
        this.cluster = cluster;
        this.sentinel = false;
        this.sharded = sharded;
        this.callTimeout = DEFAULT_CALL_TIMEOUT;
    }

    /** The client talks to a Redis Cluster: multi-key batches may span shards (see {@link CommandLink#batch}). */
    public boolean cluster() {
        return cluster;
    }

    /** The client finds the master through Sentinels, and again after every reconnect (a failover moves it). */
    public boolean sentinel() {
        return sentinel;
    }

    /** How long a command, or a connect, may wait for Redis before it fails as unavailable. */
    public Duration callTimeout() {
        return callTimeout;
    }

    /** Node channels are sharded channels: SSUBSCRIBE / SPUBLISH / smessage. */
    public boolean shardedPubSub() {
        return sharded;
    }

    @Override
    public String toString() {
        return (cluster ? "cluster" : sentinel ? "sentinel" : "standalone") + (sharded ? ", sharded pub/sub" : ", classic pub/sub");
    }
}

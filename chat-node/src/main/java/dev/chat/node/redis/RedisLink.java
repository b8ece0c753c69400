package dev.chat.node.redis;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import org.jboss.logging.Logger;

import dev.chat.presence.model.RedisBatches;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.RedisConnection;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;

/**
 * One long-lived Redis connection that comes back by itself after Redis or the network fails.
 *
 * <p>Commands sent on it are pipelined and answered in order, which is why the node publishes through one
 * link: messages to a node's channel leave in the order they were accepted. While the link is down a
 * command fails at once with {@link RedisUnavailable} instead of queueing without bound; callers fall
 * back on PostgreSQL, which holds every accepted message anyway.
 *
 * <p>Every command, and every attempt to connect, is bounded by the link's timeout: a command without a reply
 * within it fails with {@link RedisUnavailable}, and the connection, which stopped answering (a frozen server, a
 * partition, a master that a failover left behind), is dropped and made again, through the Sentinels in sentinel
 * mode, so at the master they name now. After every (re)connect {@code onConnected} runs: whatever Redis lost
 * meanwhile (a failover loses the last writes it had not replicated) can be written again there.
 *
 * <p>A push handler, when given, is installed before {@code onConnected} runs, so a SUBSCRIBE sent there
 * never races its own confirmation (quarkus-redis-client's high-level subscribe can hang on that race).
 */
public final class RedisLink {
    private static final Logger LOG = Logger.getLogger(RedisLink.class);
    private static final long MAX_BACKOFF_MS = 2_000;

    private final String name;
    private final Redis redis;
    private final Vertx vertx;
    private final Consumer<Response> pushHandler;
    private final Consumer<RedisLink> onConnected;
    private final Duration timeout;
    private volatile RedisConnection connection;
    /** System.nanoTime() of the last reply or connect; 0 before the first. */
    private volatile long lastReplyAt;
    private volatile boolean closed;
    private long backoffMs = 100;

    public RedisLink(String name, Redis redis, Vertx vertx, Duration timeout, Consumer<Response> pushHandler,
            Consumer<RedisLink> onConnected) {
        this.name = name;
        this.timeout = timeout;
        this.redis = redis;
        this.vertx = vertx;
        this.pushHandler = pushHandler;
        this.onConnected = onConnected;
    }

    public void open() {
        closed = false;
        connect();
    }

    private void connect() {
        if (closed) {
            return;
        }
        // The client's connect (TCP, HELLO, AUTH, and in sentinel mode the questions to the Sentinels) has no bound
        // of its own: a frozen server accepts the TCP connection and never answers the handshake.
        AtomicBoolean settled = new AtomicBoolean();
        long timer = vertx.setTimer(timeout.toMillis(), t -> {
            if (settled.compareAndSet(false, true)) {
                LOG.warnf("redis link %s: no connection within %d ms; retrying in %d ms", name, timeout.toMillis(),
                        backoffMs);
                retryLater();
            }
        });
        redis.connect().subscribe().with(c -> {
            if (!settled.compareAndSet(false, true)) {
                c.closeAndForget();
                return;
            }
            vertx.cancelTimer(timer);
            if (closed) {
                c.closeAndForget();
                return;
            }
            if (pushHandler != null) {
                c.handler(pushHandler);
            }
            c.exceptionHandler(e -> LOG.warnf("redis link %s: %s", name, e.toString()));
            c.endHandler(() -> lost(c));
            connection = c;
            lastReplyAt = System.nanoTime();
            backoffMs = 100;
            LOG.infof("redis link %s connected", name);
            try {
                onConnected.accept(this);
            } catch (RuntimeException e) {
                LOG.errorf(e, "redis link %s: on-connect step failed", name);
            }
        }, e -> {
            if (!settled.compareAndSet(false, true)) {
                return;
            }
            vertx.cancelTimer(timer);
            LOG.warnf("redis link %s: cannot connect (%s); retrying in %d ms", name, e.getMessage(), backoffMs);
            retryLater();
        });
    }

    private synchronized void lost(RedisConnection c) {
        if (connection == c) {
            connection = null;
            LOG.warnf("redis link %s lost; reconnecting", name);
            retryLater();
        }
    }

    private synchronized void retryLater() {
        long delay = backoffMs;
        backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
        vertx.setTimer(delay, t -> connect());
    }

    /** Drops the connection and connects again (a connection that stopped answering). */
    public void restart() {
        RedisConnection c = connection;
        if (c != null) {
            discard(c);
            lost(c);
        }
    }

    /**
     * Closes the socket itself. The client's close only hands a connection back to its pool (unless it subscribed),
     * and the next connect could get the same one back, still waiting for the replies of a server that stopped
     * answering; so a connection given up on is closed for good. The pool's types are the client's internals
     * (vertx-redis-client 4.5): should they change, this falls back to the ordinary close.
     */
    private static void discard(RedisConnection c) {
        if (c.getDelegate() instanceof io.vertx.redis.client.impl.PooledRedisConnection pooled) {
            pooled.actual().forceClose();
        } else {
            c.closeAndForget();
        }
    }

    public boolean isUp() {
        return connection != null;
    }

    /** Milliseconds since the last reply on this link (or its last connect); -1 if it never had one. */
    public long sinceLastReplyMillis() {
        long at = lastReplyAt;
        return at == 0 ? -1 : (System.nanoTime() - at) / 1_000_000;
    }

    /** Answers within the link's timeout: the reply, or a failure ({@link RedisUnavailable} when none came). */
    public Uni<Response> send(Request request) {
        RedisConnection c = connection;
        if (c == null) {
            return Uni.createFrom().failure(new RedisUnavailable(name));
        }
        return bounded(c, c.send(request));
    }

    /**
     * Pipelined. {@code spread}: the keys may live on several shards of a Redis Cluster, so the commands go as
     * single commands on this same connection (still pipelined, per shard in order; see {@link RedisBatches})
     * rather than as a batch the cluster client would refuse first.
     */
    public Uni<List<Response>> batch(List<Request> requests, boolean spread) {
        RedisConnection c = connection;
        if (c == null) {
            return Uni.createFrom().failure(new RedisUnavailable(name));
        }
        Uni<List<Response>> sent = spread && !requests.isEmpty() ? RedisBatches.oneByOne(c, requests)
                : RedisBatches.batch(c, requests);
        return bounded(c, sent);
    }

    private <T> Uni<T> bounded(RedisConnection c, Uni<T> call) {
        return call.ifNoItem().after(timeout).failWith(() -> new RedisUnavailable(name, timeout))
                .invoke(() -> lastReplyAt = System.nanoTime())
                .onFailure().invoke(e -> dropIfBroken(c, e));
    }

    /**
     * A command that failed for a connection-level reason leaves the connection unusable: start over. So does one
     * that got no reply in time, and a write refused as READONLY: the server is a replica now (a failover demoted
     * it), and a new connection asks the Sentinels for the master.
     */
    private void dropIfBroken(RedisConnection c, Throwable e) {
        String msg = String.valueOf(e.getMessage());
        if (e instanceof RedisUnavailable || msg.startsWith("READONLY") || msg.contains("closed")
                || msg.contains("Connection") || e instanceof java.io.IOException) {
            discard(c);
            lost(c);
        }
    }

    public void close() {
        closed = true;
        RedisConnection c = connection;
        connection = null;
        if (c != null) {
            c.closeAndForget();
        }
    }

    /** Redis cannot be reached right now. */
    public static final class RedisUnavailable extends RuntimeException {
        RedisUnavailable(String link) {
            super("redis link " + link + " is down", null, false, false);
        }

        RedisUnavailable(String link, Duration timeout) {
            super("redis link " + link + ": no reply within " + timeout.toMillis() + " ms", null, false, false);
        }
    }
}

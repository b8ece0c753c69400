package dev.chat.presence.service.sweep;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import dev.chat.presence.model.NodeEviction;
import dev.chat.presence.model.PresenceKeys;
import dev.chat.presence.model.RedisBatches;
import dev.chat.presence.service.config.PresenceSettings;
import dev.chat.presence.service.metrics.PresenceMetrics;
import dev.chat.presence.service.redis.Replies;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;

/**
 * Evicts chat nodes whose heartbeat stopped, so a crashed node's users stop being routed to it.
 *
 * <p>Several instances may sweep at once: eviction is idempotent, and each instance re-reads a node's heartbeat
 * just before evicting it, so a node another instance already removed (or that heartbeated meanwhile) is left
 * alone. A tick never throws: with Redis down it logs once, counts the failure and tries again next tick.
 */
@ApplicationScoped
public class NodeSweeper {
    private static final Logger LOG = Logger.getLogger(NodeSweeper.class);
    /** Bounds one tick's work; any rest is picked up a second later. */
    private static final int MAX_EVICTIONS_PER_TICK = 100;
    /** Enough users to identify an eviction in the log without writing a megabyte line for a big node. */
    private static final int MAX_USERS_LOGGED = 50;

    public static final String JOB = "presence-sweep";

    @Inject
    Redis redis;

    @Inject
    PresenceSettings settings;

    @Inject
    PresenceMetrics metrics;

    @Inject
    SweepClock clock;

    /** Consecutive failed ticks; the first failure and the recovery are logged, not every tick in between. */
    private volatile int failedTicks;
    /** Set at shutdown: the Redis client closes while the scheduler may still fire, which is no failure. */
    private volatile boolean stopping;

    void onStop(@Observes ShutdownEvent event) {
        stopping = true;
    }

    @Scheduled(identity = JOB, every = "${chat.presence.sweep-interval:1s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> tick() {
        if (stopping) {
            return Uni.createFrom().voidItem();
        }
        long now = System.currentTimeMillis();
        clock.tickStarted(now);
        return sweep(now)
                .ifNoItem().after(settings.sweepTimeout()).fail()
                .onItem().invoke(this::recovered)
                .onFailure().invoke(this::failed)
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    /** One pass: find stale nodes, evict them one by one, then refresh the gauges. */
    Uni<Void> sweep(long now) {
        long freshSince = settings.freshSince(now);
        List<Request> batch = List.of(
                // Exclusive bound: a heartbeat exactly at the cutoff is still fresh, as the queries count it.
                Request.cmd(Command.ZRANGEBYSCORE).arg(PresenceKeys.NODES).arg("-inf").arg("(" + freshSince)
                        .arg("LIMIT").arg(0).arg(MAX_EVICTIONS_PER_TICK),
                Request.cmd(Command.ZRANGEBYSCORE).arg(PresenceKeys.NODES).arg(freshSince).arg("+inf"),
                Request.cmd(Command.ZCOUNT).arg(PresenceKeys.NODES).arg("-inf").arg("(" + freshSince));
        return RedisBatches.batch(redis, batch).chain(replies -> {
            List<String> stale = Replies.strings(replies.get(0));
            List<String> live = Replies.strings(replies.get(1));
            long staleCount = Replies.integer(replies.get(2));
            return Multi.createFrom().iterable(stale)
                    .onItem().transformToUniAndConcatenate(this::evictIfStillStale)
                    .collect().asList()
                    .chain(evicted -> refreshGauges(live, Math.max(0, staleCount - countTrue(evicted))));
        });
    }

    /**
     * Re-reads the heartbeat right before evicting: the node may have come back, or another presence-service
     * instance may have evicted it already; either way there is nothing to do and nothing to log.
     */
    private Uni<Boolean> evictIfStillStale(String nodeId) {
        return redis.send(Request.cmd(Command.ZSCORE).arg(PresenceKeys.NODES).arg(nodeId))
                .chain(reply -> {
                    Long last = Replies.score(reply);
                    long now = System.currentTimeMillis();
                    if (last == null || last >= settings.freshSince(now)) {
                        return Uni.createFrom().item(false);
                    }
                    return NodeEviction.evict(redis, nodeId).map(users -> {
                        logEviction(nodeId, last, now, users);
                        metrics.evicted();
                        return true;
                    });
                });
    }

    private Uni<Void> refreshGauges(List<String> live, long stale) {
        if (live.isEmpty()) {
            metrics.observed(0, stale, 0);
            return Uni.createFrom().voidItem();
        }
        List<Request> batch = new ArrayList<>(live.size());
        for (String id : live) {
            batch.add(Request.cmd(Command.HLEN).arg(PresenceKeys.nodeSockets(id)));
        }
        return RedisBatches.batch(redis, batch).invoke(replies -> {
            long sockets = 0;
            for (var r : replies) {
                sockets += Replies.integer(r);
            }
            metrics.observed(live.size(), stale, sockets);
        }).replaceWithVoid();
    }

    private static void logEviction(String nodeId, long lastHeartbeat, long now, Set<String> users) {
        List<String> sample = users.stream().sorted().limit(MAX_USERS_LOGGED).toList();
        // MDC fields become top-level keys of the JSON log line, so operators can filter on the node id.
        MDC.put("node", nodeId);
        MDC.put("usersAffected", users.size());
        MDC.put("silentMs", now - lastHeartbeat);
        try {
            LOG.infof("Evicted dead chat node %s (no heartbeat for %d ms): %d users affected %s%s", nodeId,
                    now - lastHeartbeat, users.size(), sample, users.size() > sample.size() ? " ..." : "");
        } finally {
            MDC.remove("node");
            MDC.remove("usersAffected");
            MDC.remove("silentMs");
        }
    }

    private void failed(Throwable e) {
        if (stopping) {
            return;
        }
        metrics.sweepFailed();
        if (failedTicks++ == 0) {
            LOG.warnf("Presence sweep failed, retrying every tick until Redis answers: %s", e.toString());
        } else {
            LOG.debugf("Presence sweep failed again (%d in a row): %s", failedTicks, e.toString());
        }
    }

    private void recovered() {
        if (failedTicks > 0) {
            LOG.infof("Presence sweep recovered after %d failed ticks", failedTicks);
            failedTicks = 0;
        }
    }

    private static long countTrue(List<Boolean> flags) {
        return flags.stream().filter(Boolean::booleanValue).count();
    }
}

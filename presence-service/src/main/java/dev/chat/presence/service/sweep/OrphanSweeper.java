package dev.chat.presence.service.sweep;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import dev.chat.presence.model.NodeEviction;
import dev.chat.presence.model.PresenceKeys;
import dev.chat.presence.model.RedisBatches;
import dev.chat.presence.service.config.PresenceSettings;
import dev.chat.presence.service.redis.Replies;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;

/**
 * Removes presence entries that name a node with no heartbeat entry at all, which {@link NodeSweeper} cannot
 * see since it walks the heartbeat set. They arise when a node writes an entry while it is being evicted
 * (after the eviction read its socket index) and then dies, or dies between writing its sockets and its first
 * heartbeat. Queries already ignore them; this only stops them from piling up and from misleading the chat
 * nodes' routing lookups.
 *
 * <p>A node is removed only when two consecutive passes (one interval apart) found it referenced yet absent
 * from the heartbeat set, and it is still absent right before removal. That is safe as long as chat nodes
 * heartbeat before they write entries and re-register on a vanished heartbeat, as NodeEviction expects.
 * SCAN walks one Redis server: with Redis Cluster this pass would have to run per shard.
 */
@ApplicationScoped
public class OrphanSweeper {
    private static final Logger LOG = Logger.getLogger(OrphanSweeper.class);
    public static final String JOB = "presence-orphan-sweep";
    private static final int SCAN_COUNT = 500;
    // Key shapes taken from PresenceKeys itself, so this class cannot drift from the layout.
    private static final String MARK = "\u0000";
    private static final String USER_PREFIX = PresenceKeys.user("");
    private static final String NODE_PREFIX = PresenceKeys.nodeSockets(MARK).split(MARK)[0];
    private static final String SOCKETS_SUFFIX = PresenceKeys.nodeSockets(MARK).split(MARK)[1];
    /** One SCAN finds both kinds of key: MATCH on their common prefix ("chat:presence:"). */
    private static final String SCAN_PATTERN = commonPrefix(USER_PREFIX, NODE_PREFIX) + "*";

    @Inject
    Redis redis;

    @Inject
    PresenceSettings settings;

    /** Nodes found orphaned by the previous pass; only those found again are removed. */
    private volatile Set<String> suspects = Set.of();

    @Scheduled(identity = JOB, every = "${chat.presence.orphan-sweep-interval:30s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> tick() {
        return pass()
                .ifNoItem().after(settings.sweepTimeout().multipliedBy(6)).fail()
                .onFailure().invoke(e -> LOG.debugf("Orphan sweep failed, next pass retries: %s", e.toString()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    Uni<Void> pass() {
        return redis.send(Request.cmd(Command.ZRANGE).arg(PresenceKeys.NODES).arg(0).arg(-1))
                .map(reply -> new Scan(new HashSet<>(Replies.strings(reply))))
                .chain(scan -> scanFrom("0", scan))
                .chain(scan -> {
                    Set<String> found = scan.orphans.keySet();
                    Set<String> confirmed = new HashSet<>(found);
                    confirmed.retainAll(suspects);
                    suspects = Set.copyOf(found);
                    return Multi.createFrom().iterable(confirmed)
                            .onItem().transformToUniAndConcatenate(node -> removeIfStillAbsent(node,
                                    scan.orphans.get(node)))
                            .collect().asList().replaceWithVoid();
                });
    }

    private Uni<Scan> scanFrom(String cursor, Scan scan) {
        return redis.send(Request.cmd(Command.SCAN).arg(cursor).arg("MATCH").arg(SCAN_PATTERN)
                .arg("COUNT").arg(SCAN_COUNT))
                .chain(reply -> {
                    String next = reply.get(0).toString();
                    List<String> userKeys = new ArrayList<>();
                    for (String key : Replies.strings(reply.get(1))) {
                        if (key.startsWith(USER_PREFIX)) {
                            userKeys.add(key);
                        } else if (key.startsWith(NODE_PREFIX) && key.endsWith(SOCKETS_SUFFIX)) {
                            scan.referenced(key.substring(NODE_PREFIX.length(), key.length() - SOCKETS_SUFFIX.length()),
                                    null);
                        }
                    }
                    Uni<Scan> page = userKeys.isEmpty() ? Uni.createFrom().item(scan)
                            : RedisBatches.batch(redis, hkeys(userKeys)).map(replies -> {
                                for (int i = 0; i < userKeys.size(); i++) {
                                    for (String node : Replies.strings(replies.get(i))) {
                                        scan.referenced(node, userKeys.get(i));
                                    }
                                }
                                return scan;
                            });
                    return "0".equals(next) ? page : page.chain(s -> scanFrom(next, s));
                });
    }

    private Uni<Void> removeIfStillAbsent(String node, Set<String> userKeys) {
        return redis.send(Request.cmd(Command.ZSCORE).arg(PresenceKeys.NODES).arg(node))
                .chain(score -> {
                    if (score != null) {
                        return Uni.createFrom().voidItem(); // it came back: its own rewrite owns the entries
                    }
                    List<Request> hdels = new ArrayList<>();
                    for (String key : userKeys) {
                        hdels.add(Request.cmd(Command.HDEL).arg(key).arg(node));
                    }
                    Uni<List<Response>> users = hdels.isEmpty() ? Uni.createFrom().item(List.of())
                            : RedisBatches.batch(redis, hdels);
                    return users.chain(ignored -> NodeEviction.evict(redis, node)).invoke(indexed -> LOG.infof(
                            "Removed orphaned presence entries of node %s (no heartbeat entry): %d user entries, "
                                    + "%d users in its socket index",
                            node, userKeys.size(), indexed.size())).replaceWithVoid();
                });
    }

    private static List<Request> hkeys(List<String> keys) {
        List<Request> batch = new ArrayList<>(keys.size());
        for (String key : keys) {
            batch.add(Request.cmd(Command.HKEYS).arg(key));
        }
        return batch;
    }

    private static String commonPrefix(String a, String b) {
        int i = 0;
        while (i < a.length() && i < b.length() && a.charAt(i) == b.charAt(i)) {
            i++;
        }
        return a.substring(0, i);
    }

    /** One pass's findings: orphaned node id → user keys naming it (empty if only its socket index is left). */
    private static final class Scan {
        final Set<String> heartbeating;
        final Map<String, Set<String>> orphans = new HashMap<>();

        Scan(Set<String> heartbeating) {
            this.heartbeating = heartbeating;
        }

        void referenced(String node, String userKey) {
            if (heartbeating.contains(node)) {
                return;
            }
            Set<String> keys = orphans.computeIfAbsent(node, n -> new HashSet<>());
            if (userKey != null) {
                keys.add(userKey);
            }
        }
    }
}

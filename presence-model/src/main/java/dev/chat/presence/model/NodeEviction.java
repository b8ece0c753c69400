package dev.chat.presence.model;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;

/**
 * Removes every presence entry of one node: used by presence-service for nodes whose heartbeat stopped,
 * and by a chat node for itself when it shuts down.
 *
 * <p>Guarantee: after it completes, no user hash names the node, unless the node re-registered meanwhile;
 * a live node notices its heartbeat entry vanished (ZADD answers 1) and rewrites its entries, so evicting a
 * node that was only slow costs it one heartbeat of routing, never a message (those wait in PostgreSQL).
 */
public final class NodeEviction {
    private NodeEviction() {
    }

    /** Evicts {@code nodeId}; answers the users whose entry for it was removed. */
    public static Uni<Set<String>> evict(Redis redis, String nodeId) {
        String socketsKey = PresenceKeys.nodeSockets(nodeId);
        return redis.send(Request.cmd(Command.HVALS).arg(socketsKey))
                .onItem().transformToUni(values -> {
                    Set<String> users = new HashSet<>();
                    if (values != null) {
                        for (Response v : values) {
                            users.add(v.toString());
                        }
                    }
                    List<Request> batch = new ArrayList<>();
                    for (String user : users) {
                        batch.add(Request.cmd(Command.HDEL).arg(PresenceKeys.user(user)).arg(nodeId));
                    }
                    batch.add(Request.cmd(Command.DEL).arg(socketsKey));
                    batch.add(Request.cmd(Command.ZREM).arg(PresenceKeys.NODES).arg(nodeId));
                    // The users' hashes live on every shard of a cluster: RedisBatches splits the batch there.
                    return RedisBatches.batch(redis, batch).replaceWith(users);
                });
    }
}

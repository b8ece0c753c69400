package dev.chat.presence.service;

import java.time.Duration;
import java.util.Locale;
import java.util.UUID;

import dev.chat.presence.model.NodeEviction;
import dev.chat.presence.model.PresenceKeys;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;

/**
 * Writes the presence map the way a chat node does (absolute counts, socket index, heartbeat), straight to the
 * test Redis, so the service is tested against the real layout rather than against itself.
 */
final class ChatNodeSim {
    private final Redis redis;
    final String id;

    ChatNodeSim(Redis redis) {
        this.redis = redis;
        this.id = "test-node-" + UUID.randomUUID();
    }

    /** A fresh user name per test keeps tests independent of each other and of leftovers. */
    static String uniqueUser() {
        return ("u" + UUID.randomUUID().toString().replace("-", "")).substring(0, 20).toLowerCase(Locale.ROOT);
    }

    ChatNodeSim heartbeat() {
        return heartbeatAt(System.currentTimeMillis());
    }

    ChatNodeSim heartbeatAt(long epochMs) {
        send(Request.cmd(Command.ZADD).arg(PresenceKeys.NODES).arg(epochMs).arg(id));
        return this;
    }

    /** Opens {@code n} sockets for {@code user} on this node. */
    ChatNodeSim open(String user, int n) {
        for (int i = 0; i < n; i++) {
            send(Request.cmd(Command.HSET).arg(PresenceKeys.nodeSockets(id)).arg(user + "-" + UUID.randomUUID())
                    .arg(user));
        }
        send(Request.cmd(Command.HSET).arg(PresenceKeys.user(user)).arg(id).arg(countOf(user)));
        return this;
    }

    /** Writes only the user's entry, as a node racing its own eviction might leave behind. */
    ChatNodeSim userEntryOnly(String user, int n) {
        send(Request.cmd(Command.HSET).arg(PresenceKeys.user(user)).arg(id).arg(n));
        return this;
    }

    private long countOf(String user) {
        long n = 0;
        for (Response r : send(Request.cmd(Command.HVALS).arg(PresenceKeys.nodeSockets(id)))) {
            if (r.toString().equals(user)) {
                n++;
            }
        }
        return n;
    }

    boolean hasHeartbeat() {
        return send(Request.cmd(Command.ZSCORE).arg(PresenceKeys.NODES).arg(id)) != null;
    }

    long socketEntries() {
        return send(Request.cmd(Command.HLEN).arg(PresenceKeys.nodeSockets(id))).toLong();
    }

    /** Whether {@code user}'s presence hash still names this node. */
    boolean listedFor(String user) {
        // HGET, not HEXISTS: the sim logs in as the services' ACL user, which has only the commands they send.
        return send(Request.cmd(Command.HGET).arg(PresenceKeys.user(user)).arg(id)) != null;
    }

    /** Removes everything this node wrote, as a clean shutdown would. */
    void remove() {
        NodeEviction.evict(redis, id).await().atMost(Duration.ofSeconds(5));
    }

    private Response send(Request r) {
        return redis.send(r).await().atMost(Duration.ofSeconds(5));
    }
}

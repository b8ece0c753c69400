package dev.chat.node.presence;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import jakarta.inject.Singleton;

import dev.chat.node.config.NodeIdentity;
import dev.chat.node.redis.CommandLink;
import dev.chat.presence.model.PresenceKeys;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;

/** {@link PresenceManager} on the Redis layout of {@link PresenceKeys}, writing absolute counts. */
@Singleton
public class RedisPresence implements PresenceManager {
    private static final int LOOKUP_CHUNK = 500;

    private final CommandLink redis;
    private final String node;
    private final Context writes;

    RedisPresence(CommandLink redis, NodeIdentity identity, Vertx vertx) {
        this.redis = redis;
        this.node = identity.id();
        this.writes = vertx.getDelegate().getOrCreateContext();
    }

    @Override
    public Uni<Void> opened(String user, String socketId, int socketsHere) {
        return inOrder(redis.batch(List.of(
                Request.cmd(Command.HSET).arg(PresenceKeys.nodeSockets(node)).arg(socketId).arg(user),
                Request.cmd(Command.HSET).arg(PresenceKeys.user(user)).arg(node).arg(socketsHere))).replaceWithVoid());
    }

    @Override
    public Uni<Void> closed(String user, String socketId, int socketsHere) {
        Request userEntry = socketsHere > 0
                ? Request.cmd(Command.HSET).arg(PresenceKeys.user(user)).arg(node).arg(socketsHere)
                : Request.cmd(Command.HDEL).arg(PresenceKeys.user(user)).arg(node);
        return inOrder(redis.batch(List.of(Request.cmd(Command.HDEL).arg(PresenceKeys.nodeSockets(node)).arg(socketId),
                userEntry)).replaceWithVoid());
    }

    /**
     * Sends the write now, from one context for all presence writes: calls made in order on that context reach
     * the Redis connection in that order (calls from different event loops could overtake each other).
     */
    private Uni<Void> inOrder(Uni<Void> write) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        writes.runOnContext(v -> write.subscribe().with(done::complete, done::completeExceptionally));
        return Uni.createFrom().completionStage(done);
    }

    @Override
    public Uni<Set<String>> nodesOf(String user) {
        return redis.send(Request.cmd(Command.HKEYS).arg(PresenceKeys.user(user))).map(RedisPresence::nodes);
    }

    @Override
    public Uni<Map<String, Set<String>>> nodesOf(Collection<String> users) {
        List<String> order = List.copyOf(users);
        if (order.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        // Chunks keep one lookup from filling the link's queue of replies; they still share its pipeline.
        List<Uni<Map<String, Set<String>>>> chunks = new ArrayList<>();
        for (int from = 0; from < order.size(); from += LOOKUP_CHUNK) {
            chunks.add(lookup(order.subList(from, Math.min(order.size(), from + LOOKUP_CHUNK))));
        }
        return Uni.join().all(chunks).andFailFast().map(parts -> {
            Map<String, Set<String>> out = new HashMap<>();
            parts.forEach(out::putAll);
            return out;
        });
    }

    private Uni<Map<String, Set<String>>> lookup(List<String> users) {
        List<Request> batch = new ArrayList<>(users.size());
        for (String u : users) {
            batch.add(Request.cmd(Command.HKEYS).arg(PresenceKeys.user(u)));
        }
        return redis.batch(batch).map(replies -> {
            Map<String, Set<String>> out = new HashMap<>();
            for (int i = 0; i < users.size(); i++) {
                Set<String> nodes = nodes(replies.get(i));
                if (!nodes.isEmpty()) {
                    out.put(users.get(i), nodes);
                }
            }
            return out;
        });
    }

    @Override
    public void onReconnect(Runnable restore) {
        redis.onConnect(restore);
    }

    @Override
    public Uni<Map<String, String>> socketsHere() {
        return redis.send(Request.cmd(Command.HGETALL).arg(PresenceKeys.nodeSockets(node))).map(r -> {
            Map<String, String> out = new LinkedHashMap<>();
            if (r != null && r.size() > 0) {
                // getKeys() reads a RESP3 map and a RESP2 flat field/value array alike.
                for (String socket : r.getKeys()) {
                    out.put(socket, r.get(socket).toString());
                }
            }
            return out;
        });
    }

    @Override
    public Uni<Void> restore(Map<String, String> recorded, Map<String, List<String>> live) {
        List<Request> batch = new ArrayList<>();
        Set<String> liveSockets = new HashSet<>();
        live.values().forEach(liveSockets::addAll);
        Set<String> goneUsers = new HashSet<>();
        for (Map.Entry<String, String> e : recorded.entrySet()) {
            if (!liveSockets.contains(e.getKey())) {
                batch.add(Request.cmd(Command.HDEL).arg(PresenceKeys.nodeSockets(node)).arg(e.getKey()));
                if (!live.containsKey(e.getValue()) && goneUsers.add(e.getValue())) {
                    batch.add(Request.cmd(Command.HDEL).arg(PresenceKeys.user(e.getValue())).arg(node));
                }
            }
        }
        for (Map.Entry<String, List<String>> e : live.entrySet()) {
            for (String socket : e.getValue()) {
                batch.add(Request.cmd(Command.HSET).arg(PresenceKeys.nodeSockets(node)).arg(socket).arg(e.getKey()));
            }
            batch.add(Request.cmd(Command.HSET).arg(PresenceKeys.user(e.getKey())).arg(node).arg(e.getValue().size()));
        }
        return batch.isEmpty() ? Uni.createFrom().voidItem() : inOrder(redis.batch(batch).replaceWithVoid());
    }

    private static Set<String> nodes(Response r) {
        Set<String> nodes = new HashSet<>();
        if (r != null) {
            for (Response n : r) {
                nodes.add(n.toString());
            }
        }
        return nodes;
    }
}

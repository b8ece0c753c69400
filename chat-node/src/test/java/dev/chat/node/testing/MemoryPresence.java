package dev.chat.node.testing;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.chat.node.presence.PresenceManager;
import io.smallrye.mutiny.Uni;

/**
 * {@link PresenceManager} in memory (after centrifuge's {@code presence_memory.go}): one {@link Map} of who is
 * where, shared by the nodes of a test, each node writing through its own view. Writes apply when called, so in the
 * order made, as the interface promises. {@link #failures()} fails writes and lookups on demand.
 */
public final class MemoryPresence implements PresenceManager {
    private final PresenceMap map;
    private final String node;
    private final Failures failures = new Failures("presence");
    private volatile Runnable onReconnect = () -> {
    };

    private MemoryPresence(PresenceMap map, String node) {
        this.map = map;
        this.node = node;
    }

    /** The presence map of one test: user → node → sockets there. */
    public static final class PresenceMap {
        private final Map<String, Map<String, Integer>> byUser = new ConcurrentHashMap<>();
        /** node → socket id → user. */
        private final Map<String, Map<String, String>> socketsByNode = new ConcurrentHashMap<>();

        public MemoryPresence node(String node) {
            return new MemoryPresence(this, node);
        }

        /** Writes an entry as another node would (a user with sockets elsewhere). */
        public void put(String user, String node, int sockets) {
            byUser.computeIfAbsent(user, u -> new ConcurrentHashMap<>()).put(node, sockets);
        }

        /** Forgets everything: what a Redis failover that lost unreplicated writes (or a flush) leaves. */
        public void clear() {
            byUser.clear();
            socketsByNode.clear();
        }

        /** The node's socket entries: socket id → user. */
        public Map<String, String> socketsOn(String node) {
            return Map.copyOf(socketsByNode.getOrDefault(node, Map.of()));
        }

        /** The user's entries: node → sockets there. */
        public Map<String, Integer> of(String user) {
            return Map.copyOf(byUser.getOrDefault(user, Map.of()));
        }
    }

    public Failures failures() {
        return failures;
    }

    @Override
    public Uni<Void> opened(String user, String socketId, int socketsHere) {
        if (failures.now()) {
            return Uni.createFrom().failure(new IllegalStateException("presence write failed (on demand)"));
        }
        map.put(user, node, socketsHere);
        map.socketsByNode.computeIfAbsent(node, n -> new ConcurrentHashMap<>()).put(socketId, user);
        return Uni.createFrom().voidItem();
    }

    @Override
    public Uni<Void> closed(String user, String socketId, int socketsHere) {
        if (failures.now()) {
            return Uni.createFrom().failure(new IllegalStateException("presence write failed (on demand)"));
        }
        map.socketsByNode.getOrDefault(node, new HashMap<>()).remove(socketId);
        if (socketsHere > 0) {
            map.put(user, node, socketsHere);
        } else {
            map.byUser.computeIfPresent(user, (u, nodes) -> {
                nodes.remove(node);
                return nodes.isEmpty() ? null : nodes;
            });
        }
        return Uni.createFrom().voidItem();
    }

    /** Runs what the node registered with {@link #onReconnect}, as the Redis link does after every reconnect. */
    public void reconnect() {
        onReconnect.run();
    }

    @Override
    public void onReconnect(Runnable restore) {
        this.onReconnect = restore;
    }

    @Override
    public Uni<Map<String, String>> socketsHere() {
        return failures.orFail(() -> Uni.createFrom().item(map.socketsOn(node)));
    }

    @Override
    public Uni<Void> restore(Map<String, String> recorded, Map<String, List<String>> live) {
        return failures.orFail(() -> {
            Map<String, String> here = map.socketsByNode.computeIfAbsent(node, n -> new ConcurrentHashMap<>());
            recorded.forEach((socket, user) -> {
                if (!live.containsKey(user)) {
                    map.byUser.computeIfPresent(user, (u, nodes) -> {
                        nodes.remove(node);
                        return nodes.isEmpty() ? null : nodes;
                    });
                }
                here.remove(socket);
            });
            live.forEach((user, sockets) -> {
                sockets.forEach(socket -> here.put(socket, user));
                map.put(user, node, sockets.size());
            });
            return Uni.createFrom().voidItem();
        });
    }

    @Override
    public Uni<Set<String>> nodesOf(String user) {
        return failures.orFail(() -> Uni.createFrom().item(Set.copyOf(map.of(user).keySet())));
    }

    @Override
    public Uni<Map<String, Set<String>>> nodesOf(Collection<String> users) {
        return failures.orFail(() -> {
            Map<String, Set<String>> out = new HashMap<>();
            for (String u : users) {
                Set<String> nodes = map.of(u).keySet();
                if (!nodes.isEmpty()) {
                    out.put(u, Set.copyOf(nodes));
                }
            }
            return Uni.createFrom().item(out);
        });
    }
}

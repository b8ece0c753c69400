package dev.chat.node.testing;

import java.util.Collection;
import java.util.HashMap;
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

    private MemoryPresence(PresenceMap map, String node) {
        this.map = map;
        this.node = node;
    }

    /** The presence map of one test: user → node → sockets there. */
    public static final class PresenceMap {
        private final Map<String, Map<String, Integer>> byUser = new ConcurrentHashMap<>();

        public MemoryPresence node(String node) {
            return new MemoryPresence(this, node);
        }

        /** Writes an entry as another node would (a user with sockets elsewhere). */
        public void put(String user, String node, int sockets) {
            byUser.computeIfAbsent(user, u -> new ConcurrentHashMap<>()).put(node, sockets);
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
        return Uni.createFrom().voidItem();
    }

    @Override
    public Uni<Void> closed(String user, String socketId, int socketsHere) {
        if (failures.now()) {
            return Uni.createFrom().failure(new IllegalStateException("presence write failed (on demand)"));
        }
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

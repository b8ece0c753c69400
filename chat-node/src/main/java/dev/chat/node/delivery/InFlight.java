package dev.chat.node.delivery;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.inject.Singleton;

import dev.chat.node.node.ChatConfig;

/**
 * When this node last pushed each unacked message to a user's sockets here. It decides whether the sweep
 * pushes a message again: never within {@code chat.delivery.redeliver-after} of the last push, so a
 * slow recipient is not flooded, and at once for a message never pushed here (its publish was lost).
 */
@Singleton
public class InFlight {
    private final Map<String, Map<String, Long>> byUser = new ConcurrentHashMap<>();
    private final long redeliverAfterMs;

    InFlight(ChatConfig config) {
        this.redeliverAfterMs = config.delivery().redeliverAfter().toMillis();
    }

    public void pushed(String user, String id, long nowMs) {
        byUser.computeIfAbsent(user, u -> new ConcurrentHashMap<>()).put(id, nowMs);
    }

    public boolean due(String user, String id, long nowMs) {
        Map<String, Long> ids = byUser.get(user);
        Long last = ids == null ? null : ids.get(id);
        return last == null || nowMs - last >= redeliverAfterMs;
    }

    public void acked(String user, String id) {
        Map<String, Long> ids = byUser.get(user);
        if (ids != null) {
            ids.remove(id);
        }
    }

    /** The user left this node: nothing is in flight to them here any more. */
    public void forget(String user) {
        byUser.remove(user);
    }

    public int size() {
        return byUser.values().stream().mapToInt(Map::size).sum();
    }
}

package dev.chat.node.delivery;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.inject.Singleton;

import dev.chat.node.config.TimeSource;
import dev.chat.node.sockets.SocketEventHandler;

/**
 * When this node last pushed each unacked message to a user's sockets here (monotonic time). It decides
 * whether the sweep pushes a message again: never within {@code chat.delivery.redeliver-after} of the last
 * push, so a slow recipient is not flooded, and at once for a message never pushed here (its publish was
 * lost); and whether a socket that just opened still needs a message, or already got it with the others.
 */
@Singleton
public class InFlight implements SocketEventHandler {
    private final Map<String, Map<String, Long>> byUser = new ConcurrentHashMap<>();
    private final long redeliverAfterNanos;
    private final TimeSource time;

    InFlight(DeliveryConfig config, TimeSource time) {
        this.redeliverAfterNanos = config.redeliverAfter().toNanos();
        this.time = time;
    }

    public void pushed(String user, String id) {
        byUser.computeIfAbsent(user, u -> new ConcurrentHashMap<>()).put(id, time.nanos());
    }

    /** Never pushed here, or pushed longer ago than the redelivery delay. */
    public boolean due(String user, String id) {
        Long last = last(user, id);
        return last == null || time.nanos() - last >= redeliverAfterNanos;
    }

    /** Pushed to the user's sockets here at or after {@code sinceNanos} ({@link TimeSource#nanos()}). */
    public boolean pushedSince(String user, String id, long sinceNanos) {
        Long last = last(user, id);
        return last != null && last - sinceNanos >= 0;
    }

    private Long last(String user, String id) {
        Map<String, Long> ids = byUser.get(user);
        return ids == null ? null : ids.get(id);
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

    @Override
    public void lastSocketClosed(String user) {
        forget(user);
    }

    public boolean tracked(String user, String id) {
        return last(user, id) != null;
    }

    /** Messages pushed to the user here and not acked yet. */
    public int count(String user) {
        Map<String, Long> ids = byUser.get(user);
        return ids == null ? 0 : ids.size();
    }

    public int size() {
        return byUser.values().stream().mapToInt(Map::size).sum();
    }

}

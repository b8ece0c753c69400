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
 * lost); and whether a socket that just opened still needs a message, or already got it with the others. Also how
 * far a user's backlog has been read ({@link Backlog}): while more is owed than one read brings, the user's acks
 * bring the next read.
 */
@Singleton
public class InFlight implements SocketEventHandler {
    private final Map<String, Map<String, Long>> byUser = new ConcurrentHashMap<>();
    private final Map<String, Backlog> backlogs = new ConcurrentHashMap<>();
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

    /** The user left this node: nothing is in flight to them here any more, and no backlog is read for them. */
    public void forget(String user) {
        byUser.remove(user);
        backlogs.remove(user);
    }

    /** A read of the user's backlog ended at {@code seq} with more owed: their acks bring the next read. */
    public void behind(String user, long seq) {
        backlogs.put(user, new Backlog(seq));
    }

    /** The user's backlog, if more is owed to them than the last read brought; null otherwise. */
    public Backlog backlog(String user) {
        return backlogs.get(user);
    }

    /** Everything owed to the user was read (or the read is given up): the sweep is enough from now on. */
    public void caughtUp(String user, Backlog backlog) {
        backlogs.remove(user, backlog);
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

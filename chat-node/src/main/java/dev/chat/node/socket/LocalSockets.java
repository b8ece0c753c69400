package dev.chat.node.socket;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.chat.node.node.ChatConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.WebSocketConnection;

/** The sockets open on this node, by user: where a message for a user on this node is written. */
@Singleton
public class LocalSockets {
    private static final Logger LOG = Logger.getLogger(LocalSockets.class);

    private static final CloseReason SLOW_CONSUMER = new CloseReason(1008, "too many frames not taken; reconnect");

    private final Map<String, Set<WebSocketConnection>> byUser = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> pendingWrites = new ConcurrentHashMap<>();
    private final int maxPendingWrites;
    private final Counter slowConsumers;

    LocalSockets(MeterRegistry registry, ChatConfig config) {
        this.maxPendingWrites = config.limits().maxPendingWrites();
        this.slowConsumers = Counter.builder("chat.sockets.slow.consumers.cut").register(registry);
        Gauge.builder("chat.sockets.open", this, LocalSockets::total).description("sockets open on this node")
                .register(registry);
        Gauge.builder("chat.users.connected", byUser, Map::size).description("users with a socket on this node")
                .register(registry);
    }

    /** Adds the socket; answers how many sockets the user now has here. */
    public int add(String user, WebSocketConnection connection) {
        Set<WebSocketConnection> set = byUser.compute(user, (u, s) -> {
            Set<WebSocketConnection> next = s == null ? ConcurrentHashMap.newKeySet() : s;
            next.add(connection);
            return next;
        });
        return set.size();
    }

    /** Removes the socket; answers how many sockets the user still has here. */
    public int remove(String user, WebSocketConnection connection) {
        pendingWrites.remove(connection.id());
        Set<WebSocketConnection> set = byUser.computeIfPresent(user, (u, s) -> {
            s.remove(connection);
            return s.isEmpty() ? null : s;
        });
        return set == null ? 0 : set.size();
    }

    public int count(String user) {
        Set<WebSocketConnection> set = byUser.get(user);
        return set == null ? 0 : set.size();
    }

    public Set<String> users() {
        return byUser.keySet();
    }

    public int total() {
        return byUser.values().stream().mapToInt(Set::size).sum();
    }

    /** Writes {@code frame} to every socket of {@code user} here; answers how many sockets it went to. */
    public int send(String user, String frame) {
        Set<WebSocketConnection> set = byUser.get(user);
        if (set == null) {
            return 0;
        }
        int n = 0;
        for (WebSocketConnection c : set) {
            if (send(c, user, frame)) {
                n++;
            }
        }
        return n;
    }

    /**
     * Writes to one socket, unless it is closed or a slow consumer: a socket whose network has not taken
     * {@code chat.limits.max-pending-writes} frames is closed (1008) rather than left to grow the node's
     * memory; its client reconnects and gets what it is owed from PostgreSQL.
     */
    public boolean send(WebSocketConnection c, String user, String frame) {
        if (!c.isOpen()) {
            return false;
        }
        AtomicInteger pending = pendingWrites.computeIfAbsent(c.id(), id -> new AtomicInteger());
        if (pending.incrementAndGet() > maxPendingWrites) {
            pending.decrementAndGet();
            if (pendingWrites.remove(c.id()) != null) {
                slowConsumers.increment();
                LOG.warnf("user=%s socket=%s cut off: %d frames not taken by the network", user, c.id(),
                        maxPendingWrites);
                c.close(SLOW_CONSUMER).subscribe().with(x -> {
                }, e -> {
                });
            }
            return false;
        }
        c.sendText(frame).subscribe().with(ok -> pending.decrementAndGet(), e -> {
            pending.decrementAndGet();
            LOG.debugf("write to socket %s of user=%s failed: %s", c.id(), user, e.toString());
        });
        return true;
    }

    /** Every open socket, for a drain or a shutdown. */
    public Map<String, Set<WebSocketConnection>> snapshot() {
        return Map.copyOf(byUser);
    }
}

package dev.chat.node.socket;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.websockets.next.WebSocketConnection;

/** The sockets open on this node, by user: where a message for a user on this node is written. */
@Singleton
public class LocalSockets {
    private static final Logger LOG = Logger.getLogger(LocalSockets.class);

    private final Map<String, Set<WebSocketConnection>> byUser = new ConcurrentHashMap<>();

    LocalSockets(MeterRegistry registry) {
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
            if (c.isOpen()) {
                c.sendText(frame).subscribe().with(ok -> {
                }, e -> LOG.debugf("write to socket %s of user=%s failed: %s", c.id(), user, e.toString()));
                n++;
            }
        }
        return n;
    }

    /** Every open socket, for a drain or a shutdown. */
    public Map<String, Set<WebSocketConnection>> snapshot() {
        return Map.copyOf(byUser);
    }
}

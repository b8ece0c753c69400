package dev.chat.node.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.chat.node.sockets.UserSockets;
import io.quarkus.websockets.next.WebSocketConnection;

/**
 * {@link UserSockets} in memory: users "connected" with a number of sockets, and every frame written to them,
 * recorded. {@link #full} makes a user's sockets refuse messages (no room: a slow network), as
 * {@code LocalSockets} does past its push window; notices still go.
 */
public final class MemorySockets implements UserSockets {
    private final Map<String, Integer> sockets = new ConcurrentHashMap<>();
    private final Map<String, List<String>> frames = new ConcurrentHashMap<>();
    private final Set<String> full = ConcurrentHashMap.newKeySet();

    public MemorySockets connect(String user, int count) {
        sockets.put(user, count);
        return this;
    }

    public void disconnect(String user) {
        sockets.remove(user);
    }

    public void full(String user, boolean isFull) {
        if (isFull) {
            full.add(user);
        } else {
            full.remove(user);
        }
    }

    /** Every frame written to any socket of {@code user}, once per socket, in order. */
    public List<String> frames(String user) {
        return new ArrayList<>(frames.getOrDefault(user, List.of()));
    }

    @Override
    public Set<String> users() {
        return Set.copyOf(sockets.keySet());
    }

    @Override
    public int push(String user, String frame) {
        return full.contains(user) ? 0 : write(user, frame);
    }

    /** The connection is not looked at: the frame counts as written to one socket of {@code user}. */
    @Override
    public boolean push(WebSocketConnection connection, String user, String frame) {
        if (full.contains(user) || !sockets.containsKey(user)) {
            return false;
        }
        frames.computeIfAbsent(user, u -> new CopyOnWriteArrayList<>()).add(frame);
        return true;
    }

    /** Recorded as written to one socket of {@code user}, if the user has one here. */
    @Override
    public boolean send(WebSocketConnection connection, String user, String frame) {
        if (!sockets.containsKey(user)) {
            return false;
        }
        frames.computeIfAbsent(user, u -> new CopyOnWriteArrayList<>()).add(frame);
        return true;
    }

    /** A control frame, not recorded among the frames: taken when the user has a socket here. */
    @Override
    public boolean pongAfterPing(WebSocketConnection connection, String user) {
        return sockets.containsKey(user);
    }

    @Override
    public int send(String user, String frame) {
        return write(user, frame);
    }

    private int write(String user, String frame) {
        int n = sockets.getOrDefault(user, 0);
        for (int i = 0; i < n; i++) {
            frames.computeIfAbsent(user, u -> new CopyOnWriteArrayList<>()).add(frame);
        }
        return n;
    }
}

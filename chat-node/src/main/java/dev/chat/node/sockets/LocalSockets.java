package dev.chat.node.sockets;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.chat.node.presence.HeldSockets;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import dev.chat.node.protocol.CloseCode;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;

/** The sockets open on this node, by user: where a message for a user on this node is written. */
@Singleton
public class LocalSockets implements HeldSockets, UserSockets {
    private static final Logger LOG = Logger.getLogger(LocalSockets.class);

    private static final WebSocketConnection[] NONE = {};

    /*
     * A user's sockets here as a small array, replaced whole on every change (under the map's lock for that
     * user): users hold one to a few sockets, read far more often than they change, and a set per user cost
     * a fifth of a kilobyte per idle socket (docs/performance.md).
     */
    private final Map<String, WebSocketConnection[]> byUser = new ConcurrentHashMap<>();
    private final Map<String, Outbound> pendingWrites = new ConcurrentHashMap<>();
    private final int maxPendingWrites;
    private final int pushWindow;
    private final long slowConsumerGraceNanos;
    private final Counter slowConsumers;

    /** Frames written to one socket that its network has not taken yet, and since when it takes no messages. */
    private static final class Outbound {
        final AtomicInteger pending = new AtomicInteger();
        /** System.nanoTime() of the first message refused since the socket last drained; 0 when draining. */
        volatile long fullSince;
    }

    public LocalSockets(MeterRegistry registry, SocketLimits config) {
        this.maxPendingWrites = config.maxPendingWrites();
        this.pushWindow = Math.max(1, maxPendingWrites / 2);
        this.slowConsumerGraceNanos = config.slowConsumerGrace().toNanos();
        this.slowConsumers = Counter.builder("chat.sockets.slow.consumers.cut").register(registry);
        Gauge.builder("chat.sockets.open", this, LocalSockets::total).description("sockets open on this node")
                .register(registry);
        Gauge.builder("chat.users.connected", byUser, Map::size).description("users with a socket on this node")
                .register(registry);
    }

    /** Adds the socket; answers how many sockets the user now has here. */
    public int add(String user, WebSocketConnection connection) {
        return byUser.compute(user, (u, had) -> {
            if (had == null) {
                return new WebSocketConnection[] { connection };
            }
            if (Arrays.asList(had).contains(connection)) {
                return had;
            }
            WebSocketConnection[] next = Arrays.copyOf(had, had.length + 1);
            next[had.length] = connection;
            return next;
        }).length;
    }

    /** Removes the socket; answers how many sockets the user still has here. */
    public int remove(String user, WebSocketConnection connection) {
        pendingWrites.remove(connection.id());
        WebSocketConnection[] left = byUser.computeIfPresent(user, (u, had) -> {
            WebSocketConnection[] next = Arrays.stream(had).filter(c -> !c.equals(connection))
                    .toArray(WebSocketConnection[]::new);
            return next.length == 0 ? null : next;
        });
        return left == null ? 0 : left.length;
    }

    public int count(String user) {
        return byUser.getOrDefault(user, NONE).length;
    }

    @Override
    public Set<String> users() {
        return byUser.keySet();
    }

    public int total() {
        return byUser.values().stream().mapToInt(a -> a.length).sum();
    }

    /** Writes {@code frame} (one nobody acks) to every socket of {@code user} here; answers how many took it. */
    @Override
    public int send(String user, String frame) {
        return toEach(user, frame, false);
    }

    /**
     * Writes a message to every socket of {@code user} here that has room for it (see {@link #push}); answers
     * how many took it.
     */
    @Override
    public int push(String user, String frame) {
        return toEach(user, frame, true);
    }

    private int toEach(String user, String frame, boolean message) {
        int n = 0;
        for (WebSocketConnection c : byUser.getOrDefault(user, NONE)) {
            if (message ? push(c, user, frame) : send(c, user, frame)) {
                n++;
            }
        }
        return n;
    }

    /**
     * Writes a message unless the socket already has half of {@code max-pending-writes} frames waiting for its
     * network: then the message stays in PostgreSQL for the sweep to push again, so a client catching up on a
     * backlog is paced by its own network instead of flooded (and cut off). A socket that takes no message for
     * {@code chat.limits.slow-consumer-grace} while messages wait is a slow consumer: closed with 1008, its client
     * reconnects and gets what it is owed, and the node's memory for it stays bounded all along.
     */
    @Override
    public boolean push(WebSocketConnection c, String user, String frame) {
        if (!c.isOpen()) {
            return false;
        }
        Outbound out = pendingWrites.computeIfAbsent(c.id(), id -> new Outbound());
        if (out.pending.get() >= pushWindow) {
            long now = System.nanoTime();
            if (out.fullSince == 0) {
                out.fullSince = now;
            } else if (now - out.fullSince >= slowConsumerGraceNanos) {
                cut(c, user, out, "took no message for " + slowConsumerGraceNanos / 1_000_000 + " ms");
            }
            return false;
        }
        return write(c, user, () -> c.sendText(frame), out);
    }

    /**
     * Writes to one socket, unless it is closed or a slow consumer: a socket whose network has not taken
     * {@code chat.limits.max-pending-writes} frames is closed (1008) rather than left to grow the node's
     * memory; its client reconnects and gets what it is owed from PostgreSQL.
     */
    @Override
    public boolean send(WebSocketConnection c, String user, String frame) {
        if (!c.isOpen()) {
            return false;
        }
        Outbound out = pendingWrites.computeIfAbsent(c.id(), id -> new Outbound());
        if (out.pending.get() >= maxPendingWrites) {
            cut(c, user, out, maxPendingWrites + " frames not taken by the network");
            return false;
        }
        return write(c, user, () -> c.sendText(frame), out);
    }

    /**
     * The empty pong after the framework's own (see {@link UserSockets#pongAfterPing}), under the bound of
     * {@link #send(WebSocketConnection, String, String)}: a socket's writes are taken by its network in order, so
     * once this one is taken, so is the framework's pong written before it; until then both count as one frame not
     * taken.
     */
    @Override
    public boolean pongAfterPing(WebSocketConnection c, String user) {
        if (!c.isOpen()) {
            return false;
        }
        Outbound out = pendingWrites.computeIfAbsent(c.id(), id -> new Outbound());
        if (out.pending.get() >= maxPendingWrites) {
            cut(c, user, out, maxPendingWrites + " frames not taken by the network");
            return false;
        }
        return write(c, user, () -> c.sendPong(Buffer.buffer()), out);
    }

    private boolean write(WebSocketConnection c, String user, Supplier<Uni<Void>> frame, Outbound out) {
        out.pending.incrementAndGet();
        frame.get().subscribe().with(ok -> taken(out), e -> {
            taken(out);
            LOG.debugf("write to socket %s of user=%s failed: %s", c.id(), user, e.toString());
        });
        return true;
    }

    private void taken(Outbound out) {
        if (out.pending.decrementAndGet() < pushWindow) {
            out.fullSince = 0;
        }
    }

    private void cut(WebSocketConnection c, String user, Outbound out, String why) {
        if (pendingWrites.remove(c.id(), out)) {
            slowConsumers.increment();
            LOG.warnf("user=%s socket=%s cut off as a slow consumer: %s", user, c.id(), why);
            c.close(CloseCode.SLOW_CONSUMER.closeReason()).subscribe().with(x -> {
            }, e -> {
            });
        }
    }

    /** Every open socket's id by user, copied: for the heartbeat's rewrite of the presence map. */
    @Override
    public Map<String, List<String>> socketIdsByUser() {
        Map<String, List<String>> copy = new HashMap<>();
        byUser.forEach((user, sockets) -> copy.put(user, Arrays.stream(sockets).map(WebSocketConnection::id).toList()));
        return copy;
    }

    /** Calls {@code each} with every open socket and its user, without copying them first. */
    public void forEach(BiConsumer<String, WebSocketConnection> each) {
        byUser.forEach((user, sockets) -> {
            for (WebSocketConnection c : sockets) {
                each.accept(user, c);
            }
        });
    }
}

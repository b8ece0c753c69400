package dev.chat.node.sockets;

import jakarta.inject.Singleton;

import dev.chat.node.config.ChatLog;
import dev.chat.node.presence.PresenceManager;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.mutiny.Uni;

/**
 * A socket's arrival and departure on this node: recorded in {@link LocalSockets} and in the presence map as one
 * step.
 *
 * <p>Guarantee: counting a user's sockets here and sending that count to the presence map happen together (under
 * one lock, and {@link PresenceManager} applies writes in the order they are made), so that of two sockets of one
 * user opening or closing at once, the count written last is the true one.
 */
@Singleton
public class SocketRegistry {
    private static final ChatLog LOG = ChatLog.of(SocketRegistry.class);

    private final LocalSockets sockets;
    private final PresenceManager presence;
    private final SocketEventHandler handler;
    private final Object presenceOrder = new Object();

    public SocketRegistry(LocalSockets sockets, PresenceManager presence, SocketEventHandler handler) {
        this.sockets = sockets;
        this.presence = presence;
        this.handler = handler;
    }

    /**
     * Adds the socket here and registers it in the presence map. Completes once the presence map has it, or its
     * write failed (logged: the heartbeat writes every socket again when the node's entry is lost, and the sweep
     * delivers what routing missed meanwhile); never fails.
     */
    public Uni<Void> opened(String user, WebSocketConnection connection) {
        Uni<Void> registered;
        int here;
        synchronized (presenceOrder) {
            here = sockets.add(user, connection);
            registered = presence.opened(user, connection.id(), here);
        }
        LOG.info(user, null, "user=%s socket=%s opened (%d here)", user, connection.id(), here);
        return registered
                .onFailure().invoke(e -> LOG.warn(user, null, "user=%s presence write failed (%s); the sweep covers",
                        user, e.getMessage()))
                .onFailure().recoverWithNull();
    }

    /**
     * After every reconnect to the presence map (a restart, an outage, a failover), makes this node's entries equal
     * to its live sockets: a failover may have lost writes the old master never replicated, and removals made while
     * Redis was away never arrived. Then runs {@code afterRestore} (the sweep, for what pub/sub dropped meanwhile).
     * A restore that fails is logged; the next reconnect (or the heartbeat's rewrite) tries again.
     */
    public void restoreOnReconnect(Runnable afterRestore) {
        presence.onReconnect(() -> restorePresence().subscribe().with(x -> {
            LOG.info(null, null, "presence entries of this node restored after a Redis reconnect");
            afterRestore.run();
        }, e -> LOG.warn(null, null, "presence entries not restored (%s); the next reconnect retries",
                e.getMessage())));
    }

    /**
     * Reads what the presence map names on this node, then writes the live view under the same lock as opens and
     * closes, so that no open or close made meanwhile is overwritten by an older view.
     */
    Uni<Void> restorePresence() {
        return presence.socketsHere().chain(recorded -> {
            synchronized (presenceOrder) {
                return presence.restore(recorded, sockets.socketIdsByUser());
            }
        });
    }

    /**
     * Removes the socket here and from the presence map; when it was the user's last here, tells the
     * {@link SocketEventHandler} before the removal completes. Never fails.
     */
    public Uni<Void> closed(String user, WebSocketConnection connection) {
        Uni<Void> removed;
        int here;
        synchronized (presenceOrder) {
            here = sockets.remove(user, connection);
            removed = presence.closed(user, connection.id(), here);
        }
        if (here == 0) {
            handler.lastSocketClosed(user);
        }
        LOG.info(user, null, "user=%s socket=%s closed (%d left here)", user, connection.id(), here);
        return removed
                .onFailure().invoke(e -> LOG.warn(user, null, "user=%s presence removal failed: %s", user,
                        e.getMessage()))
                .onFailure().recoverWithNull();
    }
}

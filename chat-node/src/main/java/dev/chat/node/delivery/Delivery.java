package dev.chat.node.delivery;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.chat.node.node.ChatConfig;
import dev.chat.node.node.ChatLog;
import dev.chat.node.presence.PresenceManager;
import dev.chat.node.protocol.ClientFrame;
import dev.chat.node.protocol.ErrorCode;
import dev.chat.node.protocol.ServerFrames;
import dev.chat.node.routing.Broker;
import dev.chat.node.routing.Router;
import dev.chat.node.socket.LocalSockets;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.mutiny.core.Vertx;

/**
 * The hot path, from a socket's frame to the recipient's sockets: store (deduplicated) → ack the sender →
 * route. Also what a socket is owed when it opens, and what an ack changes.
 */
@Singleton
public class Delivery {
    private static final ChatLog LOG = ChatLog.of(Delivery.class);

    private final MessageLog log;
    private final Router router;
    private final Broker broker;
    private final PresenceManager presence;
    private final LocalSockets sockets;
    private final InFlight inFlight;
    private final Pusher pusher;
    private final Sweeper sweeper;
    private final ServerFrames frames;
    private final SendLimiter limiter;
    private final Object presenceOrder = new Object();
    private final Context presenceContext;
    private final int pendingBatch;
    private final Counter accepted;
    private final Counter duplicates;
    private final Counter acked;
    private final Timer sendToAck;
    private final Timer sendToDelivery;
    private final Counter dbErrors;

    Delivery(MessageLog log, Router router, Broker broker, PresenceManager presence, LocalSockets sockets,
            InFlight inFlight, Pusher pusher, Sweeper sweeper, ServerFrames frames, SendLimiter limiter,
            ChatConfig config, MeterRegistry registry, Vertx vertx) {
        this.limiter = limiter;
        this.presenceContext = vertx.getDelegate().getOrCreateContext();
        this.log = log;
        this.router = router;
        this.broker = broker;
        this.presence = presence;
        this.sockets = sockets;
        this.inFlight = inFlight;
        this.pusher = pusher;
        this.sweeper = sweeper;
        this.frames = frames;
        this.pendingBatch = config.delivery().pendingBatch();
        this.accepted = Counter.builder("chat.messages.accepted").register(registry);
        this.duplicates = Counter.builder("chat.messages.duplicates")
                .description("sends retried with an ID already accepted: acked again, not delivered again")
                .register(registry);
        this.acked = Counter.builder("chat.messages.acked").description("recipient acks that changed a message")
                .register(registry);
        this.sendToAck = Timer.builder("chat.send.to.ack").description("from a send frame to its ack")
                .publishPercentileHistogram().register(registry);
        this.dbErrors = Counter.builder("chat.db.errors").description("PostgreSQL statements that failed")
                .register(registry);
        this.sendToDelivery = Timer.builder("chat.send.to.delivery")
                .description("from acceptance to the recipient's first ack (a full round to the recipient)")
                .publishPercentileHistogram().register(registry);
    }

    void start(@Observes StartupEvent event) {
        broker.listen(router::onPayload, sweeper::sweepSoon);
        presence.onReconnect(this::restorePresence);
    }

    /**
     * After a reconnect to the presence map: this node's entries are made equal to its live sockets (a failover may
     * have lost writes the old master never replicated, and removals made while Redis was away never arrived), then a
     * sweep delivers what pub/sub dropped meanwhile. The restoring write is made under the same order as socket opens
     * and closes, so that none of them is overwritten by an older view.
     */
    private void restorePresence() {
        presence.socketsHere().subscribe().with(recorded -> {
            Uni<Void> written;
            synchronized (presenceOrder) {
                Map<String, List<String>> live = new LinkedHashMap<>();
                sockets.snapshot().forEach((user, connections) -> {
                    List<String> ids = new ArrayList<>(connections.size());
                    connections.forEach(c -> ids.add(c.id()));
                    live.put(user, ids);
                });
                written = sent(presence.restore(recorded, live));
            }
            written.subscribe().with(x -> {
                LOG.info(null, null, "presence entries of this node restored after a Redis reconnect");
                sweeper.sweepSoon();
            }, e -> LOG.warn(null, null, "presence entries not restored (%s); the next reconnect retries", e.getMessage()));
        }, e -> LOG.warn(null, null, "presence entries not read after a Redis reconnect: %s", e.getMessage()));
    }

    /** Handles a send; answers the frame for the sender: an ack, or an error when nothing was accepted. */
    public Uni<String> send(String from, ClientFrame.Send send) {
        long start = System.nanoTime();
        long wait = limiter.acquire(from);
        if (wait > 0) {
            return Uni.createFrom().item(frames.rateLimited(send.id(), wait));
        }
        return stored(from, send.id(), start,
                log.append(from, send.id(), send.to(), send.body(), System.currentTimeMillis()));
    }

    /** The same for a group: stored once, then routed to every other member's nodes. */
    public Uni<String> send(String from, ClientFrame.SendToGroup send) {
        long start = System.nanoTime();
        long wait = limiter.acquire(from);
        if (wait > 0) {
            return Uni.createFrom().item(frames.rateLimited(send.id(), wait));
        }
        return stored(from, send.id(), start,
                log.appendToGroup(from, send.id(), send.group(), send.body(), System.currentTimeMillis()));
    }

    private Uni<String> stored(String from, String id, long start, Uni<MessageLog.Appended> append) {
        return append.map(appended -> {
            switch (appended.outcome()) {
                case UNKNOWN_RECIPIENT:
                    return frames.error(id, ErrorCode.UNKNOWN_RECIPIENT, "no such user");
                case NOT_A_MEMBER:
                    return frames.error(id, ErrorCode.NOT_A_MEMBER, "no such group, or you are not a member of it");
                case UNAVAILABLE:
                    return unavailable(from, id, "the store failed");
                case DUPLICATE:
                    duplicates.increment();
                    LOG.debug(from, id, "user=%s msg=%s duplicate send, acked again", from, id);
                    break;
                default:
                    accepted.increment();
                    Message m = appended.message();
                    if (m.group() == null) {
                        router.route(m.to(), m.id(), frames.msg(m));
                    } else {
                        router.route(appended.recipients(), m.id(), frames.msg(m));
                    }
            }
            sendToAck.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            return frames.ack(id);
        }).onFailure().recoverWithItem(e -> unavailable(from, id, e.getMessage()));
    }

    private String unavailable(String from, String id, String why) {
        dbErrors.increment();
        LOG.warn(from, id, "user=%s msg=%s not stored: %s", from, id, why);
        return frames.error(id, ErrorCode.UNAVAILABLE, "the message could not be confirmed as stored: retry with the same id");
    }

    /**
     * The recipient has the message: it leaves the unacked set on every node, and the sender's open sockets
     * learn it was delivered.
     */
    public Uni<Void> ack(String user, String id) {
        inFlight.acked(user, id);
        return log.ack(user, id).invoke(first -> {
            if (first == null) {
                return;
            }
            acked.increment();
            sendToDelivery.record(Math.max(0, System.currentTimeMillis() - first.ts()), TimeUnit.MILLISECONDS);
            // Group senders are not told of each member's ack: a large group would flood them.
            if (first.group() == null) {
                router.notify(first.from(), frames.delivered(id, user));
            }
        }).onFailure().invoke(e -> {
            dbErrors.increment();
            LOG.warn(user, id, "user=%s msg=%s ack not recorded: %s", user, id, e.getMessage());
        }).onFailure().recoverWithNull().replaceWithVoid();
    }

    /**
     * A socket opened: register it in the presence map first, then push what the user is owed. In that
     * order, a message stored meanwhile is either routed here or found by the read.
     */
    public Uni<Void> opened(String user, WebSocketConnection connection) {
        long openedAt = System.nanoTime();
        Uni<Void> registered;
        int here;
        // Counting the user's sockets and sending the count happen together, so that of two sockets opening or
        // closing at once the count sent last is the true one (the link keeps the order of what is sent).
        synchronized (presenceOrder) {
            here = sockets.add(user, connection);
            registered = sent(presence.opened(user, connection.id(), here));
        }
        LOG.info(user, null, "user=%s socket=%s opened (%d here)", user, connection.id(), here);
        return registered
                .onFailure().invoke(e -> LOG.warn(user, null, "user=%s presence write failed (%s); the sweep covers",
                        user, e.getMessage()))
                .onFailure().recoverWithNull()
                .chain(() -> log.unacked(user, pendingBatch))
                // What was routed here since the socket was added already reached it with the user's others.
                .invoke(owed -> owed.stream().filter(m -> !inFlight.pushedSince(user, m.id(), openedAt))
                        .forEach(m -> pusher.pushTo(connection, user, m.id(), frames.msg(m))))
                .onFailure().invoke(e -> LOG.warn(user, null, "user=%s could not load unacked messages (%s); the "
                        + "sweep retries", user, e.getMessage()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    /**
     * Sends the write now, from one context for all presence writes: calls made in order on that context reach
     * the Redis connection in that order (calls from different event loops could overtake each other).
     */
    private Uni<Void> sent(Uni<Void> write) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        presenceContext.runOnContext(v -> write.subscribe().with(done::complete, done::completeExceptionally));
        return Uni.createFrom().completionStage(done);
    }

    public Uni<Void> closed(String user, WebSocketConnection connection) {
        Uni<Void> removed;
        int here;
        synchronized (presenceOrder) {
            here = sockets.remove(user, connection);
            removed = sent(presence.closed(user, connection.id(), here));
        }
        if (here == 0) {
            inFlight.forget(user);
        }
        LOG.info(user, null, "user=%s socket=%s closed (%d left here)", user, connection.id(), here);
        return removed
                .onFailure().invoke(e -> LOG.warn(user, null, "user=%s presence removal failed: %s", user,
                        e.getMessage()))
                .onFailure().recoverWithNull();
    }
}

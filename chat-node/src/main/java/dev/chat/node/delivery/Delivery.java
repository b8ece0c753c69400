package dev.chat.node.delivery;

import java.util.concurrent.TimeUnit;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import dev.chat.node.config.ChatLog;
import dev.chat.node.config.TimeSource;
import dev.chat.node.protocol.ClientFrame;
import dev.chat.node.protocol.ErrorCode;
import dev.chat.node.protocol.ServerFrames;
import dev.chat.node.routing.Broker;
import dev.chat.node.routing.Router;
import dev.chat.node.sockets.SocketRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.mutiny.Uni;

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
    private final SocketRegistry sockets;
    private final InFlight inFlight;
    private final Pusher pusher;
    private final Sweeper sweeper;
    private final ServerFrames frames;
    private final SendLimiter limiter;
    private final TimeSource time;
    private final int pendingBatch;
    private final Counter accepted;
    private final Counter duplicates;
    private final Counter acked;
    private final Timer sendToAck;
    private final Timer sendToDelivery;
    private final Counter dbErrors;

    Delivery(MessageLog log, Router router, Broker broker, SocketRegistry sockets, InFlight inFlight, Pusher pusher,
            Sweeper sweeper, ServerFrames frames, SendLimiter limiter, DeliveryConfig config, MeterRegistry registry,
            TimeSource time) {
        this.limiter = limiter;
        this.time = time;
        this.log = log;
        this.router = router;
        this.broker = broker;
        this.sockets = sockets;
        this.inFlight = inFlight;
        this.pusher = pusher;
        this.sweeper = sweeper;
        this.frames = frames;
        this.pendingBatch = config.pendingBatch();
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
        listen();
    }

    /**
     * Hears what other nodes publish to this one; after every (re)subscription, sweeps for what was missed. After
     * every reconnect to the presence map, this node's entries are restored from its live sockets, then the sweep
     * delivers what pub/sub dropped meanwhile.
     */
    void listen() {
        broker.listen(router::onPayload, sweeper::sweepSoon);
        sockets.restoreOnReconnect(sweeper::sweepSoon);
    }

    /** Handles a send; answers the frame for the sender: an ack, or an error when nothing was accepted. */
    public Uni<String> send(String from, ClientFrame.Send send) {
        long start = time.nanos();
        String refused = admit(from, send);
        return refused != null ? Uni.createFrom().item(refused) : store(from, send, start);
    }

    /**
     * Takes the send's token of its sender's rate, when the frame arrives: the {@code rate_limited} frame when
     * refused (nothing more to do), null when the send may be stored ({@link #store(String, ClientFrame.Send, long)}).
     */
    public String admit(String from, ClientFrame.Send send) {
        long wait = limiter.acquire(from);
        return wait > 0 ? frames.rateLimited(send.id(), wait) : null;
    }

    /** Stores an admitted send and answers it; {@code start}: its arrival ({@link TimeSource#nanos()}). */
    public Uni<String> store(String from, ClientFrame.Send send, long start) {
        return stored(from, send.id(), start, log.append(from, send.id(), send.to(), send.body(), time.millis()));
    }

    /**
     * The same for a group: stored once, then routed to every other member's nodes. Refused ({@code rate_limited})
     * while the sender's group rows are in debt: each stored group send is charged one row per recipient.
     */
    public Uni<String> send(String from, ClientFrame.SendToGroup send) {
        long start = time.nanos();
        String refused = admit(from, send);
        return refused != null ? Uni.createFrom().item(refused) : store(from, send, start);
    }

    /** {@link #admit(String, ClientFrame.Send)} for a group send: the group rows owed first, then the send rate. */
    public String admit(String from, ClientFrame.SendToGroup send) {
        long owed = limiter.groupRowsOwed(from);
        long wait = owed > 0 ? owed : limiter.acquire(from);
        return wait > 0 ? frames.rateLimited(send.id(), wait) : null;
    }

    /** Stores an admitted group send, charges its rows, and answers it. */
    public Uni<String> store(String from, ClientFrame.SendToGroup send, long start) {
        return stored(from, send.id(), start,
                log.appendToGroup(from, send.id(), send.group(), send.body(), time.millis()).invoke(appended -> {
                    if (appended.outcome() == MessageLog.Appended.Outcome.ACCEPTED) {
                        limiter.chargeGroupRows(from, appended.recipients().size());
                    }
                }));
    }

    /**
     * Answers an append (a message's or a change's, {@link Changes}) for its sender once it is decided: the ack after
     * it is stored, routed to its recipients and echoed to the sender's own sockets (their other devices), or the
     * error frame of its refusal.
     */
    Uni<String> stored(String from, String id, long start, Uni<MessageLog.Appended> append) {
        return append.map(appended -> {
            switch (appended.outcome()) {
                case UNKNOWN_RECIPIENT:
                    return frames.error(id, ErrorCode.UNKNOWN_RECIPIENT, "no such user");
                case NOT_A_MEMBER:
                    return frames.error(id, ErrorCode.NOT_A_MEMBER, "no such group, or you are not a member of it");
                case ID_REUSED:
                    LOG.info(from, id, "user=%s msg=%s refused: ID already used for another message", from, id);
                    return frames.error(id, ErrorCode.ID_REUSED,
                            "you already sent another message with this id (to another recipient or with another body); "
                                    + "send this one with a new id");
                case ID_IN_USE:
                    LOG.info(from, id, "user=%s msg=%s refused: ID pending for a recipient from another sender",
                            from, id);
                    return frames.error(id, ErrorCode.ID_IN_USE, "a message with this id from someone else is not yet "
                            + "acked by its recipient; send this one with a new id, or again once that one is acked");
                case UNAVAILABLE:
                    return unavailable(from, id, "the store failed");
                case UNKNOWN_MESSAGE:
                    return frames.error(id, ErrorCode.UNKNOWN_MESSAGE, "no such message that you can see");
                case NOT_ALLOWED:
                    return frames.error(id, ErrorCode.NOT_ALLOWED,
                            "only its sender changes a message; group owners and admins delete any message of their group");
                case WINDOW_CLOSED:
                    return frames.error(id, ErrorCode.EDIT_WINDOW_CLOSED, "the message is too old to be changed");
                case MESSAGE_DELETED:
                    return frames.error(id, ErrorCode.MESSAGE_DELETED, "the message was deleted");
                case DUPLICATE:
                    duplicates.increment();
                    LOG.debug(from, id, "user=%s msg=%s duplicate send, acked again", from, id);
                    break;
                default:
                    accepted.increment();
                    Message m = appended.message();
                    String frame = m.frame(frames);
                    if (m.group() == null) {
                        router.route(m.to(), m.id(), frame);
                    } else {
                        router.route(appended.recipients(), m.id(), frame);
                    }
                    // The sender's other devices show it live (at most once; a device that misses it reads history).
                    router.notify(from, frames.sent(frame));
            }
            sendToAck.record(time.nanos() - start, TimeUnit.NANOSECONDS);
            return frames.ack(id);
        }).onFailure().recoverWithItem(e -> unavailable(from, id, e.getMessage()));
    }

    /**
     * The answer for a send (or change) that got no outcome in time: {@code unavailable}, retried by the client with
     * the same ID. Counted and logged as a store failure.
     */
    public String unconfirmed(String from, String id) {
        return unavailable(from, id, "no answer from the store in time");
    }

    /**
     * Whether {@code id} is a message this node pushed to {@code user} and has not seen acked: an ack of it answers
     * the node's own push, so the push window and {@code max-unacked-per-user}, not the client, decide how many come.
     */
    public boolean pushedHere(String user, String id) {
        return inFlight.tracked(user, id);
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
        // Still in flight until the store has the ack: a sweep meanwhile would find the message unacked there and,
        // were it no longer in flight here, push it again (a client catching up got half its backlog twice).
        return log.ack(user, id).invoke(() -> {
            inFlight.acked(user, id);
            readOn(user);
        }).invoke(first -> {
            if (first == null) {
                return;
            }
            acked.increment();
            sendToDelivery.record(Math.max(0, time.millis() - first.ts()), TimeUnit.MILLISECONDS);
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
     * A client catching up acks as it goes: once its ack is recorded, and about half of the last read is acked
     * ({@link Backlog}), the next {@code pending-batch} of its backlog is read and pushed to its sockets here, so a
     * backlog comes at the pace of the client's acks (and of its network: the push window), not one sweep at a
     * time. Reads from where the last ended, so nothing acked meanwhile is pushed again; stops at the first message
     * no socket had room for (the next ack or the sweep goes on from there). Never fails.
     */
    private void readOn(String user) {
        Backlog backlog = inFlight.backlog(user);
        long after = backlog == null ? -1 : backlog.ackedDue(inFlight.count(user), pendingBatch / 2);
        if (after < 0) {
            return;
        }
        log.unackedAfter(user, after, pendingBatch).subscribe().with(owed -> {
            long last = after;
            boolean full = false;
            for (Message m : owed) {
                boolean pushed = inFlight.tracked(user, m.id()) && !inFlight.due(user, m.id())
                        || pusher.push(user, m.id(), m.frame(frames)) > 0;
                if (!pushed) {
                    full = true;
                    break;
                }
                last = m.seq();
            }
            backlog.read(last);
            if (!full && owed.size() < pendingBatch) {
                inFlight.caughtUp(user, backlog);
            }
        }, e -> {
            backlog.read(after);
            LOG.warn(user, null, "user=%s could not read on in the backlog (%s); the sweep covers", user,
                    e.getMessage());
        });
    }

    /**
     * A socket opened: register it (in {@link SocketRegistry}: here and in the presence map) first, then push what
     * the user is owed. In that order, a message stored meanwhile is either routed here or found by the read.
     * Never fails: what could not be read now, the sweep pushes.
     */
    public Uni<Void> opened(String user, WebSocketConnection connection) {
        long openedAt = time.nanos();
        return sockets.opened(user, connection)
                .chain(() -> log.unacked(user, pendingBatch))
                // What was routed here since the socket was added already reached it with the user's others.
                .invoke(owed -> {
                    owed.stream().filter(m -> !inFlight.pushedSince(user, m.id(), openedAt))
                            .forEach(m -> pusher.pushTo(connection, user, m.id(), m.frame(frames)));
                    // More is owed than one read brings: the user's acks bring the rest (readOn).
                    if (owed.size() >= pendingBatch) {
                        inFlight.behind(user, owed.get(owed.size() - 1).seq());
                    }
                })
                .onFailure().invoke(e -> LOG.warn(user, null, "user=%s could not load unacked messages (%s); the "
                        + "sweep retries", user, e.getMessage()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }
}

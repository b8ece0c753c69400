package dev.chat.node.endpoint;

import jakarta.inject.Inject;

import dev.chat.node.delivery.Changes;
import dev.chat.node.delivery.Delivery;
import dev.chat.node.delivery.TypingNotices;
import dev.chat.node.config.ChatLog;
import dev.chat.node.config.TimeSource;
import dev.chat.node.config.Timers;
import dev.chat.node.postgres.StoreSilence;
import dev.chat.node.protocol.ClientFrame;
import dev.chat.node.protocol.CloseCode;
import dev.chat.node.protocol.ErrorCode;
import dev.chat.node.protocol.FrameException;
import dev.chat.node.protocol.FrameReader;
import dev.chat.node.protocol.ServerFrames;
import dev.chat.node.sockets.FrameRate;
import dev.chat.node.sockets.SocketLimits;
import dev.chat.node.sockets.SocketRegistry;
import dev.chat.node.sockets.UserSockets;
import io.quarkus.websockets.next.OnBinaryMessage;
import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnError;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.OnPingMessage;
import io.quarkus.websockets.next.OnPongMessage;
import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;

/**
 * {@code /ws/chat}: the contract's socket. The upgrade is authenticated before any frame ({@link UpgradeChecks}
 * refuses it with 401 without a valid JWT); the user is the token's {@code upn}, whatever frames say.
 * WebSockets Next hands a socket's frames over one at a time (its serial mode, kept so that every frame is taken in
 * arrival order: its frame-rate token, its place among the socket's appends), and the handler returns at once for
 * every frame: what needs the store or Redis goes on outside the socket's inbound queue ({@link Inbound}), so a
 * frozen store holds no frame behind another. A socket's appends are still stored one after another, in the order
 * sent, and each gets one answer (ack or error): a refusal of the send rate at once, else, when the store has stopped
 * answering, {@code unavailable} within {@code chat.limits.answer-within} (1.5 s) of its arrival, or
 * {@code chat.limits.store-silent-after} (1.5 s) after the store's last answer if that is later: under the store call's
 * own 2-s bound, so the answer is not that bound plus a loaded machine's delays (a merely slow store keeps them
 * waiting their turn, as a slow store call is still answered). Every
 * reply (ack, pong, error) goes through {@link UserSockets#send(WebSocketConnection, String, String)}, under the
 * socket's bound on frames not taken, so a client that sends but never reads is cut off (1008) instead of growing
 * the node's memory. Every frame, whatever its type, first takes a token of the socket's {@link FrameRate}: past it
 * the frame is refused ({@code rate_limited}), and a client that keeps flooding is closed (1008).
 *
 * <p>Nothing here is request- or session-scoped, so websockets-next activates no CDI context per frame.
 */
@WebSocket(path = UpgradeRequestRelease.SOCKET_PATH)
public class ChatSocket {
    private static final ChatLog LOG = ChatLog.of(ChatSocket.class);

    @Inject
    Delivery delivery;
    @Inject
    Changes changes;
    @Inject
    FrameReader reader;
    @Inject
    ServerFrames frames;
    @Inject
    TypingNotices typingNotices;
    @Inject
    SocketRegistry sockets;
    @Inject
    UserSockets out;
    @Inject
    Reauthentication reauthentication;
    @Inject
    FrameRate rate;
    @Inject
    Timers timers;
    @Inject
    SocketLimits limits;
    @Inject
    StoreSilence silence;
    @Inject
    TimeSource time;

    // The connection comes as a parameter, not injected: the injected one is a session-scoped proxy, useless
    // once stored and written to from outside this socket's callbacks.
    @OnOpen
    Uni<Void> open(WebSocketConnection connection) {
        return delivery.opened(user(connection), connection);
    }

    @OnTextMessage
    Uni<Void> text(String text, WebSocketConnection connection) {
        String user = user(connection);
        ClientFrame frame;
        try {
            frame = reader.read(text);
        } catch (FrameException e) {
            if (!withinRate(connection, user, e.id())) {
                return done();
            }
            LOG.debug(user, e.id(), "user=%s msg=%s refused: %s", user, e.id(), e.getMessage());
            return reply(connection, user, frames.error(e.id(), e.code(), e.getMessage()));
        }
        // An ack of a message this node pushed to the user answers the node's own push (paced by the push window and
        // max-unacked-per-user): it takes no token, or a client catching up on a backlog would be refused its acks.
        boolean answersAPush = frame instanceof ClientFrame.Ack ack && delivery.pushedHere(user, ack.id());
        if (!answersAPush && !withinRate(connection, user, frame.id())) {
            return done();
        }
        dispatch(frame, user, connection);
        return done();
    }

    /**
     * Each frame type the contract knows, by name; anything else (a type added to {@link ClientFrame} but not
     * here) is refused with an {@code unknown_type} error frame, never answered as something it is not. Starts the
     * frame's work and returns: nothing here waits for the store or Redis.
     */
    private void dispatch(ClientFrame frame, String user, WebSocketConnection connection) {
        long arrived = time.nanos();
        if (frame instanceof ClientFrame.Send send) {
            append(connection, user, send, delivery.admit(user, send), () -> delivery.store(user, send, arrived));
        } else if (frame instanceof ClientFrame.SendToGroup send) {
            append(connection, user, send, delivery.admit(user, send), () -> delivery.store(user, send, arrived));
        } else if (frame instanceof ClientFrame.Change change) {
            append(connection, user, change, changes.admit(user, change), () -> changes.store(user, change, arrived));
        } else if (frame instanceof ClientFrame.Typing typing) {
            later(connection, user, frame.id(), typingNotices.typing(user, typing, connection));
        } else if (frame instanceof ClientFrame.Ack ack) {
            ack(connection, user, ack.id());
        } else if (frame instanceof ClientFrame.Reauth reauth) {
            later(connection, user, frame.id(), reauthentication.renew(user, reauth, connection));
        } else if (frame instanceof ClientFrame.Ping ping) {
            reply(connection, user, frames.pong(ping.id()));
        } else {
            reply(connection, user, frames.error(frame.id(), ErrorCode.UNKNOWN_TYPE,
                    "frame type not handled: " + frame.getClass().getSimpleName()));
        }
    }

    /**
     * Answered at once when the sender's rate refused it ({@code refused}); else stored after the socket's earlier
     * appends and answered within {@link SocketLimits#answerWithin()} of now while the store answers nothing
     * ({@link Inbound}).
     */
    private void append(WebSocketConnection connection, String user, ClientFrame frame, String refused,
            java.util.function.Supplier<Uni<String>> store) {
        if (refused != null) {
            reply(connection, user, refused);
            return;
        }
        String id = frame.id();
        Inbound.of(connection).append(frame, store, () -> delivery.unconfirmed(user, id),
                r -> reply(connection, user, r),
                new Inbound.Deadline(timers, silence, limits.answerWithin(), limits.storeSilentAfter()),
                limits.maxAppendsWaiting());
    }

    /** Recorded in the background; past the socket's acks in flight, not recorded (the message comes again). */
    private void ack(WebSocketConnection connection, String user, String id) {
        Inbound in = Inbound.of(connection);
        if (!in.ackStarted(limits.maxAcksInFlight())) {
            LOG.debug(user, id, "user=%s msg=%s ack not recorded: %d acks of the socket in flight", user, id,
                    limits.maxAcksInFlight());
            return;
        }
        delivery.ack(user, id).subscribe().with(x -> in.ackFinished(), e -> in.ackFinished());
    }

    /** A reply that needs a store or Redis call (itself bounded): written when it comes. */
    private void later(WebSocketConnection connection, String user, String id, Uni<String> answer) {
        answer.subscribe().with(r -> reply(connection, user, r),
                e -> LOG.warn(user, id, "user=%s msg=%s frame failed: %s", user, id, e.getMessage()));
    }

    /**
     * Takes one frame from the socket's budget ({@link FrameRate}): answers false, having refused the frame with
     * {@code rate_limited} (or closed a flooding socket with 1008), when the frame must not be handled.
     */
    private boolean withinRate(WebSocketConnection connection, String user, String id) {
        FrameRate.Verdict verdict = rate.take(connection);
        switch (verdict.outcome()) {
            case ACCEPTED:
                return true;
            case REFUSED:
                out.send(connection, user, frames.frameRateLimited(id, verdict.retryAfterMs()));
                return false;
            default:
                closeAsFlood(connection, user, id);
                return false;
        }
    }

    private void closeAsFlood(WebSocketConnection connection, String user, String id) {
        if (!connection.isOpen()) {
            return;
        }
        rate.flooded();
        LOG.warn(user, id, "user=%s socket=%s closed as a flood: it kept sending past its frame rate", user,
                connection.id());
        connection.close(CloseCode.FRAME_FLOOD.closeReason()).subscribe().with(x -> {
        }, e -> {
        });
    }

    /**
     * A WebSocket ping (a control frame; the contract's own ping is a text frame), already answered by the framework
     * with its pong before this runs. It takes a token of the socket's frame rate like any frame (a flood of them is
     * closed 1008; one merely over the rate cannot be refused, its pong being written already), and its pong counts
     * against the socket's bound on frames not taken ({@link UserSockets#pongAfterPing}), so a client that pings and
     * never reads is cut off (1008) instead of queueing pongs on the node for as long as it pings.
     */
    @OnPingMessage
    Uni<Void> controlPing(Buffer data, WebSocketConnection connection) {
        String user = user(connection);
        if (rate.take(connection).outcome() == FrameRate.Verdict.Outcome.FLOOD) {
            closeAsFlood(connection, user, null);
        } else {
            out.pongAfterPing(connection, user);
        }
        return done();
    }

    /** A WebSocket pong (unsolicited: the node sends no pings) writes nothing, but is a frame: it takes its token. */
    @OnPongMessage
    Uni<Void> controlPong(Buffer data, WebSocketConnection connection) {
        if (rate.take(connection).outcome() == FrameRate.Verdict.Outcome.FLOOD) {
            closeAsFlood(connection, user(connection), null);
        }
        return done();
    }

    private static Uni<Void> done() {
        return Uni.createFrom().voidItem();
    }

    /**
     * Writes a reply without waiting for the network to take it: the socket's bound on frames not taken (not a
     * write queue growing behind a client that does not read) is what limits it.
     */
    private Uni<Void> reply(WebSocketConnection connection, String user, String frame) {
        if (frame != null) {
            out.send(connection, user, frame);
        }
        return Uni.createFrom().voidItem();
    }

    // Sent explicitly as text: a value returned from a binary callback would go back as a binary frame.
    @OnBinaryMessage
    Uni<Void> binary(Buffer ignored, WebSocketConnection connection) {
        if (!withinRate(connection, user(connection), null)) {
            return done();
        }
        return reply(connection, user(connection), frames.error(null, ErrorCode.BINARY_NOT_SUPPORTED,
                "frames are JSON text; binary frames are ignored"));
    }

    /**
     * The framework refuses a text or binary message over {@code quarkus.websockets-next.server.max-message-size}
     * (64 KiB) with this exception, whether it came in one frame or in fragments; left to the framework, the socket
     * would be closed with 1011 (a server failure), not the documented 1009 ({@link CloseCode#TOO_BIG}). Any other
     * such failure is a defect of ours: logged and closed as the framework would ({@link CloseCode#SERVER_ERROR}).
     */
    @OnError
    Uni<Void> failed(IllegalStateException e, WebSocketConnection connection) {
        String user = user(connection);
        boolean tooBig = e.getMessage() != null && e.getMessage().contains("overflow max message size");
        if (tooBig) {
            LOG.warn(user, null, "user=%s socket=%s closed: %s", user, connection.id(), e.getMessage());
        } else {
            LOG.error(user, null, "user=%s socket=%s failed: %s", user, connection.id(), e.toString());
        }
        return connection.close((tooBig ? CloseCode.TOO_BIG : CloseCode.SERVER_ERROR).closeReason());
    }

    @OnClose
    Uni<Void> close(WebSocketConnection connection) {
        return sockets.closed(user(connection), connection);
    }

    /** The socket's user, from its verified token at the upgrade. */
    private static String user(WebSocketConnection connection) {
        return connection.userData().get(UpgradeChecks.USER);
    }
}

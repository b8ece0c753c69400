package dev.chat.node.endpoint;

import jakarta.inject.Inject;

import dev.chat.node.delivery.Changes;
import dev.chat.node.delivery.Delivery;
import dev.chat.node.delivery.TypingNotices;
import dev.chat.node.config.ChatLog;
import dev.chat.node.protocol.ClientFrame;
import dev.chat.node.protocol.CloseCode;
import dev.chat.node.protocol.ErrorCode;
import dev.chat.node.protocol.FrameException;
import dev.chat.node.protocol.FrameReader;
import dev.chat.node.protocol.ServerFrames;
import dev.chat.node.sockets.FrameRate;
import dev.chat.node.sockets.SocketRegistry;
import dev.chat.node.sockets.UserSockets;
import io.quarkus.websockets.next.OnBinaryMessage;
import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;

/**
 * {@code /ws/chat}: the contract's socket. The upgrade is authenticated before any frame ({@link UpgradeChecks}
 * refuses it with 401 without a valid JWT); the user is the token's {@code upn}, whatever frames say.
 * Frames of one socket are handled one after another, so a client's sends are stored in the order sent. Every
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
        if (!withinRate(connection, user, frame.id())) {
            return done();
        }
        return dispatch(frame, user, connection);
    }

    /**
     * Each frame type the contract knows, by name; anything else (a type added to {@link ClientFrame} but not
     * here) is refused with an {@code unknown_type} error frame, never answered as something it is not.
     */
    private Uni<Void> dispatch(ClientFrame frame, String user, WebSocketConnection connection) {
        if (frame instanceof ClientFrame.Send send) {
            return delivery.send(user, send).chain(r -> reply(connection, user, r));
        } else if (frame instanceof ClientFrame.SendToGroup send) {
            return delivery.send(user, send).chain(r -> reply(connection, user, r));
        } else if (frame instanceof ClientFrame.Change change) {
            return changes.change(user, change).chain(r -> reply(connection, user, r));
        } else if (frame instanceof ClientFrame.Typing typing) {
            return typingNotices.typing(user, typing, connection).chain(r -> reply(connection, user, r));
        } else if (frame instanceof ClientFrame.Ack ack) {
            return delivery.ack(user, ack.id());
        } else if (frame instanceof ClientFrame.Reauth reauth) {
            return reauthentication.renew(user, reauth, connection).chain(r -> reply(connection, user, r));
        } else if (frame instanceof ClientFrame.Ping ping) {
            return reply(connection, user, frames.pong(ping.id()));
        }
        return reply(connection, user, frames.error(frame.id(), ErrorCode.UNKNOWN_TYPE,
                "frame type not handled: " + frame.getClass().getSimpleName()));
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
                if (!connection.isOpen()) {
                    return false;
                }
                rate.flooded();
                LOG.warn(user, id, "user=%s socket=%s closed as a flood: it kept sending past its frame rate",
                        user, connection.id());
                connection.close(CloseCode.FRAME_FLOOD.closeReason()).subscribe().with(x -> {
                }, e -> {
                });
                return false;
        }
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

    @OnClose
    Uni<Void> close(WebSocketConnection connection) {
        return sockets.closed(user(connection), connection);
    }

    /** The socket's user, from its verified token at the upgrade. */
    private static String user(WebSocketConnection connection) {
        return connection.userData().get(UpgradeChecks.USER);
    }
}

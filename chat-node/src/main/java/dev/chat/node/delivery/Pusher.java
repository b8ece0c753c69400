package dev.chat.node.delivery;

import jakarta.inject.Singleton;

import dev.chat.node.routing.LocalRecipients;
import dev.chat.node.sockets.UserSockets;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.websockets.next.WebSocketConnection;

/** Writes a msg frame to a user's sockets on this node and notes it as in flight until acked. */
@Singleton
public class Pusher implements LocalRecipients {
    private final UserSockets sockets;
    private final InFlight inFlight;
    private final int maxUnacked;
    private final Counter pushed;
    private final Counter held;

    Pusher(UserSockets sockets, InFlight inFlight, DeliveryLimits config, MeterRegistry registry) {
        this.sockets = sockets;
        this.inFlight = inFlight;
        this.maxUnacked = config.maxUnackedPerUser();
        this.pushed = Counter.builder("chat.messages.pushed").description("msg frames written to sockets")
                .register(registry);
        this.held = Counter.builder("chat.messages.held")
                .description("messages not pushed because the user has too many unacked; they wait in PostgreSQL")
                .register(registry);
    }

    /**
     * Writes to one socket: what a socket that just opened is owed. A message the socket has no room for yet
     * is not noted as in flight, so the next sweep pushes it.
     */
    public void pushTo(WebSocketConnection connection, String user, String id, String frame) {
        if (sockets.push(connection, user, frame)) {
            inFlight.pushed(user, id);
            pushed.increment();
        }
    }

    /**
     * Answers how many sockets the frame was written to: 0 when the user has none here any more; when this
     * message went to all of them within the redelivery delay (a publish that arrives after the sweep already
     * pushed it, under load, is not pushed twice); or when the user already has {@code max-unacked-per-user}
     * messages in flight (a client that reads without acking gets no more until it acks: the rest wait in
     * PostgreSQL, and server memory stays bounded); or when no socket had room for it (see
     * {@link UserSockets#push}).
     */
    @Override
    public int push(String user, String id, String frame) {
        if (!inFlight.due(user, id)) {
            return 0;
        }
        if (!inFlight.tracked(user, id) && inFlight.count(user) >= maxUnacked) {
            held.increment();
            return 0;
        }
        int n = sockets.push(user, frame);
        if (n > 0) {
            inFlight.pushed(user, id);
            pushed.increment(n);
        }
        return n;
    }

    /** Writes a frame nobody acks to the user's sockets here; nothing is tracked. */
    @Override
    public void notice(String user, String frame) {
        sockets.send(user, frame);
    }
}

package dev.chat.node.delivery;

import jakarta.inject.Singleton;

import dev.chat.node.socket.LocalSockets;
import io.micrometer.core.instrument.Counter;
import io.quarkus.websockets.next.WebSocketConnection;
import io.micrometer.core.instrument.MeterRegistry;

/** Writes a msg frame to a user's sockets on this node and notes it as in flight until acked. */
@Singleton
public class Pusher {
    private final LocalSockets sockets;
    private final InFlight inFlight;
    private final Counter pushed;

    Pusher(LocalSockets sockets, InFlight inFlight, MeterRegistry registry) {
        this.sockets = sockets;
        this.inFlight = inFlight;
        this.pushed = Counter.builder("chat.messages.pushed").description("msg frames written to sockets")
                .register(registry);
    }

    /** Writes to one socket: what a socket that just opened is owed. */
    public void pushTo(WebSocketConnection connection, String user, String id, String frame) {
        connection.sendText(frame).subscribe().with(ok -> {
        }, e -> {
        });
        inFlight.pushed(user, id);
        pushed.increment();
    }

    /** Writes a frame nobody acks to the user's sockets here; nothing is tracked. */
    public void notice(String user, String frame) {
        sockets.send(user, frame);
    }

    /**
     * Answers how many sockets the frame was written to: 0 when the user has none here any more, or when this
     * message went to all of them within the redelivery delay (a publish that arrives after the sweep already
     * pushed the message, under load, is not pushed twice).
     */
    public int push(String user, String id, String frame) {
        if (!inFlight.due(user, id)) {
            return 0;
        }
        int n = sockets.send(user, frame);
        if (n > 0) {
            inFlight.pushed(user, id);
            pushed.increment(n);
        }
        return n;
    }
}

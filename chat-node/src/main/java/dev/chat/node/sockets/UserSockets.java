package dev.chat.node.sockets;

import java.util.Set;

import io.quarkus.websockets.next.WebSocketConnection;

/**
 * Writing to the sockets of users on this node, as delivery does it: {@link LocalSockets} on real sockets, an
 * in-memory recorder in unit tests. Writes never block and never fail the caller; a frame a socket cannot take
 * now is simply not counted as written (it stays in PostgreSQL for the sweep).
 */
public interface UserSockets {
    /** The users with at least one socket here. */
    Set<String> users();

    /**
     * Writes a {@code msg} frame to every socket of {@code user} here that has room for it (sockets slow to take
     * their frames are skipped, then cut off); answers how many took it.
     */
    int push(String user, String frame);

    /** The same for one socket: what a socket that just opened is owed. Answers whether it took the frame. */
    boolean push(WebSocketConnection connection, String user, String frame);

    /** Writes a frame nobody acks (a notice) to every socket of {@code user} here; answers how many took it. */
    int send(String user, String frame);

    /**
     * Writes a reply (an ack, a pong, an error) to the one socket it answers, under the same bound as every other
     * frame to it: a socket whose network has not taken {@code chat.limits.max-pending-writes} frames, whatever
     * they are, is cut off instead. Answers whether the socket took the frame.
     */
    boolean send(WebSocketConnection connection, String user, String frame);

    /**
     * Counts the framework's answer to a WebSocket ping (a control frame, answered with a pong before any handler of
     * ours runs, outside every write counted above) under that same bound, by following it with an empty unsolicited
     * pong of our own (RFC 6455 section 5.5.3: a client expects no answer to it and reads no message in it): a
     * client that pings and never reads is cut off like any other. Answers whether the socket took it.
     */
    boolean pongAfterPing(WebSocketConnection connection, String user);
}

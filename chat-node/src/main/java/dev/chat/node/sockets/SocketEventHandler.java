package dev.chat.node.sockets;

/**
 * What the sockets layer tells the layer above it about a user's sockets here; {@code delivery.InFlight}
 * implements it (the sockets layer does not import delivery).
 */
public interface SocketEventHandler {
    /** The user's last socket on this node closed: nothing is in flight to them here any more. */
    void lastSocketClosed(String user);
}

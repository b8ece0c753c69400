package dev.chat.node.protocol;

/** A frame a client sent, already checked against the contract. */
public sealed interface ClientFrame {
    /** Every frame carries the client's ID. */
    String id();

    /** {@code {"type":"send","id":ID,"to":U,"body":TEXT}} */
    record Send(String id, String to, String body) implements ClientFrame {
    }

    /** {@code {"type":"ack","id":ID}}: the recipient has the message. */
    record Ack(String id) implements ClientFrame {
    }

    /**
     * Extension: {@code {"type":"ping","id":ID}}, answered by {@code {"type":"pong","id":ID}}. Browsers cannot
     * send WebSocket pings, and an idle socket does not notice a dead path (a virtual IP that moved) without
     * traffic: the client module pings every few seconds and reconnects when pongs stop.
     */
    record Ping(String id) implements ClientFrame {
    }
}

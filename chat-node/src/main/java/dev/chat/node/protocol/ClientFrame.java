package dev.chat.node.protocol;

/** A frame a client sent, already checked against the contract. */
public sealed interface ClientFrame {
    /** {@code {"type":"send","id":ID,"to":U,"body":TEXT}} */
    record Send(String id, String to, String body) implements ClientFrame {
    }

    /** {@code {"type":"ack","id":ID}}: the recipient has the message. */
    record Ack(String id) implements ClientFrame {
    }
}

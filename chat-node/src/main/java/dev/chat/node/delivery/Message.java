package dev.chat.node.delivery;

/** A stored message: {@code id} is the client's, {@code from} the authenticated sender's name. */
public record Message(long seq, String id, String from, String to, String body, long ts) {
}

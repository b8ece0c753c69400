package dev.chat.node.routing;

/**
 * What travels on a node's channel: recipient, message ID and the frame exactly as sockets get it,
 * newline-separated, so the receiving node writes the frame without parsing or re-serializing it.
 * Neither usernames nor IDs can hold a newline (the protocol forbids it). An empty ID marks a frame that
 * needs no ack and is not redelivered (a {@code delivered} notice).
 */
public record Envelope(String recipient, String id, String frame) {
    public boolean tracked() {
        return !id.isEmpty();
    }

    public String encode() {
        return recipient + '\n' + id + '\n' + frame;
    }

    /** Answers null for a payload that is not an envelope (nothing else is published on node channels). */
    public static Envelope decode(String payload) {
        int a = payload.indexOf('\n');
        int b = a < 0 ? -1 : payload.indexOf('\n', a + 1);
        if (a <= 0 || b < 0 || b == payload.length() - 1) {
            return null;
        }
        return new Envelope(payload.substring(0, a), payload.substring(a + 1, b), payload.substring(b + 1));
    }
}

package dev.chat.node.routing;

import java.util.Arrays;
import java.util.List;

/**
 * What travels on a node's channel: the recipients on that node (comma-separated), the message ID and the
 * frame exactly as sockets get it, newline-separated, so the receiving node writes the frame without
 * parsing or re-serializing it. A group message reaches a node once, naming all its members there. Neither
 * usernames nor IDs can hold a comma or a newline (the protocol forbids both). An empty ID marks a frame
 * that needs no ack and is not redelivered (a {@code delivered} or {@code typing} notice).
 */
public record Envelope(List<String> recipients, String id, String frame) {
    public Envelope(String recipient, String id, String frame) {
        this(List.of(recipient), id, frame);
    }

    public boolean tracked() {
        return !id.isEmpty();
    }

    public String encode() {
        return String.join(",", recipients) + '\n' + id + '\n' + frame;
    }

    /** Answers null for a payload that is not an envelope (nothing else is published on node channels). */
    public static Envelope decode(String payload) {
        int a = payload.indexOf('\n');
        int b = a < 0 ? -1 : payload.indexOf('\n', a + 1);
        if (a <= 0 || b < 0 || b == payload.length() - 1) {
            return null;
        }
        return new Envelope(Arrays.asList(payload.substring(0, a).split(",")), payload.substring(a + 1, b),
                payload.substring(b + 1));
    }
}

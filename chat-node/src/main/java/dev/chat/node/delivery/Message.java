package dev.chat.node.delivery;

import dev.chat.node.protocol.ServerFrames;

/**
 * A stored message: {@code id} is the client's, {@code from} the authenticated sender's name. A one-to-one
 * message has {@code to} and no {@code group}; a group message has {@code group} and, when it is being
 * delivered to one member, that member as {@code to} (the frame then carries {@code group}, not {@code to}).
 * A change ({@code kind} "edit" or "delete", V20) is delivered like a message and names the message it changes,
 * {@code (targetFrom, targetId)}; {@code kind} is null for a message.
 */
public record Message(long seq, String id, String from, String to, Long group, String body, long ts, String kind,
        String targetId, String targetFrom) {
    public Message(long seq, String id, String from, String to, Long group, String body, long ts) {
        this(seq, id, from, to, group, body, ts, null, null, null);
    }

    public static Message direct(long seq, String id, String from, String to, String body, long ts) {
        return new Message(seq, id, from, to, null, body, ts);
    }

    /** The {@code msg} frame its recipients get (the same for every member of a group), or the change's frame. */
    public String frame(ServerFrames frames) {
        if (kind != null) {
            return frames.change(kind, id, from, to, group, targetId, targetFrom, "delete".equals(kind) ? null : body,
                    ts);
        }
        return frames.msg(id, from, to, group, body, ts);
    }
}

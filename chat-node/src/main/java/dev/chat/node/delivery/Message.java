package dev.chat.node.delivery;

import dev.chat.node.protocol.ServerFrames;

/**
 * A stored message: {@code id} is the client's, {@code from} the authenticated sender's name. A one-to-one
 * message has {@code to} and no {@code group}; a group message has {@code group} and, when it is being
 * delivered to one member, that member as {@code to} (the frame then carries {@code group}, not {@code to}).
 */
public record Message(long seq, String id, String from, String to, Long group, String body, long ts) {
    public static Message direct(long seq, String id, String from, String to, String body, long ts) {
        return new Message(seq, id, from, to, null, body, ts);
    }

    /** The {@code msg} frame its recipients get (the same for every member of a group). */
    public String frame(ServerFrames frames) {
        return frames.msg(id, from, to, group, body, ts);
    }
}

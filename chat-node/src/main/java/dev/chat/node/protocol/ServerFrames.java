package dev.chat.node.protocol;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Writes the frames the server sends; each is serialized once and shared by every socket it goes to. */
@Singleton
public class ServerFrames {
    private final ObjectMapper mapper;

    public ServerFrames(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    public String ack(String id) {
        return write(mapper.createObjectNode().put("type", "ack").put("id", id));
    }

    /**
     * One frame per message, shared by every recipient: a group message ({@code group} not null) names its group,
     * not a member; a one-to-one message names its recipient {@code to}.
     */
    public String msg(String id, String from, String to, Long group, String body, long ts) {
        ObjectNode node = mapper.createObjectNode().put("type", "msg").put("id", id).put("from", from);
        if (group != null) {
            node.put("group", Long.toString(group));
        } else {
            node.put("to", to);
        }
        return write(node.put("body", body).put("ts", ts));
    }

    /**
     * Extension: a change (edit or delete) of message {@code (targetFrom, target)}, made by {@code from}; acked like
     * a msg, by its own {@code id}. {@code body} is the new text of an edit, null for a delete.
     */
    public String change(String kind, String id, String from, String to, Long group, String target, String targetFrom,
            String body, long ts) {
        ObjectNode node = mapper.createObjectNode().put("type", kind).put("id", id).put("from", from);
        if (group != null) {
            node.put("group", Long.toString(group));
        } else {
            node.put("to", to);
        }
        node.put("target", target).put("targetFrom", targetFrom);
        if (body != null) {
            node.put("body", body);
        }
        return write(node.put("ts", ts));
    }

    /**
     * Extension: a copy of the reader's own frame (a message it sent, or a change it made) for its other sockets,
     * {@code {"type":"sent","frame":{...}}}: at most once, not acked; a v1 client ignores it.
     */
    public String sent(String frame) {
        // The frame is one this class wrote: valid JSON, wrapped as it is rather than parsed again.
        return "{\"type\":\"sent\",\"frame\":" + frame + "}";
    }

    /**
     * Extension: the reader's own read mark moved (on one of their devices): {@code {"type":"read","with":U,"ts":T}}
     * or {@code {"type":"read","group":G,"ts":T}}; at most once, not acked.
     */
    public String read(String with, Long group, long ts) {
        ObjectNode node = mapper.createObjectNode().put("type", "read");
        if (group != null) {
            node.put("group", Long.toString(group));
        } else {
            node.put("with", with);
        }
        return write(node.put("ts", ts));
    }

    /** Extension: {@code by} has read the one-to-one conversation with you up to {@code ts} (a seen receipt). */
    public String seen(String by, long ts) {
        return write(mapper.createObjectNode().put("type", "seen").put("by", by).put("ts", ts));
    }

    /**
     * Extension: group G changed ({@code change}: created, added, removed, left, joined, renamed, role), by {@code by};
     * {@code user}, {@code name} and {@code role} when the change has them. A notice: at most once, not acked.
     */
    public String groupChange(long group, String change, String by, String user, String name, String role) {
        ObjectNode node = mapper.createObjectNode().put("type", "group").put("group", Long.toString(group))
                .put("change", change).put("by", by);
        if (user != null) {
            node.put("user", user);
        }
        if (name != null) {
            node.put("name", name);
        }
        if (role != null) {
            node.put("role", role);
        }
        return write(node);
    }

    /** Extension: someone is typing, to one user or in a group; never stored. */
    public String typing(String from, Long group) {
        ObjectNode node = mapper.createObjectNode().put("type", "typing").put("from", from);
        if (group != null) {
            node.put("group", Long.toString(group));
        }
        return write(node);
    }

    /**
     * Extension: {@code user}'s display name or avatar changed, {@code {"type":"profile","user":U,"displayName":D,
     * "avatar":URL}}, each of the two left out when not set (as in user-service's user objects); never stored.
     */
    public String profile(String user, String displayName, String avatar) {
        ObjectNode node = mapper.createObjectNode().put("type", "profile").put("user", user);
        if (displayName != null) {
            node.put("displayName", displayName);
        }
        if (avatar != null) {
            node.put("avatar", avatar);
        }
        return write(node);
    }

    /** Extension: tells the sender that {@code to} has message {@code id} (its first ack). */
    public String delivered(String id, String to) {
        return write(mapper.createObjectNode().put("type", "delivered").put("id", id).put("to", to));
    }

    public String pong(String id) {
        return write(mapper.createObjectNode().put("type", "pong").put("id", id));
    }

    /** Extension: the socket's token was renewed; it now lives until {@code exp} (epoch seconds). */
    public String reauthed(String id, long exp) {
        ObjectNode node = mapper.createObjectNode().put("type", "reauthed");
        if (id == null) {
            node.putNull("id");
        } else {
            node.put("id", id);
        }
        return write(node.put("exp", exp));
    }

    public String error(String id, ErrorCode code, String message) {
        ObjectNode node = mapper.createObjectNode().put("type", "error");
        if (id == null) {
            node.putNull("id");
        } else {
            node.put("id", id);
        }
        return write(node.put("code", code.wire()).put("message", message));
    }

    /** A send refused by the rate limit, with when to try again. */
    public String rateLimited(String id, long retryAfterMs) {
        ObjectNode node = mapper.createObjectNode().put("type", "error").put("id", id)
                .put("code", ErrorCode.RATE_LIMITED.wire())
                .put("message", "too many messages; retry in " + retryAfterMs + " ms with the same id");
        return write(node.put("retryAfterMs", retryAfterMs));
    }

    /**
     * A frame of any type refused by the socket's frame rate, with when to try again; {@code id} is the frame's
     * when it had a readable one.
     */
    public String frameRateLimited(String id, long retryAfterMs) {
        ObjectNode node = mapper.createObjectNode().put("type", "error");
        if (id == null) {
            node.putNull("id");
        } else {
            node.put("id", id);
        }
        node.put("code", ErrorCode.RATE_LIMITED.wire())
                .put("message", "too many frames; this one was not handled: send it again in " + retryAfterMs + " ms");
        return write(node.put("retryAfterMs", retryAfterMs));
    }

    private String write(ObjectNode node) {
        try {
            return mapper.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize a frame", e);
        }
    }
}

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

    /** Extension: someone is typing, to one user or in a group; never stored. */
    public String typing(String from, Long group) {
        ObjectNode node = mapper.createObjectNode().put("type", "typing").put("from", from);
        if (group != null) {
            node.put("group", Long.toString(group));
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

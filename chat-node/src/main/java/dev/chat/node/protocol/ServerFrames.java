package dev.chat.node.protocol;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.chat.node.delivery.Message;

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

    public String msg(Message m) {
        return write(mapper.createObjectNode().put("type", "msg").put("id", m.id()).put("from", m.from())
                .put("to", m.to()).put("body", m.body()).put("ts", m.ts()));
    }

    /** Extension: tells the sender that {@code to} has message {@code id} (its first ack). */
    public String delivered(String id, String to) {
        return write(mapper.createObjectNode().put("type", "delivered").put("id", id).put("to", to));
    }

    public String pong(String id) {
        return write(mapper.createObjectNode().put("type", "pong").put("id", id));
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

    private String write(ObjectNode node) {
        try {
            return mapper.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize a frame", e);
        }
    }
}

package dev.chat.loadgen.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The client's frames of the contract, as JSON text. */
public final class Frames {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Frames() {
    }

    public static String send(String id, String to, String body) {
        ObjectNode n = JSON.createObjectNode().put("type", "send").put("id", id).put("to", to).put("body", body);
        return write(n);
    }

    public static String ack(String id) {
        return write(JSON.createObjectNode().put("type", "ack").put("id", id));
    }

    private static String write(ObjectNode n) {
        try {
            return JSON.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}

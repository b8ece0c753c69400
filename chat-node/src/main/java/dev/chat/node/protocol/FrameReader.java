package dev.chat.node.protocol;

import java.util.regex.Pattern;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.chat.common.Usernames;
import dev.chat.node.node.ChatConfig;

/**
 * Turns a text frame into a {@link ClientFrame} or a {@link FrameException} that names what is wrong.
 * Unknown extra fields are ignored (a client may send {@code from}; the server never trusts it).
 */
@Singleton
public class FrameReader {
    /** A UUID fits; so does any client's own scheme of up to 64 URL-safe characters. */
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    private final ObjectMapper mapper;
    private final int maxBodyChars;

    @Inject
    public FrameReader(ObjectMapper mapper, ChatConfig config) {
        this(mapper, config.delivery().maxBodyChars());
    }

    public FrameReader(ObjectMapper mapper, int maxBodyChars) {
        this.mapper = mapper;
        this.maxBodyChars = maxBodyChars;
    }

    public ClientFrame read(String text) {
        JsonNode root;
        try {
            root = mapper.readTree(text);
        } catch (JsonProcessingException e) {
            throw new FrameException(ErrorCode.BAD_JSON, null, "frame is not valid JSON");
        }
        if (root == null || !root.isObject()) {
            throw new FrameException(ErrorCode.BAD_JSON, null, "frame must be a JSON object");
        }
        String type = text(root, "type", readableId(root));
        if (!type.equals("send") && !type.equals("ack") && !type.equals("ping")) {
            throw new FrameException(ErrorCode.UNKNOWN_TYPE, readableId(root),
                    "unknown frame type '" + clip(type) + "'");
        }
        String id = idOf(root);
        return switch (type) {
            case "send" -> readSend(root, id);
            case "ack" -> new ClientFrame.Ack(id);
            default -> new ClientFrame.Ping(id);
        };
    }

    private ClientFrame.Send readSend(JsonNode root, String id) {
        String to = text(root, "to", id);
        if (!Usernames.isValid(to)) {
            throw new FrameException(ErrorCode.UNKNOWN_RECIPIENT, id, "no user '" + clip(to) + "'");
        }
        String body = text(root, "body", id);
        if (body.isEmpty() || body.length() > maxBodyChars) {
            throw new FrameException(ErrorCode.BAD_BODY, id,
                    "body must be 1 to " + maxBodyChars + " characters, was " + body.length());
        }
        return new ClientFrame.Send(id, to, body);
    }

    private static String idOf(JsonNode root) {
        JsonNode node = root.get("id");
        if (node == null || !node.isTextual()) {
            throw new FrameException(ErrorCode.BAD_FRAME, null, "field 'id' must be a string");
        }
        String id = node.asText();
        if (!ID.matcher(id).matches()) {
            throw new FrameException(ErrorCode.BAD_ID, null,
                    "field 'id' must be 1 to 64 characters of [A-Za-z0-9._:-]");
        }
        return id;
    }

    /** The ID to echo in an error when the frame has a valid one, so the client can match it. */
    private static String readableId(JsonNode root) {
        JsonNode node = root.get("id");
        return node != null && node.isTextual() && ID.matcher(node.asText()).matches() ? node.asText() : null;
    }

    private static String text(JsonNode root, String field, String id) {
        JsonNode node = root.get(field);
        if (node == null || !node.isTextual()) {
            throw new FrameException(ErrorCode.BAD_FRAME, id, "field '" + field + "' must be a string");
        }
        return node.asText();
    }

    private static String clip(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }
}

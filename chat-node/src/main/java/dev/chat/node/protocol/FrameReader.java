package dev.chat.node.protocol;

import java.util.regex.Pattern;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.chat.common.DeletedAccounts;
import dev.chat.common.Usernames;

/**
 * Turns a text frame into a {@link ClientFrame} or a {@link FrameException} that names what is wrong.
 * Unknown extra fields are ignored (a client may send {@code from}; the server never trusts it).
 */
@Singleton
public class FrameReader {
    /** A UUID fits; so does any client's own scheme of up to 64 URL-safe characters. */
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    private static final Pattern GROUP = Pattern.compile("[1-9][0-9]{0,17}");
    /** An access token is well under 1 KiB; anything far longer is not one. */
    private static final int MAX_TOKEN_CHARS = 8192;

    private final ObjectMapper mapper;
    private final int maxBodyChars;

    @Inject
    public FrameReader(ObjectMapper mapper, ProtocolConfig config) {
        this(mapper, config.maxBodyChars());
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
        return switch (type) {
            case "send" -> readSend(root, idOf(root));
            case "ack" -> new ClientFrame.Ack(idOf(root));
            case "edit" -> readChange(root, idOf(root), ClientFrame.Change.Kind.EDIT);
            case "delete" -> readChange(root, idOf(root), ClientFrame.Change.Kind.DELETE);
            case "ping" -> new ClientFrame.Ping(idOf(root));
            case "typing" -> readTyping(root);
            case "reauth" -> readReauth(root);
            default -> throw new FrameException(ErrorCode.UNKNOWN_TYPE, readableId(root),
                    "unknown frame type '" + clip(type) + "'");
        };
    }

    private ClientFrame readChange(JsonNode root, String id, ClientFrame.Change.Kind kind) {
        String target = text(root, "target", id);
        if (!ID.matcher(target).matches()) {
            throw new FrameException(ErrorCode.UNKNOWN_MESSAGE, id, "no message '" + clip(target) + "'");
        }
        String targetFrom = null;
        if (root.has("targetFrom")) {
            targetFrom = text(root, "targetFrom", id);
            // A deleted account's message keeps its key (~ID): a group's owner or admin may still delete it.
            if (!Usernames.isValid(targetFrom) && !DeletedAccounts.isKey(targetFrom)) {
                throw new FrameException(ErrorCode.UNKNOWN_MESSAGE, id, "no user '" + clip(targetFrom) + "'");
            }
        }
        String body = kind == ClientFrame.Change.Kind.EDIT ? body(root, id) : null;
        return new ClientFrame.Change(id, kind, target, targetFrom, body);
    }

    private ClientFrame readSend(JsonNode root, String id) {
        String body = body(root, id);
        if (root.has("group")) {
            if (root.has("to")) {
                throw new FrameException(ErrorCode.BAD_FRAME, id, "a send has 'to' or 'group', not both");
            }
            return new ClientFrame.SendToGroup(id, group(root, id), body);
        }
        return new ClientFrame.Send(id, recipient(root, id), body);
    }

    private String body(JsonNode root, String id) {
        String body = text(root, "body", id);
        if (body.isEmpty() || body.length() > maxBodyChars) {
            throw new FrameException(ErrorCode.BAD_BODY, id,
                    "body must be 1 to " + maxBodyChars + " characters, was " + body.length());
        }
        if (body.indexOf('\u0000') >= 0) {
            throw new FrameException(ErrorCode.BAD_BODY, id, "body must not contain NUL characters");
        }
        return body;
    }

    private static ClientFrame readReauth(JsonNode root) {
        String id = root.has("id") ? idOf(root) : null;
        String token = text(root, "token", id);
        if (token.isEmpty() || token.length() > MAX_TOKEN_CHARS) {
            throw new FrameException(ErrorCode.BAD_TOKEN, id, "token must be 1 to " + MAX_TOKEN_CHARS + " characters");
        }
        return new ClientFrame.Reauth(id, token);
    }

    private static ClientFrame readTyping(JsonNode root) {
        String id = root.has("id") ? idOf(root) : null;
        if (root.has("group") == root.has("to")) {
            throw new FrameException(ErrorCode.BAD_FRAME, id, "typing has exactly one of 'to' and 'group'");
        }
        return root.has("group") ? new ClientFrame.Typing(id, null, group(root, id))
                : new ClientFrame.Typing(id, recipient(root, id), null);
    }

    private static String recipient(JsonNode root, String id) {
        String to = text(root, "to", id);
        if (!Usernames.isValid(to)) {
            throw new FrameException(ErrorCode.UNKNOWN_RECIPIENT, id, "no user '" + clip(to) + "'");
        }
        return to;
    }

    /** Group IDs are opaque strings to clients; this server makes them of digits. */
    private static long group(JsonNode root, String id) {
        String g = text(root, "group", id);
        if (!GROUP.matcher(g).matches()) {
            throw new FrameException(ErrorCode.NOT_A_MEMBER, id, "no group '" + clip(g) + "'");
        }
        return Long.parseLong(g);
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

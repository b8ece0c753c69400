package dev.chat.node.protocol;

/** The {@code code} of an error frame; docs/protocol.md lists what each means for a client. */
public enum ErrorCode {
    /** Not JSON, or not a JSON object. */
    BAD_JSON("bad_json"),
    /** A field is missing or has the wrong type. */
    BAD_FRAME("bad_frame"),
    /** The {@code type} is not one the server knows (send, ack, ping). */
    UNKNOWN_TYPE("unknown_type"),
    /** The message ID is empty, too long or has characters outside [A-Za-z0-9._:-]. */
    BAD_ID("bad_id"),
    /** The body is empty or longer than the documented limit. */
    BAD_BODY("bad_body"),
    /** No such group, or the sender is not a member of it. */
    NOT_A_MEMBER("not_a_member"),
    /** No account has that username. */
    UNKNOWN_RECIPIENT("unknown_recipient"),
    /** The sender already sent another message (other recipient or body) with this ID: pick a new ID. */
    ID_REUSED("id_reused"),
    /**
     * The ID is still pending (not yet acked) for the recipient, or a group member, in a message from someone
     * else: the recipient's ack could not tell them apart. Pick a new ID, or send again once it is acked.
     */
    ID_IN_USE("id_in_use"),
    /** Extension: an edit or delete names no message the sender can see ({@code target}, {@code targetFrom}). */
    UNKNOWN_MESSAGE("unknown_message"),
    /** Extension: not the sender's own message, and not a group message the sender moderates (owner, admin). */
    NOT_ALLOWED("not_allowed"),
    /** Extension: the sender's own message is older than the edit window ({@code chat.changes.window}). */
    EDIT_WINDOW_CLOSED("edit_window_closed"),
    /** Extension: the message was deleted; it can be neither edited nor deleted again. */
    MESSAGE_DELETED("message_deleted"),
    /** Binary frames are not part of the protocol. */
    BINARY_NOT_SUPPORTED("binary_not_supported"),
    /**
     * Too many sends, or too many frames of any type on one socket: the error says when to try again
     * ({@code retryAfterMs}); the frame was not handled.
     */
    RATE_LIMITED("rate_limited"),
    /** A {@code reauth} token that is not valid (signature, issuer, expiry) or whose account is gone. */
    BAD_TOKEN("bad_token"),
    /** A {@code reauth} token of another user than the socket's. */
    WRONG_USER("wrong_user"),
    /** The message could not be confirmed as stored (database unavailable): retry with the same ID. */
    UNAVAILABLE("unavailable");

    private final String wire;

    ErrorCode(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }
}

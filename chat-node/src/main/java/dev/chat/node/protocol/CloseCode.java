package dev.chat.node.protocol;

import io.quarkus.websockets.next.CloseReason;

/**
 * Every WebSocket close this node makes (or lets the framework make), in one place beside {@link ErrorCode}: its
 * status, its reason text and the rule a client follows on it. docs/protocol.md's "Close codes" table lists the
 * same (ProtocolDocsTest checks that they agree); no other class builds a {@link CloseReason}.
 *
 * <p>Why several causes share 1008 (policy violation): RFC 6455 has no finer standard code, and a v1 client
 * already treats 1008 as "renew the token, then reconnect", which is safe for each of them. The reason text tells
 * them apart for people and logs.
 */
public enum CloseCode {
    /**
     * The socket left too many frames untaken (messages, notices or replies) or took no message for the grace
     * period while messages waited: its client reads too slowly.
     */
    SLOW_CONSUMER(1008, "too many frames not taken; reconnect", Reconnect.AFTER_BACKOFF),
    /** The client went on sending frames past its rate after being told {@code rate_limited}. */
    FRAME_FLOOD(1008, "too many frames; slow down and reconnect", Reconnect.AFTER_BACKOFF),
    /** The socket's token (or the last one it was renewed with) reached its {@code exp}. */
    TOKEN_EXPIRED(1008, "token expired", Reconnect.WITH_A_FRESH_TOKEN),
    /** The socket's session was revoked (sign-out, sign-out everywhere, a reused refresh token). */
    SIGNED_OUT(1008, "signed out", Reconnect.WITH_A_FRESH_TOKEN),
    /**
     * A message larger than the socket's limit ({@code quarkus.websockets-next.server.max-message-size}), in one frame
     * or in fragments: refused by the framework, closed with this by the socket's error handler.
     */
    TOO_BIG(1009, "message too big", Reconnect.AFTER_BACKOFF),
    /** A failure of the node's own while handling the socket (a defect): what the framework closes with too. */
    SERVER_ERROR(1011, "internal server error", Reconnect.AFTER_BACKOFF),
    /** The node is shutting down (SIGTERM): unacked messages wait in PostgreSQL for the next node. */
    DRAINING(1012, "node draining; reconnect", Reconnect.AT_ONCE);

    /** What a client does after a close. */
    public enum Reconnect {
        /** At once (to another node, through the proxy). */
        AT_ONCE,
        /** After an exponential backoff with jitter; a client that caused it changes its ways first. */
        AFTER_BACKOFF,
        /** After getting a fresh access token (refresh, or sign in again when the refresh is refused). */
        WITH_A_FRESH_TOKEN
    }

    private final int status;
    private final String reason;
    private final Reconnect reconnect;

    CloseCode(int status, String reason, Reconnect reconnect) {
        this.status = status;
        this.reason = reason;
        this.reconnect = reconnect;
    }

    public int status() {
        return status;
    }

    public String reason() {
        return reason;
    }

    public Reconnect reconnect() {
        return reconnect;
    }

    /** The close frame's status and reason, as websockets-next sends them. */
    public CloseReason closeReason() {
        return new CloseReason(status, reason);
    }
}

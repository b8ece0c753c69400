package dev.chat.node.delivery;

import io.smallrye.mutiny.Uni;

/**
 * Edits and deletes, stored in the message log as events of their own (V20), so that they travel with the
 * delivery promise of a message: stored before the ack, pending for each recipient until acked, redelivered and
 * found again on reconnect by {@link MessageLog#unacked}.
 *
 * <p>Guarantees: a change completes only after it is committed; the same (from, id) with the same kind, target and
 * body is one change ({@link MessageLog.Appended.Outcome#DUPLICATE}), with anything else it stores nothing
 * ({@code ID_REUSED}); an ID pending for one of its recipients from someone else stores nothing ({@code ID_IN_USE}).
 * A change goes to whoever can see the message: in one-to-one the peer, in a group every member who joined before
 * it, but the changer. Only the message's sender edits it, within the window; the sender deletes it within the
 * window, and a group's owner and admins delete any message of their group at any time. A deleted message is
 * changed no more. The message's own row is never rewritten.
 */
public interface ChangeLog {
    /**
     * Stores a change by {@code from} of the message {@code (targetFrom, target)}: {@code kind} "edit" (with the new
     * {@code body}) or "delete" ({@code body} null). {@code notBefore}: epoch ms; an own message older is out of the
     * window.
     */
    Uni<MessageLog.Appended> change(String from, String id, String kind, String targetFrom, String target, String body,
            long ts, long notBefore);
}

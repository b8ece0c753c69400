package dev.chat.node.delivery;

import java.util.Collection;
import java.util.List;

import io.smallrye.mutiny.Uni;

/**
 * The durable log of messages, the source of truth for delivery.
 *
 * <p>Guarantees: an append completes only after the message is committed, so an ack sent after it
 * survives any crash; appending the same (from, id) twice with the same recipient (or group) and body stores
 * one message and answers the stored one ({@link Appended.Outcome#DUPLICATE}), whether it went to a user or a
 * group; with another recipient or body it stores nothing ({@link Appended.Outcome#ID_REUSED}). At most one
 * message per ID is pending (stored, not acked) for a recipient: an append whose ID is pending for one of its
 * recipients from another sender stores nothing ({@link Appended.Outcome#ID_IN_USE}), so that an ack, which
 * names the ID alone, always names one message. A message stays in {@link #unacked} for each of its
 * recipients until that recipient acks it. Callers must check name and ID syntax first; the log checks that
 * the recipient exists, or that the sender is a member of the group.
 */
public interface MessageLog {

    Uni<Appended> append(String from, String id, String to, String body, long ts);

    /** Stores a group message once, with a delivery entry for every member but the sender. */
    Uni<Appended> appendToGroup(String from, String id, long group, String body, long ts);

    /** The oldest unacked messages of one user, in order; group messages carry the user as {@code to}. */
    Uni<List<Message>> unacked(String user, int limit);

    /**
     * The oldest unacked messages of one user after {@code afterSeq} (by {@link Message#seq()}), in order: a backlog
     * read on from where the last read of it ended. A message committed late with a lower seq is not among them
     * (the sweep finds it).
     */
    Uni<List<Message>> unackedAfter(String user, long afterSeq, int limit);

    /**
     * Unacked messages of {@code users} accepted before {@code beforeTs}, at most {@code limit}, oldest first.
     * Shared out in turns: every user's oldest before anyone's second oldest, and so on, so that each user gets
     * at least their share ({@code limit / users.size()}, or all they are owed) whatever the others are owed;
     * one user's backlog never crowds out another's messages.
     */
    Uni<List<Message>> unacked(Collection<String> users, long beforeTs, int limit);

    /**
     * Records that {@code user} has message {@code id}: the one message pending for the user under that ID, and
     * no other. Answers that message's sender, time and group when this ack changed it, null when there was
     * nothing to change (already acked, or not the user's message).
     */
    Uni<Acked> ack(String user, String id);

    record Acked(String from, long ts, Long group) {
    }

    /** {@code recipients}: who the accepted message goes to (empty for a duplicate or a refusal). */
    record Appended(Outcome outcome, Message message, List<String> recipients) {
        public enum Outcome {
            ACCEPTED, DUPLICATE, UNKNOWN_RECIPIENT, NOT_A_MEMBER,
            /** The sender already used this ID for another recipient or body; {@code message} is that one. */
            ID_REUSED,
            /** The ID is pending for a recipient from another sender: one ack would name both messages. */
            ID_IN_USE,
            /** The store failed for this message alone (it shared a statement that failed); not acked. */
            UNAVAILABLE,
            /** A change ({@link ChangeLog}) names no message its sender can see. */
            UNKNOWN_MESSAGE,
            /** A change of someone else's message by one who does not moderate its group. */
            NOT_ALLOWED,
            /** A change of one's own message older than the edit window. */
            WINDOW_CLOSED,
            /** A change of a deleted message. */
            MESSAGE_DELETED
        }

        static Appended refused(Outcome outcome) {
            return new Appended(outcome, null, List.of());
        }
    }
}

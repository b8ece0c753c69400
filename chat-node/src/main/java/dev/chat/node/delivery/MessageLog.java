package dev.chat.node.delivery;

import java.util.Collection;
import java.util.List;

import io.smallrye.mutiny.Uni;

/**
 * The durable log of messages, the source of truth for delivery.
 *
 * <p>Guarantees: {@link #append} completes only after the message is committed, so an ack sent after it
 * survives any crash; appending the same (from, id) twice stores one message and answers the stored one
 * ({@link Appended.Outcome#DUPLICATE}). A message stays in {@link #unacked} until its recipient acks it.
 * Callers must check the recipient's name syntax first; the log checks that the account exists.
 */
public interface MessageLog {

    Uni<Appended> append(String from, String id, String to, String body, long ts);

    /** The oldest unacked messages of one user, in order. */
    Uni<List<Message>> unacked(String user, int limit);

    /** Unacked messages of any of {@code users} accepted before {@code beforeTs}, oldest first. */
    Uni<List<Message>> unacked(Collection<String> users, long beforeTs, int limit);

    /**
     * Records that {@code user} has message {@code id}. Answers the message's sender and time when this ack
     * changed it, null when there was nothing to change (already acked, or not the user's message).
     */
    Uni<Acked> ack(String user, String id);

    record Acked(String from, long ts) {
    }

    record Appended(Outcome outcome, Message message) {
        public enum Outcome {
            ACCEPTED, DUPLICATE, UNKNOWN_RECIPIENT
        }
    }
}

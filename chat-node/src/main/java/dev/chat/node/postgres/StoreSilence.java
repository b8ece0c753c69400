package dev.chat.node.postgres;

/**
 * How long the store has given no answer: what tells a store that stopped answering (frozen, cut off) from one that
 * is merely slow. {@link PostgresCalls} on the node.
 */
public interface StoreSilence {
    /** Milliseconds since a call last succeeded; -1 if none ever did. */
    long sinceLastSuccessMillis();
}

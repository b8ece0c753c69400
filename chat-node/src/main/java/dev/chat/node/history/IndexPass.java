package dev.chat.node.history;

import io.smallrye.mutiny.Uni;

/**
 * One pass of search's indexer over the message log ({@link PgIndexPass} on PostgreSQL): what {@link SearchIndexer}
 * runs on its schedule. A pass is one transaction and may find another node's pass running, then does nothing.
 */
public interface IndexPass {
    /**
     * What a pass did: whether it had the turn, whether it started the index again ({@code rebuilt}; {@code was}
     * then names the language it had been in, null when there was no progress at all: a new database, or a crash or
     * failover emptied it), how many rows it indexed and through which seq.
     */
    record Outcome(boolean ran, boolean rebuilt, String was, long rows, long through) {
        /** Another node's pass held the turn: nothing done. */
        static final Outcome SKIPPED = new Outcome(false, false, null, 0, -1);
    }

    Uni<Outcome> run();
}

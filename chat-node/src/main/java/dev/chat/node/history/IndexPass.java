package dev.chat.node.history;

import io.smallrye.mutiny.Uni;

/**
 * One pass of search's indexer over the message log ({@link PgIndexPass} on PostgreSQL): what {@link SearchIndexer}
 * runs on its schedule. A pass is one transaction and may find another node's pass running, then does nothing.
 */
public interface IndexPass {
    /** What a pass did. */
    record Outcome(boolean ran, boolean rebuilt, long rows, long through) {
        /** Another node's pass held the turn: nothing done. */
        static final Outcome SKIPPED = new Outcome(false, false, 0, -1);
    }

    Uni<Outcome> run();
}

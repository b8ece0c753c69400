package dev.chat.node.delivery;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.inject.Singleton;

import dev.chat.node.config.ChatLog;
import dev.chat.node.config.NodeIdentity;
import dev.chat.node.postgres.PostgresCalls;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Keeps what the UNLOGGED pending table holds recoverable (V61), on every node, every
 * {@code chat.delivery.pending-keep-interval}; one node at a time (a transaction-scoped advisory lock: a node that
 * does not get it skips its pass).
 *
 * <p>A pass does one of two things.
 * <ul>
 * <li>pending_epoch is empty (a PostgreSQL crash or a failover emptied it with pending, and appends are refused
 * {@code unavailable} meanwhile): it rebuilds pending in one transaction that holds writers off
 * ({@code LOCK pending IN EXCLUSIVE MODE}): the logged copies (pending_kept) and, of the one-to-one messages after
 * the mark, the newest per (recipient, ID). The newest only: two messages share a key only if the older was acked
 * before the newer was stored, so the older is not owed. Then it puts the epoch row back, and appends are taken
 * again. Messages after the mark that were acked are owed again: delivered again with their IDs, which clients drop
 * (at least once, shown once).
 * <li>otherwise it moves the mark ({@code pending_mark.kept_through}): every one-to-one message up to it is acked or
 * has a logged copy. seq is not commit order, so a pass notes the sequence's last value L and which transactions
 * are writing pending at that moment (every one-to-one append writes pending in the statement that takes its seq,
 * so each that took a seq up to L is among them); a later pass, once all of those have ended, copies the pending
 * rows in (mark, L] and sets the mark to L. The snapshot's xmax would not do: a transaction takes its seq before
 * its transaction ID (and may wait between the two on an ON CONFLICT arbiter), so one holding a seq up to L can
 * begin after an xmax noted with L. The same pass drops the copies whose message was acked meanwhile (an ack
 * deletes its copy itself, so these are rare). A pass writes WAL for the rows it copies or drops and the mark.
 * </ul>
 * The note lives in this node's memory: a node that did not note skips to noting; any node's note is good.
 */
@Singleton
public class PendingKeeper {
    private static final ChatLog LOG = ChatLog.of(PendingKeeper.class);
    /** The advisory lock of the keeper's passes (any constant the schema uses for nothing else). */
    static final long LOCK = 0x70656e64696e67L;
    private static final String BEGIN = """
            SELECT pg_try_advisory_xact_lock($1) AS mine, EXISTS (SELECT 1 FROM pending_epoch) AS whole""";
    private static final String HOLD_WRITERS_OFF = "LOCK TABLE pending IN EXCLUSIVE MODE";
    private static final String REBUILD = """
            WITH owed AS (
              SELECT recipient, client_id, sender, seq FROM pending_kept
              UNION ALL
              SELECT m.recipient, m.client_id, m.sender, m.seq FROM messages m
               WHERE m.seq > (SELECT kept_through FROM pending_mark) AND m.recipient IS NOT NULL
            ), newest AS (
              SELECT DISTINCT ON (recipient, client_id) * FROM owed ORDER BY recipient, client_id, seq DESC
            )
            INSERT INTO pending (recipient, client_id, sender, seq)
            SELECT recipient, client_id, sender, seq FROM newest WHERE NOT EXISTS (SELECT 1 FROM pending_epoch)
            ON CONFLICT DO NOTHING""";
    private static final String WHOLE_AGAIN = "INSERT INTO pending_epoch DEFAULT VALUES ON CONFLICT DO NOTHING";
    private static final String LAST_SEQ = """
            SELECT COALESCE(pg_sequence_last_value(pg_get_serial_sequence('messages', 'seq')::regclass), 0) AS last""";
    /* Read after LAST_SEQ: whoever writes pending now (a seq up to L was taken with the lock already held). */
    private static final String WRITERS = """
            SELECT COALESCE(array_agg(DISTINCT virtualtransaction), '{}'::text[]) AS writers FROM pg_locks
             WHERE locktype = 'relation' AND relation = 'pending'::regclass AND mode = 'RowExclusiveLock'
               AND granted AND pid <> pg_backend_pid()""";
    private static final String STILL_RUNNING = """
            SELECT count(*) AS running FROM pg_locks WHERE virtualtransaction = ANY($1::text[])""";
    /* Copies (mark, L] and moves the mark; a copy of an older message under the same key is stale: replaced. */
    private static final String KEEP = """
            WITH mark AS (
              SELECT kept_through FROM pending_mark FOR UPDATE
            ), copied AS (
              INSERT INTO pending_kept (recipient, client_id, sender, seq)
              SELECT p.recipient, p.client_id, p.sender, p.seq FROM pending p, mark
               WHERE p.seq > mark.kept_through AND p.seq <= $1
              ON CONFLICT (recipient, client_id) DO UPDATE SET sender = EXCLUDED.sender, seq = EXCLUDED.seq
               WHERE pending_kept.seq < EXCLUDED.seq
              RETURNING 1
            ), moved AS (
              UPDATE pending_mark SET kept_through = $1 WHERE kept_through < $1
              RETURNING 1
            )
            SELECT (SELECT count(*) FROM copied) AS copied, (SELECT count(*) FROM moved) AS moved""";
    private static final String PRUNE = """
            DELETE FROM pending_kept k
             WHERE NOT EXISTS (SELECT 1 FROM pending p WHERE p.recipient = k.recipient AND p.client_id = k.client_id
                                                         AND p.seq = k.seq)""";

    /** What a pass did. */
    public enum Pass {
        /** Another node's pass held the lock. */
        SKIPPED,
        /** pending was rebuilt. */
        REBUILT,
        /** Noted (L, writers); nothing moved. */
        NOTED,
        /** The writers of the last note had not all ended. */
        WAITING,
        /** The mark moved to the last note's L (and a new note was taken). */
        KEPT
    }

    /** A note: the sequence's last value, and the transactions that were writing pending when it was read. */
    record Note(long through, List<String> writers) {
    }

    private final Pool pool;
    private final PostgresCalls calls;
    private final String node;
    private final boolean scheduled;
    private final AtomicBoolean running = new AtomicBoolean();
    /** Set by {@link #start()} once the tables are migrated: until then a scheduled pass would only fail. */
    private volatile boolean started;
    private volatile Note note;
    private volatile boolean warned;

    PendingKeeper(Pool pool, NodeIdentity node, DeliveryConfig config) {
        this.pool = pool;
        this.calls = PostgresCalls.within(config.pendingKeepTimeout());
        this.node = node.id();
        this.scheduled = !"off".equalsIgnoreCase(config.pendingKeepInterval().trim());
    }

    /** Lets the schedule run passes: called by the node's lifecycle once the schema is migrated (as search's indexer). */
    public void start() {
        started = true;
    }

    @Scheduled(every = "${chat.delivery.pending-keep-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> keep() {
        if (!started || !running.compareAndSet(false, true)) {
            return Uni.createFrom().voidItem();
        }
        return pass().invoke(() -> warned = false).onFailure().invoke(e -> {
            if (!warned) {
                warned = true;
                LOG.warn(null, null, "node=%s pending keeper pass failed (tried again next interval): %s", node,
                        e.toString());
            }
        }).onFailure().recoverWithNull().replaceWithVoid().eventually(() -> running.set(false));
    }

    /**
     * An append found pending not whole (pending_epoch empty): a pass now, unless one is running or the schedule is
     * off, so that sends are taken again as soon as a rebuild is done rather than up to an interval later (after a
     * failover every send is refused until then).
     */
    void refused() {
        if (scheduled && !running.get()) {
            keep().subscribe().with(x -> {
            }, e -> {
            });
        }
    }

    /** One pass, as the schedule runs it; answers what it did. */
    public Uni<Pass> pass() {
        return calls.bounded(pool.withTransaction(c -> c.preparedQuery(BEGIN).execute(Tuple.of(LOCK)).chain(rows -> {
            Row r = rows.iterator().next();
            if (!r.getBoolean("mine")) {
                return Uni.createFrom().item(Pass.SKIPPED);
            }
            return r.getBoolean("whole") ? keep(c) : rebuild(c);
        })));
    }

    private Uni<Pass> rebuild(SqlConnection c) {
        return c.query(HOLD_WRITERS_OFF).execute()
                .chain(() -> c.query(REBUILD).execute())
                .chain(rows -> c.query(WHOLE_AGAIN).execute().map(x -> rows.rowCount()))
                .map(count -> {
                    note = null;
                    LOG.info(null, null, "node=%s pending rebuilt after a crash or failover: %d rows owed", node, count);
                    return Pass.REBUILT;
                });
    }

    private Uni<Pass> keep(SqlConnection c) {
        Note last = note;
        if (last == null) {
            return takeNote(c).replaceWith(Pass.NOTED);
        }
        return c.preparedQuery(STILL_RUNNING).execute(Tuple.of(last.writers().toArray(String[]::new)))
                .chain(rows -> {
                    if (rows.iterator().next().getLong("running") > 0) {
                        return Uni.createFrom().item(Pass.WAITING);
                    }
                    return c.preparedQuery(KEEP).execute(Tuple.of(last.through()))
                            .invoke(kept -> {
                                Row k = kept.iterator().next();
                                LOG.debug(null, null, "node=%s pending kept through %d: %d rows copied", node,
                                        last.through(), k.getLong("copied"));
                            })
                            .chain(() -> c.query(PRUNE).execute())
                            .chain(() -> takeNote(c)).replaceWith(Pass.KEPT);
                });
    }

    private Uni<Void> takeNote(SqlConnection c) {
        return c.query(LAST_SEQ).execute().chain(seq -> {
            long through = seq.iterator().next().getLong("last");
            return c.query(WRITERS).execute().map(w -> {
                String[] writers = w.iterator().next().getArrayOfStrings("writers");
                note = new Note(through, List.of(writers));
                return null;
            });
        }).replaceWithVoid();
    }
}

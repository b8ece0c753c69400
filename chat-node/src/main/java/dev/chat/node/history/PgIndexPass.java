package dev.chat.node.history;

import java.util.Arrays;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * One indexing pass on PostgreSQL (V60): in one transaction, under a transaction-level advisory lock that only one
 * node's pass (or a name release, which re-keys message_words) holds at a time, it moves search's watermark
 * ({@code search_progress.indexed_through}, W) forward by up to {@code chat.search.index-batch} sequence numbers,
 * adding the words of those messages and edits to {@code message_words}.
 *
 * <p><b>Exact although seq is not commit order.</b> A message's seq is drawn when its insert runs, and a message with a
 * lower seq may commit after one with a higher seq was indexed. So a pass first notes L, the sequence's last value,
 * then the virtual IDs of every client transaction running (pg_locks): any transaction that drew a seq at or below L
 * and has not ended is among them (it drew its seq before L was read, and a virtual ID exists from a transaction's
 * start, unlike an xid, which an insert takes only after drawing its seq). A later pass indexes up to L only once
 * none of them is running: every message with seq at or below L is then committed (and visible to that pass) or
 * never will be. Messages above W are read by search straight from the log ({@link MessageSearch}), so a message is
 * findable from its ack on, indexed or not. This rests on the identity sequence handing out its values one at a time
 * ({@code CACHE 1}, the default): with a cache, a session could draw a value at or below L after L was read.
 *
 * <p><b>Rebuilt when lost or in another language.</b> Both tables are unlogged: a crash of PostgreSQL or a promoted
 * standby leaves them empty, and a pass that finds no progress row, or one of another language than
 * {@code chat.search.language}, deletes message_words' rows (no WAL either) and starts again from 0. Search ignores
 * message_words meanwhile (W is 0 for it until the language matches), so it stays exact, only slower.
 *
 * <p><b>The tail summarized first.</b> A pass reads the log above W through messages_seq_brin, which reads each
 * unsummarized range of 128 pages whole. Before it indexes, it summarizes the full ranges behind the one being filled
 * (V63's {@code summarize_log_tail()}, which runs as the schema's owner): left to autovacuum, they waited up to a
 * minute, and a pass read all of them (1,070 blocks for 900 messages in the benchmark). Searches read the same tail.
 */
@Singleton
public class PgIndexPass implements IndexPass {
    /** The advisory lock of indexing passes and name releases (NameReleases takes it too): "search" in ASCII. */
    public static final long LOCK = 0x736561726368L;
    /**
     * The turn, and a bound on each statement of the pass (a rebuild's delete or a batch on a loaded database is
     * still far below it): a statement stuck past it is cancelled by PostgreSQL, and its connection comes back.
     */
    private static final String TURN = """
            SELECT set_config('statement_timeout', '30s', true) AS bound, pg_try_advisory_xact_lock($1) AS mine""";
    private static final String PROGRESS = """
            SELECT language, indexed_through, noted_through, waiting_for FROM search_progress""";
    private static final String FORGET = "DELETE FROM message_words";
    private static final String RESTART = """
            INSERT INTO search_progress (language, indexed_through) VALUES ($1, 0)
            ON CONFLICT (key) DO UPDATE SET language = $1, indexed_through = 0, noted_through = NULL,
                                            waiting_for = NULL""";
    /**
     * Transactions of sessions of this database only: autovacuum (no role: usesysid NULL), for one, inserts no message
     * and may run for long, and no session of another database can write this one's messages. (backend_type would say
     * 'client backend', but PostgreSQL shows it only for the role's own sessions; usesysid and datid it shows for all.)
     */
    private static final String RUNNING = """
            SELECT COALESCE(array_agg(l.virtualxid), '{}') AS running FROM pg_locks l
             WHERE l.locktype = 'virtualxid' AND l.granted AND l.pid <> pg_backend_pid()
               AND l.pid IN (SELECT a.pid FROM pg_stat_activity a
                              WHERE a.usesysid IS NOT NULL
                                AND a.datid = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database()))""";
    private static final String ENDED = """
            SELECT NOT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'virtualxid' AND virtualxid = ANY ($1))
                   AS ended""";
    /* V63: never waits on a lock for more than 100 ms; answers how many ranges it summarized. */
    private static final String SUMMARIZE = "SELECT summarize_log_tail() AS ranges";
    private static final String LAST = "SELECT CASE WHEN is_called THEN last_value ELSE 0 END AS last FROM messages_seq_seq";
    private static final String INDEX = """
            INSERT INTO message_words (seq, sender, client_id, recipient, group_id, doc)
            SELECT seq, sender, client_id, recipient, group_id, to_tsvector('%s'::regconfig, body) FROM messages
             WHERE seq > $1 AND seq <= $2 AND (kind IS NULL OR kind = 'edit')
            ON CONFLICT (sender, client_id) DO UPDATE
               SET seq = excluded.seq, recipient = excluded.recipient, group_id = excluded.group_id, doc = excluded.doc""";
    private static final String SAVE = """
            UPDATE search_progress SET indexed_through = $1, noted_through = $2, waiting_for = $3""";

    private final Pool pool;
    private final String language;
    private final int batch;
    private final String index;

    @Inject
    PgIndexPass(Pool pool, SearchLanguage language,
            @ConfigProperty(name = "chat.search.index-batch", defaultValue = "10000") int batch) {
        this(pool, language.name(), batch);
    }

    /** A pass in {@code language} (checked by {@link SearchLanguage} before it is written into SQL). */
    public PgIndexPass(Pool pool, String language, int batch) {
        String malformed = new SearchLanguage(language).malformed();
        if (malformed != null) {
            throw new IllegalArgumentException(malformed);
        }
        if (batch < 1) {
            throw new IllegalArgumentException("chat.search.index-batch must be at least 1, not " + batch);
        }
        this.pool = pool;
        this.language = language;
        this.batch = batch;
        this.index = INDEX.formatted(language);
    }

    /** The progress a pass starts from. */
    private record Progress(boolean rebuilt, String was, long through, Long noted, String[] waiting) {
    }

    @Override
    public Uni<Outcome> run() {
        return pool.withTransaction(tx -> tx.preparedQuery(TURN).execute(Tuple.of(LOCK)).chain(turn -> {
            if (!turn.iterator().next().getBoolean("mine")) {
                return Uni.createFrom().item(Outcome.SKIPPED);
            }
            return progress(tx).chain(p -> advance(tx, p));
        }));
    }

    private Uni<Progress> progress(SqlClient tx) {
        return tx.query(PROGRESS).execute().chain(rows -> {
            Row r = rows.size() == 0 ? null : rows.iterator().next();
            if (r != null && language.equals(r.getString("language"))) {
                Object[] waiting = r.getArrayOfStrings("waiting_for");
                return Uni.createFrom().item(new Progress(false, null, r.getLong("indexed_through"),
                        r.getLong("noted_through"),
                        waiting == null ? null : Arrays.copyOf(waiting, waiting.length, String[].class)));
            }
            // Lost (a crash, a promoted standby) or in another language: from the start.
            return tx.query(FORGET).execute().chain(() -> tx.preparedQuery(RESTART).execute(Tuple.of(language)))
                    .replaceWith(new Progress(true, r == null ? null : r.getString("language"), 0, null, null));
        });
    }

    private Uni<Outcome> advance(SqlClient tx, Progress p) {
        Uni<Boolean> ready = p.noted() == null ? Uni.createFrom().item(false)
                : p.waiting() == null || p.waiting().length == 0 ? Uni.createFrom().item(true)
                : tx.preparedQuery(ENDED).execute(Tuple.of(p.waiting()))
                        .map(rows -> rows.iterator().next().getBoolean("ended"));
        return ready.chain(go -> {
            if (!go) {
                return Uni.createFrom().item(new Indexed(p.through(), 0, p.noted(), p.waiting()));
            }
            long upTo = Math.min(p.noted(), p.through() + batch);
            return tx.query(SUMMARIZE).execute().chain(() -> tx.preparedQuery(index)
                    .execute(Tuple.of(p.through(), upTo)).map(rows -> new Indexed(upTo, rows.rowCount(),
                            upTo == p.noted() ? null : p.noted(), new String[0])));
        }).chain(done -> {
            if (done.noted() != null) {
                return save(tx, p, done, done.noted(), done.waiting());
            }
            // Nothing noted (any more): note how far the log goes now, and who may still add below that.
            return tx.query(LAST).execute().map(rows -> rows.iterator().next().getLong("last")).chain(last -> {
                if (last <= done.through()) {
                    return save(tx, p, done, null, null);
                }
                return tx.query(RUNNING).execute().chain(rows -> {
                    Object[] running = rows.iterator().next().getArrayOfStrings("running");
                    return save(tx, p, done, last, Arrays.copyOf(running, running.length, String[].class));
                });
            });
        });
    }

    private record Indexed(long through, long rows, Long noted, String[] waiting) {
    }

    private static Uni<Outcome> save(SqlClient tx, Progress p, Indexed done, Long noted, String[] waiting) {
        return tx.preparedQuery(SAVE).execute(Tuple.of(done.through(), noted, waiting))
                .replaceWith(new Outcome(true, p.rebuilt(), p.was(), done.rows(), done.through()));
    }
}

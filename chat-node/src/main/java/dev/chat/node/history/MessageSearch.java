package dev.chat.node.history;

import java.util.ArrayList;
import java.util.List;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Full-text search of the messages a person may read: their one-to-one conversations, and each group they are a member
 * of from their joining on ({@code joined_seq}, as the group's history shows it). A message is found by its newest
 * text only: an edited message by its newest edit's body, a deleted one not at all. Exact from the message's ack on,
 * however far the indexer ({@link SearchIndexer}) lags: a row's words come from {@code message_words} (V60, GIN) up to
 * the watermark {@code search_progress.indexed_through} (W), and from the log itself above it (the BRIN index on seq
 * finds that tail; its text is stemmed as it is read). W and message_words are read in the statement's one snapshot,
 * and a pass moves W only together with the rows below it, so no row is missed or counted twice; with no progress row
 * (a crash emptied the unlogged tables) or one of another language, W is 0 and everything is read from the log.
 * Both halves name the same text-search configuration ({@link SearchLanguage}, {@code chat.search.language}).
 */
@Singleton
public class MessageSearch {
    // h: a row whose text matches (a message, or an edit of one), from the index (up to W) or from the log (above W);
    // m: the message it shows; c: m's newest change, a delete before any edit (as history orders them). h counts only
    // when it is m's current text: m unchanged and h = m, or h the newest change of m and an edit. Readable: m is
    // one-to-one with the caller, or in a group the caller is a member of and newer than their joining. The condition
    // on h's own columns (a change row has its message's recipient or group, and only a message's sender edits it)
    // is implied by the one on m; it is there so that the rows of other people's conversations that match are dropped
    // before the joins (a word in 11,356 of 20,000 messages: 280 ms without it, 8 ms with it, at a load average of
    // 42), and, in the tail, before their text is stemmed. An indexed row is taken from the log by its key
    // (messages_dedup) and the same seq, one lookup per hit (LATERAL ... LIMIT 1: as a plain join the planner may
    // hash the whole log instead, 277 ms instead of a few on 200,000 messages): the body shown is the log's. No
    // parallel workers (serial: set_config is parallel-unsafe, and sets nothing past this statement's transaction):
    // the planner cannot know how short the tail is, and starting workers for a few hundred rows took 25 to 50 ms.
    // The tail's upper bound, the sequence's last value (read after the statement's snapshot, so above every row it
    // sees), changes no result but makes the planner estimate a narrow range (the BRIN index, not a scan).
    private static final String SEARCH = """
            WITH serial AS (
              SELECT set_config('max_parallel_workers_per_gather', '0', true) AS setting
            ), h AS (
              SELECT t.seq, t.sender, t.client_id, t.body, t.kind, t.target_id, t.target_from
                FROM message_words w
               CROSS JOIN LATERAL (SELECT * FROM messages x
                                    WHERE x.sender = w.sender AND x.client_id = w.client_id AND x.seq = w.seq
                                    LIMIT 1) t
               WHERE w.doc @@ websearch_to_tsquery('%1$s'::regconfig, $2)
                 AND w.seq <= (SELECT COALESCE(max(p.indexed_through), 0) FROM search_progress p
                                WHERE p.language = '%1$s')
                 AND (w.sender = $1 OR w.recipient = $1
                      OR w.group_id IN (SELECT gm.group_id FROM group_members gm WHERE gm.username = $1))
              UNION ALL
              SELECT t.seq, t.sender, t.client_id, t.body, t.kind, t.target_id, t.target_from
                FROM messages t
               WHERE t.seq > (SELECT COALESCE(max(p.indexed_through), 0) FROM search_progress p
                               WHERE p.language = '%1$s')
                 AND t.seq <= (SELECT last_value FROM messages_seq_seq)
                 AND (t.kind IS NULL OR t.kind = 'edit')
                 AND (t.sender = $1 OR t.recipient = $1
                      OR t.group_id IN (SELECT gm.group_id FROM group_members gm WHERE gm.username = $1))
                 AND to_tsvector('%1$s'::regconfig, t.body) @@ websearch_to_tsquery('%1$s'::regconfig, $2)
            )
            SELECT m.seq, m.client_id, m.sender, m.recipient, m.group_id, h.body, m.ts, h.kind AS change
              FROM serial, h
              JOIN messages m ON m.sender = COALESCE(h.target_from, h.sender)
                             AND m.client_id = COALESCE(h.target_id, h.client_id)
              LEFT JOIN LATERAL (SELECT e.seq FROM messages e WHERE e.target_seq = m.seq
                                  ORDER BY e.kind = 'delete' DESC, e.seq DESC LIMIT 1) c ON true
             WHERE m.kind IS NULL AND m.seq < $3
               AND c.seq IS NOT DISTINCT FROM (CASE WHEN h.kind IS NULL THEN NULL ELSE h.seq END)
               AND ((m.recipient IS NOT NULL AND (m.sender = $1 OR m.recipient = $1))
                    OR EXISTS (SELECT 1 FROM group_members g
                                WHERE g.group_id = m.group_id AND g.username = $1 AND g.joined_seq < m.seq))
             ORDER BY m.seq DESC LIMIT $4""";

    private final Pool pool;
    private final String sql;

    @Inject
    MessageSearch(Pool pool, SearchLanguage language) {
        // Checked at start already (SchemaMigration); again here, as the name is written into the SQL.
        String malformed = language.malformed();
        if (malformed != null) {
            throw new IllegalArgumentException(malformed);
        }
        this.pool = pool;
        this.sql = SEARCH.formatted(language.name());
    }

    /**
     * Messages {@code user} may read whose current text matches {@code query} (web-search syntax: words, "quoted
     * phrases", -excluded, or), older than {@code beforeSeq}, newest first, at most {@code limit}. A query of stop
     * words only matches nothing.
     */
    public Uni<List<SearchHit>> search(String user, String query, long beforeSeq, int limit) {
        return pool.preparedQuery(sql).execute(Tuple.of(user, query, beforeSeq, limit)).map(rows -> {
            List<SearchHit> out = new ArrayList<>(rows.size());
            for (Row r : rows) {
                Long group = r.getLong("group_id");
                out.add(new SearchHit(r.getString("client_id"), r.getLong("seq"), r.getString("sender"),
                        r.getString("recipient"), group == null ? null : group.toString(), r.getString("body"),
                        r.getLong("ts"), "edit".equals(r.getString("change")) ? Boolean.TRUE : null));
            }
            return out;
        });
    }
}

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
 * text only: an edited message by its newest edit's body, a deleted one not at all. Uses the GIN index of V40, whose
 * expression names the same text-search configuration ({@link SearchLanguage}, {@code chat.search.language}).
 */
@Singleton
public class MessageSearch {
    // h: a row whose text matches (a message, or an edit of one); m: the message it shows; c: m's newest change,
    // a delete before any edit (as history orders them). h counts only when it is m's current text: m unchanged and
    // h = m, or h the newest change of m and an edit. Readable: m is one-to-one with the caller, or in a group the
    // caller is a member of and newer than their joining. The condition on h's own columns (a change row has its
    // message's recipient or group, and only a message's sender edits it) is implied by the one on m; it is there
    // so that the rows of other people's conversations that match are dropped at the heap scan, before the joins
    // (a word in 11,356 of 20,000 messages: 280 ms without it, 8 ms with it, at a load average of 42).
    private static final String SEARCH = """
            SELECT m.seq, m.client_id, m.sender, m.recipient, m.group_id, h.body, m.ts, h.kind AS change
              FROM messages h
              JOIN messages m ON m.sender = COALESCE(h.target_from, h.sender)
                             AND m.client_id = COALESCE(h.target_id, h.client_id)
              LEFT JOIN LATERAL (SELECT e.seq FROM messages e WHERE e.target_seq = m.seq
                                  ORDER BY e.kind = 'delete' DESC, e.seq DESC LIMIT 1) c ON true
             WHERE to_tsvector('%1$s'::regconfig, h.body) @@ websearch_to_tsquery('%1$s'::regconfig, $2)
               AND (h.kind IS NULL OR h.kind = 'edit')
               AND (h.sender = $1 OR h.recipient = $1
                    OR h.group_id IN (SELECT gm.group_id FROM group_members gm WHERE gm.username = $1))
               AND m.kind IS NULL AND m.seq < $3
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

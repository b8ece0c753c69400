package dev.chat.node.history;

import java.util.ArrayList;
import java.util.List;

import jakarta.inject.Singleton;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Reads of the message log for people, not for delivery: conversations, pages of history, read marks. A message is
 * delivered once its recipient acked it, that is when its pending row (V6) is gone (see DELIVERED for the moments
 * after a crash, V61).
 */
@Singleton
public class ConversationLog {
    /*
     * Acked: no pending row (V6). While pending is not whole (pending_epoch empty after a crash or failover, V61,
     * until PendingKeeper rebuilds it), what the logged tables say: acked if before the mark and not kept; a message
     * after the mark is shown undelivered, as the rebuild will make it owed again.
     */
    private static final String DELIVERED = """
            CASE WHEN EXISTS (SELECT 1 FROM pending_epoch)
                 THEN NOT EXISTS (SELECT 1 FROM pending p WHERE p.recipient = m.recipient AND p.client_id = m.client_id
                                                            AND p.seq = m.seq)
                 ELSE m.seq <= (SELECT kept_through FROM pending_mark)
                      AND NOT EXISTS (SELECT 1 FROM pending_kept p WHERE p.recipient = m.recipient
                                                                     AND p.client_id = m.client_id AND p.seq = m.seq)
            END""";
    static final String CONVERSATIONS = ("""
            WITH mine AS (
              SELECT recipient AS peer, seq, client_id, sender, recipient, body, ts
                FROM messages WHERE sender = $1 AND recipient IS NOT NULL AND kind IS NULL
              UNION ALL
              SELECT sender AS peer, seq, client_id, sender, recipient, body, ts
                FROM messages r WHERE {received} AND kind IS NULL
            ), last AS (
              SELECT * FROM (SELECT DISTINCT ON (peer) * FROM mine ORDER BY peer, seq DESC) p ORDER BY seq DESC LIMIT $2
            )
            SELECT m.peer, m.seq, m.client_id, m.sender, m.recipient, """ + HistoryMessage.BODY + """
             AS body, m.ts, c.kind AS change,
                   {delivered} AS delivered,
                   (SELECT count(*) FROM messages u
                     WHERE {from_peer} AND u.sender <> $1 AND u.kind IS NULL
                       AND u.ts > COALESCE((SELECT read_ts FROM conversation_reads r
                                             WHERE r.reader = $1 AND r.peer = m.peer), 0)) AS unread
            FROM last m
            """ + HistoryMessage.NEWEST_CHANGE + """

            ORDER BY m.seq DESC""").replace("{delivered}", DELIVERED)
            .replace("{received}", ConversationIndex.to("r", "$1"))
            .replace("{from_peer}", ConversationIndex.from("u", "m.peer", "$1"));
    static final String PAGE = ("""
            SELECT m.seq, m.client_id, m.sender, m.recipient, """ + HistoryMessage.BODY + """
             AS body, m.ts, c.kind AS change,
                   {delivered} AS delivered,
                   CASE WHEN m.sender = $1 AND m.ts <= COALESCE((SELECT r.read_ts FROM conversation_reads r
                                                                  WHERE r.reader = $2 AND r.peer = $1), 0)
                        THEN 1 END AS seen_by
              FROM messages m
            """ + HistoryMessage.NEWEST_CHANGE + """

            WHERE ({from_peer} OR {to_peer}) AND m.seq < $3
              AND m.kind IS NULL
            ORDER BY m.seq DESC LIMIT $4""").replace("{delivered}", DELIVERED)
            .replace("{from_peer}", ConversationIndex.from("m", "$1", "$2"))
            .replace("{to_peer}", ConversationIndex.from("m", "$2", "$1"));
    private static final String MARK_READ = """
            INSERT INTO conversation_reads (reader, peer, read_ts) VALUES ($1, $2, $3)
            ON CONFLICT (reader, peer) DO UPDATE SET read_ts = GREATEST(conversation_reads.read_ts, EXCLUDED.read_ts)""";

    private final Pool pool;

    ConversationLog(Pool pool) {
        this.pool = pool;
    }

    public Uni<List<Conversation>> conversations(String user, int limit) {
        return pool.preparedQuery(CONVERSATIONS).execute(Tuple.of(user, limit)).map(rows -> {
            List<Conversation> out = new ArrayList<>(rows.size());
            for (Row r : rows) {
                out.add(new Conversation(r.getString("peer"), message(r), r.getLong("unread")));
            }
            return out;
        });
    }

    /** Messages between {@code user} and {@code peer} older than {@code beforeSeq}, newest first. */
    public Uni<List<HistoryMessage>> page(String user, String peer, long beforeSeq, int limit) {
        return pool.preparedQuery(PAGE).execute(Tuple.of(user, peer, beforeSeq, limit)).map(rows -> {
            List<HistoryMessage> out = new ArrayList<>(rows.size());
            for (Row r : rows) {
                out.add(message(r));
            }
            return out;
        });
    }

    /** Marks the conversation read up to {@code ts}; a mark never moves back. */
    public Uni<Void> markRead(String user, String peer, long ts) {
        return pool.preparedQuery(MARK_READ).execute(Tuple.of(user, peer, ts)).replaceWithVoid();
    }

    private static HistoryMessage message(Row r) {
        // seen_by (a page's column only): 1 when the peer's read mark reached the caller's own message.
        Integer seenBy = r.getColumnIndex("seen_by") >= 0 ? r.getInteger("seen_by") : null;
        return HistoryMessage.changed(r.getString("client_id"), r.getLong("seq"), r.getString("sender"),
                r.getString("recipient"), null, r.getString("body"), r.getLong("ts"), r.getBoolean("delivered"),
                r.getString("change"), seenBy);
    }
}

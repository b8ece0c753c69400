package dev.chat.node.delivery;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

import jakarta.inject.Singleton;

import dev.chat.node.delivery.MessageLog.Appended.Outcome;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;

/** {@link MessageLog} on PostgreSQL through the reactive client: one round trip per append and per ack. */
@Singleton
public class PgMessageLog implements MessageLog {
    /*
     * Insert-if-the-recipient-exists and deduplicate in one statement. The second branch finds the row of
     * an earlier append with the same (sender, client_id); it cannot see a row inserted by this statement,
     * since both branches read the same snapshot.
     */
    private static final String APPEND = """
            WITH ins AS (
              INSERT INTO messages (sender, client_id, recipient, body, ts)
              SELECT $1, $2, $3, $4, $5 WHERE EXISTS (SELECT 1 FROM accounts WHERE username = $3)
              ON CONFLICT (sender, client_id) DO NOTHING
              RETURNING seq, recipient, group_id, body, ts
            )
            SELECT true AS fresh, seq, recipient, group_id, body, ts, NULL::text[] AS members FROM ins
            UNION ALL
            SELECT false, seq, recipient, group_id, body, ts, NULL FROM messages WHERE sender = $1 AND client_id = $2""";
    /* The same for a group: stored once if the sender is a member, one inbox row per other member. */
    private static final String APPEND_TO_GROUP = """
            WITH ins AS (
              INSERT INTO messages (sender, client_id, group_id, body, ts)
              SELECT $1, $2, $3, $4, $5
              WHERE EXISTS (SELECT 1 FROM group_members WHERE group_id = $3 AND username = $1)
              ON CONFLICT (sender, client_id) DO NOTHING
              RETURNING seq, recipient, group_id, body, ts
            ), inbox AS (
              INSERT INTO group_inbox (member, seq, group_id)
              SELECT gm.username, ins.seq, ins.group_id FROM ins JOIN group_members gm ON gm.group_id = ins.group_id
              WHERE gm.username <> $1
              RETURNING member
            )
            SELECT true AS fresh, seq, recipient, group_id, body, ts,
                   COALESCE((SELECT array_agg(member) FROM inbox), '{}'::text[]) AS members FROM ins
            UNION ALL
            SELECT false, seq, recipient, group_id, body, ts, NULL FROM messages WHERE sender = $1 AND client_id = $2""";
    private static final String FIND = "SELECT false AS fresh, seq, recipient, group_id, body, ts, NULL::text[] AS members "
            + "FROM messages WHERE sender = $1 AND client_id = $2";
    private static final String UNACKED_ONE = """
            SELECT seq, client_id, sender, recipient, NULL::bigint AS group_id, body, ts FROM messages
             WHERE recipient = $1 AND acked_at IS NULL
            UNION ALL
            SELECT m.seq, m.client_id, m.sender, i.member, m.group_id, m.body, m.ts
              FROM group_inbox i JOIN messages m ON m.seq = i.seq
             WHERE i.member = $1 AND i.acked_at IS NULL
            ORDER BY seq LIMIT $2""";
    private static final String UNACKED_MANY = """
            SELECT seq, client_id, sender, recipient, NULL::bigint AS group_id, body, ts FROM messages
             WHERE recipient = ANY($1) AND acked_at IS NULL AND ts < $2
            UNION ALL
            SELECT m.seq, m.client_id, m.sender, i.member, m.group_id, m.body, m.ts
              FROM group_inbox i JOIN messages m ON m.seq = i.seq
             WHERE i.member = ANY($1) AND i.acked_at IS NULL AND m.ts < $2
            ORDER BY seq LIMIT $3""";
    /* An ID names one message per sender; the recipient's ack finds it among their own unacked ones. */
    private static final String ACK = """
            WITH direct AS (
              UPDATE messages SET acked_at = now()
               WHERE recipient = $1 AND client_id = $2 AND acked_at IS NULL
              RETURNING sender, ts, NULL::bigint AS group_id
            ), grp AS (
              UPDATE group_inbox i SET acked_at = now() FROM messages m
               WHERE i.member = $1 AND i.acked_at IS NULL AND m.seq = i.seq AND m.client_id = $2
              RETURNING m.sender, m.ts, m.group_id
            )
            SELECT * FROM direct UNION ALL SELECT * FROM grp""";

    private final Pool pool;

    PgMessageLog(Pool pool) {
        this.pool = pool;
    }

    @Override
    public Uni<Appended> append(String from, String id, String to, String body, long ts) {
        return append(APPEND, Tuple.of(from, id, to, body, ts), from, id, Outcome.UNKNOWN_RECIPIENT);
    }

    @Override
    public Uni<Appended> appendToGroup(String from, String id, long group, String body, long ts) {
        return append(APPEND_TO_GROUP, Tuple.of(from, id, group, body, ts), from, id, Outcome.NOT_A_MEMBER);
    }

    private Uni<Appended> append(String sql, Tuple args, String from, String id, Outcome refusal) {
        return pool.preparedQuery(sql).execute(args).onItem().transformToUni(rows -> {
            if (rows.size() > 0) {
                return Uni.createFrom().item(appended(from, id, rows.iterator().next()));
            }
            // No row: the recipient (or membership) is missing, or a concurrent append of the same ID committed
            // after our snapshot (a retry racing its original on another node). A fresh look decides.
            return pool.preparedQuery(FIND).execute(Tuple.of(from, id)).map(again -> again.size() > 0
                    ? appended(from, id, again.iterator().next())
                    : Appended.refused(refusal));
        });
    }

    private static Appended appended(String from, String id, Row row) {
        Message m = new Message(row.getLong("seq"), id, from, row.getString("recipient"), row.getLong("group_id"),
                row.getString("body"), row.getLong("ts"));
        if (!row.getBoolean("fresh")) {
            return new Appended(Outcome.DUPLICATE, m, List.of());
        }
        String[] members = row.getArrayOfStrings("members");
        return new Appended(Outcome.ACCEPTED, m, members == null ? List.of(m.to()) : Arrays.asList(members));
    }

    @Override
    public Uni<List<Message>> unacked(String user, int limit) {
        return pool.preparedQuery(UNACKED_ONE).execute(Tuple.of(user, limit)).map(PgMessageLog::messages);
    }

    @Override
    public Uni<List<Message>> unacked(Collection<String> users, long beforeTs, int limit) {
        return pool.preparedQuery(UNACKED_MANY).execute(Tuple.of(users.toArray(String[]::new), beforeTs, limit))
                .map(PgMessageLog::messages);
    }

    @Override
    public Uni<Acked> ack(String user, String id) {
        return pool.preparedQuery(ACK).execute(Tuple.of(user, id)).map(rows -> {
            if (rows.size() == 0) {
                return null;
            }
            Row r = rows.iterator().next();
            return new Acked(r.getString("sender"), r.getLong("ts"), r.getLong("group_id"));
        });
    }

    private static List<Message> messages(RowSet<Row> rows) {
        List<Message> out = new ArrayList<>(rows.size());
        for (Row r : rows) {
            out.add(new Message(r.getLong("seq"), r.getString("client_id"), r.getString("sender"),
                    r.getString("recipient"), r.getLong("group_id"), r.getString("body"), r.getLong("ts")));
        }
        return out;
    }
}

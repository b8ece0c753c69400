package dev.chat.node.delivery;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import jakarta.inject.Singleton;

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
              RETURNING seq, recipient, body, ts
            )
            SELECT true AS fresh, seq, recipient, body, ts FROM ins
            UNION ALL
            SELECT false, seq, recipient, body, ts FROM messages WHERE sender = $1 AND client_id = $2""";
    private static final String FIND = "SELECT false AS fresh, seq, recipient, body, ts FROM messages "
            + "WHERE sender = $1 AND client_id = $2";
    private static final String COLUMNS = "seq, client_id, sender, recipient, body, ts";
    private static final String UNACKED_ONE = "SELECT " + COLUMNS + " FROM messages "
            + "WHERE recipient = $1 AND acked_at IS NULL ORDER BY seq LIMIT $2";
    private static final String UNACKED_MANY = "SELECT " + COLUMNS + " FROM messages "
            + "WHERE recipient = ANY($1) AND acked_at IS NULL AND ts < $2 ORDER BY seq LIMIT $3";
    private static final String ACK = "UPDATE messages SET acked_at = now() "
            + "WHERE recipient = $1 AND client_id = $2 AND acked_at IS NULL RETURNING sender, ts";

    private final Pool pool;

    PgMessageLog(Pool pool) {
        this.pool = pool;
    }

    @Override
    public Uni<Appended> append(String from, String id, String to, String body, long ts) {
        return pool.preparedQuery(APPEND).execute(Tuple.of(from, id, to, body, ts))
                .onItem().transformToUni(rows -> {
                    if (rows.size() > 0) {
                        return Uni.createFrom().item(appended(from, id, rows.iterator().next()));
                    }
                    // No row: the recipient does not exist, or a concurrent append of the same ID committed
                    // after our snapshot (a retry racing its original on another node). A fresh look decides.
                    return pool.preparedQuery(FIND).execute(Tuple.of(from, id)).map(again -> again.size() > 0
                            ? appended(from, id, again.iterator().next())
                            : new Appended(Appended.Outcome.UNKNOWN_RECIPIENT, null));
                });
    }

    private static Appended appended(String from, String id, Row row) {
        Message m = new Message(row.getLong("seq"), id, from, row.getString("recipient"), row.getString("body"),
                row.getLong("ts"));
        return new Appended(row.getBoolean("fresh") ? Appended.Outcome.ACCEPTED : Appended.Outcome.DUPLICATE, m);
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
            return new Acked(r.getString("sender"), r.getLong("ts"));
        });
    }

    private static List<Message> messages(RowSet<Row> rows) {
        List<Message> out = new ArrayList<>(rows.size());
        for (Row r : rows) {
            out.add(new Message(r.getLong("seq"), r.getString("client_id"), r.getString("sender"),
                    r.getString("recipient"), r.getString("body"), r.getLong("ts")));
        }
        return out;
    }
}

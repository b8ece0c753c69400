package dev.chat.node.delivery;

import java.util.Arrays;
import java.util.List;

import jakarta.inject.Singleton;

import dev.chat.node.delivery.MessageLog.Appended;
import dev.chat.node.delivery.MessageLog.Appended.Outcome;
import dev.chat.node.postgres.PostgresCalls;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgException;

/**
 * {@link ChangeLog} on PostgreSQL: one statement per change, which decides, stores the change row and its delivery
 * state (a pending row, or one group_inbox row per member who can see the message) at once. Changes are rare next
 * to messages, so they are not batched. Like an append, a change stores nothing while pending is not whole
 * (pending_epoch empty, V61) and answers {@code UNAVAILABLE}. Answers within {@code chat.postgres.call-timeout}.
 */
@Singleton
public class PgChangeLog implements ChangeLog {
    /*
     * $1 changer, $2 change ID, $3 target's sender, $4 target's ID, $5 kind, $6 body ('' for a delete), $7 ts,
     * $8 the window's start (epoch ms). seen: the target, if the changer can see it (their one-to-one message, or a
     * message of a group they are in and joined before it); role: the changer's in that group. audience: who gets
     * the change. taken: the change's ID pending for one of them from someone else (as for a message).
     */
    private static final String CHANGE = """
            WITH own AS (
              SELECT seq, recipient, group_id, body, ts, kind, target_id, target_from FROM messages
               WHERE sender = $1 AND client_id = $2
            ), seen AS (
              SELECT t.* FROM (
                SELECT m.seq, m.sender, m.recipient, m.group_id, m.ts,
                       (SELECT gm.role FROM group_members gm WHERE gm.group_id = m.group_id AND gm.username = $1
                                                              AND gm.joined_seq < m.seq) AS role
                  FROM messages m WHERE m.sender = $3 AND m.client_id = $4 AND m.kind IS NULL) t
               WHERE CASE WHEN t.group_id IS NULL THEN $1 IN (t.sender, t.recipient) ELSE t.role IS NOT NULL END
            ), verdict AS (
              SELECT CASE
                WHEN s.seq IS NULL THEN 'unknown'
                WHEN EXISTS (SELECT 1 FROM messages d WHERE d.target_seq = s.seq AND d.kind = 'delete') THEN 'deleted'
                WHEN $5::text = 'delete' AND s.role IN ('owner', 'admin') THEN 'ok'
                WHEN s.sender <> $1 THEN 'forbidden'
                WHEN s.ts < $8::bigint THEN 'late'
                ELSE 'ok' END AS v
                FROM (SELECT 1) one LEFT JOIN seen s ON true
            ), audience AS (
              SELECT s.recipient AS member FROM seen s WHERE s.group_id IS NULL
              UNION ALL
              SELECT gm.username FROM seen s JOIN group_members gm ON gm.group_id = s.group_id
               WHERE gm.username <> $1 AND gm.joined_seq < s.seq
            ), taken AS (
              SELECT 1 FROM audience a JOIN pending p ON p.recipient = a.member AND p.client_id = $2
               WHERE NOT EXISTS (SELECT 1 FROM own o WHERE o.seq = p.seq)
              UNION ALL
              SELECT 1 FROM messages p JOIN group_inbox i ON i.seq = p.seq AND i.acked_at IS NULL
                                       JOIN audience a ON a.member = i.member
               WHERE p.client_id = $2 AND p.group_id IS NOT NULL AND p.sender <> $1
              LIMIT 1
            ), ins AS (
              INSERT INTO messages (sender, client_id, recipient, group_id, body, ts, kind, target_seq, target_id,
                                    target_from)
              SELECT $1, $2, s.recipient, s.group_id, $6, $7, $5, s.seq, $4, $3 FROM seen s, verdict v
               WHERE v.v = 'ok' AND NOT EXISTS (SELECT 1 FROM own) AND NOT EXISTS (SELECT 1 FROM taken)
                 AND EXISTS (SELECT 1 FROM pending_epoch)
              ON CONFLICT DO NOTHING
              RETURNING seq, recipient, group_id, body, ts
            ), owed AS (
              INSERT INTO pending (recipient, client_id, sender, seq)
              SELECT recipient, $2, $1, seq FROM ins WHERE recipient IS NOT NULL
            ), inbox AS (
              INSERT INTO group_inbox (member, seq, group_id)
              SELECT a.member, ins.seq, ins.group_id FROM ins, audience a WHERE ins.group_id IS NOT NULL
              RETURNING member
            )
            SELECT 'fresh' AS state, seq, recipient, group_id, body, ts,
                   CASE WHEN group_id IS NULL THEN ARRAY[recipient]
                        ELSE COALESCE((SELECT array_agg(member) FROM inbox), '{}'::text[]) END AS members FROM ins
            UNION ALL
            SELECT CASE WHEN o.kind = $5 AND o.target_id = $4 AND o.target_from = $3 AND o.body = $6 THEN 'same'
                        ELSE 'reused' END, o.seq, o.recipient, o.group_id, o.body, o.ts, NULL FROM own o
            UNION ALL
            SELECT 'taken', NULL, NULL, NULL, NULL, NULL, NULL FROM verdict v
             WHERE v.v = 'ok' AND NOT EXISTS (SELECT 1 FROM own) AND EXISTS (SELECT 1 FROM taken)
               AND EXISTS (SELECT 1 FROM pending_epoch)
            UNION ALL
            SELECT 'unavailable', NULL, NULL, NULL, NULL, NULL, NULL FROM verdict v
             WHERE v.v = 'ok' AND NOT EXISTS (SELECT 1 FROM own) AND NOT EXISTS (SELECT 1 FROM pending_epoch)
            UNION ALL
            SELECT v.v, NULL, NULL, NULL, NULL, NULL, NULL FROM verdict v
             WHERE v.v <> 'ok' AND NOT EXISTS (SELECT 1 FROM own)""";

    private final Pool pool;
    private final PendingKeeper keeper;
    private final PostgresCalls calls;

    PgChangeLog(Pool pool, PostgresCalls calls, PendingKeeper keeper) {
        this.pool = pool;
        this.keeper = keeper;
        this.calls = calls;
    }

    @Override
    public Uni<Appended> change(String from, String id, String kind, String targetFrom, String target, String body,
            long ts, long notBefore) {
        Tuple args = Tuple.tuple(List.of(from, id, targetFrom, target, kind, body == null ? "" : body, ts, notBefore));
        // A concurrent send from someone else took this ID for a recipient first (pending's key): nothing was
        // stored, and the statement again sees it and answers taken.
        Uni<RowSet<Row>> once = pool.preparedQuery(CHANGE).execute(args)
                .onFailure(PgChangeLog::keyTaken).recoverWithUni(() -> pool.preparedQuery(CHANGE).execute(args));
        return calls.bounded(once.chain(rows -> rows.size() > 0 ? Uni.createFrom().item(rows)
                // No row: a retry racing its original on another node committed after our snapshot; again decides.
                : pool.preparedQuery(CHANGE).execute(args))
                .map(rows -> rows.size() == 0 ? Appended.refused(Outcome.UNAVAILABLE)
                        : appended(from, id, kind, targetFrom, target, rows.iterator().next())));
    }

    private static boolean keyTaken(Throwable e) {
        return e instanceof PgException pg && "23505".equals(pg.getSqlState());
    }

    private Appended appended(String from, String id, String kind, String targetFrom, String target, Row row) {
        String state = row.getString("state");
        switch (state) {
            case "unknown":
                return Appended.refused(Outcome.UNKNOWN_MESSAGE);
            case "deleted":
                return Appended.refused(Outcome.MESSAGE_DELETED);
            case "forbidden":
                return Appended.refused(Outcome.NOT_ALLOWED);
            case "late":
                return Appended.refused(Outcome.WINDOW_CLOSED);
            case "taken":
                return Appended.refused(Outcome.ID_IN_USE);
            case "unavailable":
                // pending is not whole (V61: after a crash or failover, until PendingKeeper rebuilds it)
                keeper.refused();
                return Appended.refused(Outcome.UNAVAILABLE);
            default:
        }
        Message m = new Message(row.getLong("seq"), id, from, row.getString("recipient"), row.getLong("group_id"),
                row.getString("body"), row.getLong("ts"), kind, target, targetFrom);
        if (state.equals("reused")) {
            return new Appended(Outcome.ID_REUSED, m, List.of());
        }
        if (state.equals("same")) {
            return new Appended(Outcome.DUPLICATE, m, List.of());
        }
        return new Appended(Outcome.ACCEPTED, m, Arrays.asList(row.getArrayOfStrings("members")));
    }
}

package dev.chat.node.delivery;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Singleton;

import dev.chat.node.delivery.MessageLog.Appended.Outcome;
import dev.chat.node.postgres.PostgresCalls;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.pgclient.PgException;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * {@link MessageLog} on PostgreSQL through the reactive client: one round trip per append and per ack. The log is
 * append-only: a one-to-one message is a row of messages, never changed, and a row of pending (recipient, ID),
 * written by the same statement and deleted by the recipient's ack (V6). A group message's delivery state is its
 * members' group_inbox rows.
 * pending is UNLOGGED (V61): it writes no WAL, and a PostgreSQL crash or a failover empties it together with the
 * one-row pending_epoch. Every append (one-to-one or group: both check pending for {@code id_in_use}) stores nothing
 * while pending_epoch is empty and answers {@code UNAVAILABLE} (the client retries), until {@link PendingKeeper}
 * has rebuilt pending from its logged copies (pending_kept) and the log after its mark. An ack deletes the pending
 * row and its logged copy, if any, in one statement (deleting nothing writes no WAL).
 * Every call answers within {@code chat.postgres.call-timeout} ({@link PostgresCalls}), however long it waited
 * for its batch.
 */
@Singleton
public class PgMessageLog implements MessageLog {
    /*
     * Insert-if-the-recipient-exists and deduplicate in one statement, answering one row whose state is:
     * fresh (stored now), same (an earlier append of this (sender, ID) with the same recipient and body: a
     * retry), reused (the sender's ID names another message), or taken (the ID is still pending for the
     * recipient from someone else, so that their one ack would settle both: a pending row under the ID that is
     * not the sender's own). The branches read one snapshot: a row inserted by this statement is not in own. No
     * row: the recipient is missing; a second run decides. No ON CONFLICT (issue 16): it made the insert
     * speculative, one more WAL record per message (the heap confirm, 48 bytes). A retry racing its original
     * that committed after our snapshot fails the statement on messages_dedup instead, and a concurrent send from
     * someone else with this ID for this recipient fails it on pending's key; either way nothing is stored and a
     * second run, on a snapshot that holds the rival, decides (see append). The race that once piled up (a resend
     * on the same node while its original was in flight; without ON CONFLICT it failed whole batches) never
     * reaches the database: AppendFlights answers it from its original (docs/performance.md).
     */
    private static final String APPEND = """
            WITH own AS (
              SELECT seq, recipient, group_id, body, ts FROM messages WHERE sender = $1 AND client_id = $2
            ), taken AS (
              SELECT 1 FROM pending p WHERE p.recipient = $3 AND p.client_id = $2
              UNION ALL
              SELECT 1 FROM messages p JOIN group_inbox i ON i.member = $3 AND i.seq = p.seq
               WHERE p.client_id = $2 AND p.group_id IS NOT NULL AND i.acked_at IS NULL
              LIMIT 1
            ), ins AS (
              INSERT INTO messages (sender, client_id, recipient, body, ts)
              SELECT $1, $2, $3, $4, $5 WHERE EXISTS (SELECT 1 FROM account_names WHERE username = $3)
                 AND NOT EXISTS (SELECT 1 FROM own) AND NOT EXISTS (SELECT 1 FROM taken)
                 AND EXISTS (SELECT 1 FROM pending_epoch)
              RETURNING seq, sender, client_id, recipient, group_id, body, ts
            ), owed AS (
              INSERT INTO pending (recipient, client_id, sender, seq) SELECT recipient, client_id, sender, seq FROM ins
            )
            SELECT 'fresh' AS state, seq, recipient, group_id, body, ts, NULL::text[] AS members FROM ins
            UNION ALL
            SELECT CASE WHEN recipient = $3 AND body = $4 THEN 'same' ELSE 'reused' END,
                   seq, recipient, group_id, body, ts, NULL FROM own
            UNION ALL
            SELECT 'taken', NULL, NULL, NULL, NULL, NULL, NULL
             WHERE NOT EXISTS (SELECT 1 FROM own) AND EXISTS (SELECT 1 FROM taken)
               AND EXISTS (SELECT 1 FROM account_names WHERE username = $3) AND EXISTS (SELECT 1 FROM pending_epoch)
            UNION ALL
            SELECT 'unavailable', NULL, NULL, NULL, NULL, NULL, NULL
             WHERE NOT EXISTS (SELECT 1 FROM own) AND NOT EXISTS (SELECT 1 FROM pending_epoch)""";
    /*
     * The same for a group: stored once if the sender is a member, one inbox row per other member. Taken: the ID
     * is pending, from someone else, for any member who would receive this message (one-to-one or in a group).
     * No ON CONFLICT either: a group append is a statement of its own (never batched), so a retry racing its
     * original fails only itself on messages_dedup, and the second run (see append) answers same.
     */
    private static final String APPEND_TO_GROUP = """
            WITH own AS (
              SELECT seq, recipient, group_id, body, ts FROM messages WHERE sender = $1 AND client_id = $2
            ), taken AS (
              SELECT 1 FROM pending p JOIN group_members gm ON gm.group_id = $3 AND gm.username = p.recipient
               WHERE p.client_id = $2 AND p.recipient <> $1
                 AND NOT EXISTS (SELECT 1 FROM own o WHERE o.seq = p.seq)
              UNION ALL
              SELECT 1 FROM messages p JOIN group_members gm ON gm.group_id = $3 AND gm.username <> $1
               WHERE p.client_id = $2 AND p.group_id IS NOT NULL AND p.sender <> $1
                 AND EXISTS (SELECT 1 FROM group_inbox i WHERE i.member = gm.username AND i.seq = p.seq
                                                           AND i.acked_at IS NULL)
              LIMIT 1
            ), ins AS (
              INSERT INTO messages (sender, client_id, group_id, body, ts)
              SELECT $1, $2, $3, $4, $5
              WHERE EXISTS (SELECT 1 FROM group_members WHERE group_id = $3 AND username = $1)
                AND NOT EXISTS (SELECT 1 FROM own) AND NOT EXISTS (SELECT 1 FROM taken)
                AND EXISTS (SELECT 1 FROM pending_epoch)
              RETURNING seq, recipient, group_id, body, ts
            ), inbox AS (
              INSERT INTO group_inbox (member, seq, group_id)
              SELECT gm.username, ins.seq, ins.group_id FROM ins JOIN group_members gm ON gm.group_id = ins.group_id
              WHERE gm.username <> $1
              RETURNING member
            )
            SELECT 'fresh' AS state, seq, recipient, group_id, body, ts,
                   COALESCE((SELECT array_agg(member) FROM inbox), '{}'::text[]) AS members FROM ins
            UNION ALL
            SELECT CASE WHEN group_id = $3 AND body = $4 THEN 'same' ELSE 'reused' END,
                   seq, recipient, group_id, body, ts, NULL FROM own
            UNION ALL
            SELECT 'taken', NULL, NULL, NULL, NULL, NULL, NULL
             WHERE NOT EXISTS (SELECT 1 FROM own) AND EXISTS (SELECT 1 FROM taken)
               AND EXISTS (SELECT 1 FROM group_members WHERE group_id = $3 AND username = $1)
               AND EXISTS (SELECT 1 FROM pending_epoch)
            UNION ALL
            SELECT 'unavailable', NULL, NULL, NULL, NULL, NULL, NULL
             WHERE NOT EXISTS (SELECT 1 FROM own) AND NOT EXISTS (SELECT 1 FROM pending_epoch)""";
    private static final String UNACKED_ONE = """
            SELECT m.seq, m.client_id, m.sender, m.recipient, NULL::bigint AS group_id, m.body, m.ts,
                   m.kind, m.target_id, m.target_from
              FROM pending p JOIN messages m ON m.sender = p.sender AND m.client_id = p.client_id
             WHERE p.recipient = $1
            UNION ALL
            SELECT m.seq, m.client_id, m.sender, i.member, m.group_id, m.body, m.ts,
                   m.kind, m.target_id, m.target_from
              FROM group_inbox i JOIN messages m ON m.group_id = i.group_id AND m.seq = i.seq
             WHERE i.member = $1 AND i.acked_at IS NULL
            ORDER BY seq LIMIT $2""";
    /* UNACKED_ONE from where the last read of a backlog ended (seq > $3): a client catching up (Delivery.ack). */
    private static final String UNACKED_AFTER = """
            SELECT m.seq, m.client_id, m.sender, m.recipient, NULL::bigint AS group_id, m.body, m.ts,
                   m.kind, m.target_id, m.target_from
              FROM pending p JOIN messages m ON m.sender = p.sender AND m.client_id = p.client_id
             WHERE p.recipient = $1 AND p.seq > $3
            UNION ALL
            SELECT m.seq, m.client_id, m.sender, i.member, m.group_id, m.body, m.ts,
                   m.kind, m.target_id, m.target_from
              FROM group_inbox i JOIN messages m ON m.group_id = i.group_id AND m.seq = i.seq
             WHERE i.member = $1 AND i.acked_at IS NULL AND i.seq > $3
            ORDER BY seq LIMIT $2""";
    /*
     * Shared out in turns (issue 19): each user's owed messages, oldest first, under a LIMIT of their own (a
     * LATERAL per user), numbered per user; the limit then takes every user's first before anyone's second, and
     * so on. One user with a large backlog fills only what the others leave, never their share.
     */
    private static final String UNACKED_MANY = """
            SELECT * FROM (
              SELECT t.*, row_number() OVER (PARTITION BY u.name ORDER BY t.seq) AS turn
                FROM unnest($1::text[]) AS u(name) CROSS JOIN LATERAL (
                  SELECT m.seq, m.client_id, m.sender, m.recipient, NULL::bigint AS group_id, m.body, m.ts,
                         m.kind, m.target_id, m.target_from
                    FROM pending p JOIN messages m ON m.sender = p.sender AND m.client_id = p.client_id
                   WHERE p.recipient = u.name AND m.ts < $2
                  UNION ALL
                  SELECT m.seq, m.client_id, m.sender, i.member, m.group_id, m.body, m.ts,
                         m.kind, m.target_id, m.target_from
                    FROM group_inbox i JOIN messages m ON m.group_id = i.group_id AND m.seq = i.seq
                   WHERE i.member = u.name AND i.acked_at IS NULL AND m.ts < $2
                  ORDER BY seq LIMIT $3) t
               ORDER BY turn, t.seq LIMIT $3) f
            ORDER BY seq""";
    /*
     * A recipient's ack names a message by ID alone: it settles the one stored message (by seq) that is pending
     * for the recipient under that ID, one-to-one (its pending row, deleted) or in a group (its group_inbox row).
     * Appends keep that to one message at most (taken above; pending's key for one-to-one ones); were there two (a
     * concurrent one-to-one and group send), the oldest goes first and the other stays pending for an ack of its
     * own, never settled by this one. The message row itself is never written again.
     *
     * Acks commit without waiting for the disk (synchronous_commit off for this statement's own transaction,
     * set by the lazy_commit row that every update joins, so it is in force before any row changes): an ack
     * lost in a database crash only means the message is delivered again with the same ID, which clients drop
     * (at least once, shown once). Appends keep waiting: their ack is the promise. Waiting for a flush per ack
     * doubled the flushes per message, the largest single cost in the database and the kernel below it
     * (docs/performance.md).
     */
    private static final String SETTLE = """
            ), target AS (
              SELECT a.ord, a.recipient, a.client_id, t.seq, t.group_id FROM input a CROSS JOIN LATERAL (
                SELECT p.seq, NULL::bigint AS group_id FROM pending p
                 WHERE p.recipient = a.recipient AND p.client_id = a.client_id
                UNION ALL
                SELECT p.seq, p.group_id FROM messages p JOIN group_inbox g ON g.member = a.recipient AND g.seq = p.seq
                 WHERE p.client_id = a.client_id AND p.group_id IS NOT NULL AND g.acked_at IS NULL
                ORDER BY seq LIMIT 1) t
            ), settled AS (
              DELETE FROM pending p USING target t, lazy_commit
               WHERE t.group_id IS NULL AND p.recipient = t.recipient AND p.client_id = t.client_id AND p.seq = t.seq
              RETURNING t.ord, p.sender, p.client_id
            ), kept AS (
              DELETE FROM pending_kept k USING target t, lazy_commit
               WHERE t.group_id IS NULL AND k.recipient = t.recipient AND k.client_id = t.client_id AND k.seq = t.seq
            ), direct AS (
              SELECT s.ord, m.sender, m.ts, NULL::bigint AS group_id
                FROM settled s JOIN messages m ON m.sender = s.sender AND m.client_id = s.client_id
            ), grp AS (
              UPDATE group_inbox g SET acked_at = now() FROM target t, messages m, lazy_commit
               WHERE t.group_id IS NOT NULL AND g.member = t.recipient AND g.seq = t.seq AND g.acked_at IS NULL
                 AND m.group_id = t.group_id AND m.seq = t.seq
              RETURNING t.ord, m.sender, m.ts, m.group_id
            )
            SELECT * FROM direct UNION ALL SELECT * FROM grp""";
    static final String ACK = """
            WITH lazy_commit AS (
              SELECT set_config('synchronous_commit', 'off', true) AS setting
            ), input AS (
              SELECT $1::text AS recipient, $2::text AS client_id, 1::bigint AS ord
            """ + SETTLE;

    /*
     * The same as APPEND for many messages in one statement (one round trip, one commit). A batch may hold the
     * same (sender, ID) twice (a retry racing its original): only its first occurrence is inserted and reported
     * fresh, the others report the same stored row as same or reused; of messages from different senders with one
     * ID for one recipient only the first is inserted (pending's key allows one). A message that gets no row (an
     * unknown recipient, a taken ID) is decided by APPEND on its own. No ON CONFLICT (see APPEND): a concurrent
     * append that committed first under a key this batch inserts (a retry through another node on
     * messages_dedup, someone else's send on pending's key) fails the statement, and the batch runs once more, on
     * a snapshot that holds it, then one by one (see appendMany). A retry through this node never races its
     * original here: AppendFlights holds it until the original's answer.
     */
    static final String APPEND_MANY = """
            WITH input AS (
              SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[])
                     WITH ORDINALITY AS t(sender, client_id, recipient, body, ts, ord)
            ), firsts AS (
              SELECT DISTINCT ON (sender, client_id) * FROM input ORDER BY sender, client_id, ord
            ), one_per_key AS (
              SELECT DISTINCT ON (recipient, client_id) * FROM firsts ORDER BY recipient, client_id, ord
            ), ins AS (
              INSERT INTO messages (sender, client_id, recipient, body, ts)
              SELECT f.sender, f.client_id, f.recipient, f.body, f.ts FROM one_per_key f
               WHERE EXISTS (SELECT 1 FROM account_names a WHERE a.username = f.recipient)
                 AND NOT EXISTS (SELECT 1 FROM messages o WHERE o.sender = f.sender AND o.client_id = f.client_id)
                 AND NOT EXISTS (SELECT 1 FROM pending p WHERE p.recipient = f.recipient AND p.client_id = f.client_id)
                 AND NOT EXISTS (SELECT 1 FROM messages p JOIN group_inbox g ON g.member = f.recipient AND g.seq = p.seq
                                  WHERE p.client_id = f.client_id AND p.group_id IS NOT NULL AND g.acked_at IS NULL)
                 AND EXISTS (SELECT 1 FROM pending_epoch)
               ORDER BY f.ord
              RETURNING seq, sender, client_id, recipient, group_id, body, ts
            ), owed AS (
              INSERT INTO pending (recipient, client_id, sender, seq) SELECT recipient, client_id, sender, seq FROM ins
            )
            SELECT i.ord, CASE WHEN i.ord = f.ord THEN 'fresh'
                               WHEN i.recipient = ins.recipient AND i.body = ins.body THEN 'same' ELSE 'reused' END
                          AS state, ins.seq, ins.recipient, ins.group_id, ins.body, ins.ts, NULL::text[] AS members
              FROM input i JOIN firsts f USING (sender, client_id) JOIN ins USING (sender, client_id)
            UNION ALL
            SELECT i.ord, CASE WHEN i.recipient = m.recipient AND i.body = m.body THEN 'same' ELSE 'reused' END,
                   m.seq, m.recipient, m.group_id, m.body, m.ts, NULL
              FROM input i JOIN messages m USING (sender, client_id)""";
    /* ACK for many acks in one statement, committed the same way; an ack given twice changes the message once. */
    static final String ACK_MANY = """
            WITH lazy_commit AS (
              SELECT set_config('synchronous_commit', 'off', true) AS setting
            ), input AS (
              SELECT * FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS t(recipient, client_id, ord)
            """ + SETTLE;
    /** Messages per statement at most. */
    private static final int MAX_BATCH = 256;
    /** Ack statements on the pool at once. */
    private static final int ACKS_IN_FLIGHT = 4;
    /*
     * Appends on the pool at once. Fewer than ACKS_IN_FLIGHT: an append that finds both slots busy waits
     * for one and leaves with the others that arrived meanwhile, so more messages share a statement and a commit
     * (a flush to disk each), which is most of an append's cost in PostgreSQL (docs/performance.md, seventh round).
     */
    static final int APPENDS_IN_FLIGHT = 2;

    private final Pool pool;
    private final PendingKeeper keeper;
    private final PostgresCalls calls;
    private final Batcher<AppendRequest, Appended> appends;
    private final Batcher<AckRequest, Acked> acks;
    private final AppendFlights flights;

    PgMessageLog(Pool pool, PostgresCalls calls, Vertx vertx, DeliveryConfig config, PendingKeeper keeper) {
        this.pool = pool;
        this.keeper = keeper;
        this.calls = calls;
        Batcher.Timer timers = (millis, task) -> vertx.setTimer(millis, id -> task.run());
        // Bounded per batch too, so that a statement that never ends frees its batch slot for the next. Appends
        // linger a little (chat.delivery.append-linger): at 1,000 msgs/s both slots are seldom busy, and without it
        // most appends went alone (docs/performance.md, ninth round).
        this.appends = new Batcher<>(MAX_BATCH, APPENDS_IN_FLIGHT, config.appendLinger().toMillis(), timers,
                batch -> calls.bounded(appendMany(batch)));
        this.flights = new AppendFlights((from, id, to, body, ts) -> appends.submit(new AppendRequest(from, id, to,
                body, ts)));
        // Acks linger: nobody waits on them but the sender's delivered receipt, and one statement (one commit, one
        // plan) settling several is most of their cost saved at any load (docs/performance.md).
        this.acks = new Batcher<>(MAX_BATCH, ACKS_IN_FLIGHT, config.ackLinger().toMillis(), timers,
                batch -> calls.bounded(ackMany(batch)));
    }

    private record AppendRequest(String from, String id, String to, String body, long ts) {
    }

    private record AckRequest(String user, String id) {
    }

    /** Through {@link AppendFlights}: a resend on this node while its original is queued or in flight waits for it. */
    @Override
    public Uni<Appended> append(String from, String id, String to, String body, long ts) {
        return calls.bounded(flights.append(from, id, to, body, ts));
    }

    private Uni<List<Appended>> appendMany(List<AppendRequest> batch) {
        if (batch.size() == 1) {
            AppendRequest r = batch.get(0);
            return append(APPEND, Tuple.of(r.from(), r.id(), r.to(), r.body(), r.ts()), r.from(), r.id(),
                    Outcome.UNKNOWN_RECIPIENT).map(List::of);
        }
        int n = batch.size();
        String[] from = new String[n];
        String[] ids = new String[n];
        String[] to = new String[n];
        String[] body = new String[n];
        Long[] ts = new Long[n];
        for (int i = 0; i < n; i++) {
            AppendRequest r = batch.get(i);
            from[i] = r.from();
            ids[i] = r.id();
            to[i] = r.to();
            body[i] = r.body();
            ts[i] = r.ts();
        }
        Tuple args = Tuple.of(from, ids, to, body, ts);
        // A key taken by a concurrent append that committed while this one ran (pending's key: someone else's send;
        // messages_dedup: a retry through another node): the batch once more, on a snapshot that holds it, decides
        // every message in one statement.
        return pool.preparedQuery(APPEND_MANY).execute(args)
                .onFailure(PgMessageLog::keyTaken).recoverWithUni(() -> pool.preparedQuery(APPEND_MANY).execute(args))
                .chain(rows -> resolve(rows, from, ids, to, body, ts))
                // One message the database refuses must not fail the others it shared a statement with: each
                // goes again on its own, and fails on its own (all of them, if the database is down).
                .onFailure().recoverWithUni(e -> oneByOne(batch, e));
    }

    /**
     * Each append of a failed batch on its own: the ones that fail are {@code UNAVAILABLE}. When every one failed the
     * batch fails with {@code failure}, not with a list of refusals: the database did not answer at all, and an item
     * would count as its answer for {@link PostgresCalls} (the node's {@code StoreSilence}), so that sends waiting
     * their turn behind calls that hang would be kept waiting as if the store were merely slow.
     */
    private Uni<List<Appended>> oneByOne(List<AppendRequest> batch, Throwable failure) {
        AtomicInteger failed = new AtomicInteger();
        return Uni.join().all(batch.stream().map(r -> append(APPEND, Tuple.of(r.from(), r.id(), r.to(), r.body(),
                r.ts()), r.from(), r.id(), Outcome.UNKNOWN_RECIPIENT)
                .onFailure().recoverWithItem(e -> {
                    failed.incrementAndGet();
                    return Appended.refused(Outcome.UNAVAILABLE);
                })).toList()).andFailFast()
                .chain(all -> failed.get() == all.size() ? Uni.createFrom().<List<Appended>>failure(failure)
                        : Uni.createFrom().item(all));
    }

    private Uni<List<Appended>> resolve(RowSet<Row> rows, String[] from, String[] ids, String[] to, String[] body,
            Long[] ts) {
        int n = from.length;
        Appended[] out = new Appended[n];
        for (Row row : rows) {
            int i = row.getLong("ord").intValue() - 1;
            if (out[i] == null || "fresh".equals(row.getString("state"))) {
                out[i] = appended(from[i], ids[i], row);
            }
        }
        // No row: an unknown recipient, a taken ID, or a concurrent append that committed after our snapshot.
        // Rare; APPEND on its own decides, as for a single append.
        List<Uni<Void>> lookups = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (out[i] == null) {
                int k = i;
                lookups.add(append(APPEND, Tuple.of(from[k], ids[k], to[k], body[k], ts[k]), from[k], ids[k],
                        Outcome.UNKNOWN_RECIPIENT).invoke(again -> out[k] = again).replaceWithVoid());
            }
        }
        Uni<Void> all = lookups.isEmpty() ? Uni.createFrom().voidItem()
                : Uni.join().all(lookups).andFailFast().replaceWithVoid();
        return all.map(x -> Arrays.asList(out));
    }

    @Override
    public Uni<Appended> appendToGroup(String from, String id, long group, String body, long ts) {
        return calls.bounded(append(APPEND_TO_GROUP, Tuple.of(from, id, group, body, ts), from, id, Outcome.NOT_A_MEMBER));
    }

    private Uni<Appended> append(String sql, Tuple args, String from, String id, Outcome refusal) {
        // Another sender's send with this ID for this recipient committed first (pending's key): nothing was
        // stored, and the statement again sees it and answers taken.
        Uni<RowSet<Row>> first = pool.preparedQuery(sql).execute(args)
                .onFailure(PgMessageLog::keyTaken).recoverWithUni(() -> pool.preparedQuery(sql).execute(args));
        return first.onItem().transformToUni(rows -> {
            if (rows.size() > 0) {
                return Uni.createFrom().item(appended(from, id, rows.iterator().next()));
            }
            // No row: the recipient (or membership) is missing. The same statement again, on a fresh snapshot,
            // decides (a concurrent append that committed after our snapshot failed the statement above instead).
            return pool.preparedQuery(sql).execute(args).map(again -> again.size() > 0
                    ? appended(from, id, again.iterator().next())
                    : Appended.refused(refusal));
        });
    }

    /**
     * A unique violation: a concurrent append took the key this one wanted (SQLSTATE 23505), on pending's key or on
     * messages_dedup.
     */
    private static boolean keyTaken(Throwable e) {
        return e instanceof PgException pg && "23505".equals(pg.getSqlState());
    }

    private Appended appended(String from, String id, Row row) {
        String state = row.getString("state");
        if (state.equals("taken")) {
            return Appended.refused(Outcome.ID_IN_USE);
        }
        if (state.equals("unavailable")) {
            keeper.refused();
            return Appended.refused(Outcome.UNAVAILABLE);
        }
        Message m = new Message(row.getLong("seq"), id, from, row.getString("recipient"), row.getLong("group_id"),
                row.getString("body"), row.getLong("ts"));
        if (state.equals("reused")) {
            return new Appended(Outcome.ID_REUSED, m, List.of());
        }
        if (state.equals("same")) {
            return new Appended(Outcome.DUPLICATE, m, List.of());
        }
        String[] members = row.getArrayOfStrings("members");
        return new Appended(Outcome.ACCEPTED, m, members == null ? List.of(m.to()) : Arrays.asList(members));
    }

    @Override
    public Uni<List<Message>> unacked(String user, int limit) {
        return calls.bounded(pool.preparedQuery(UNACKED_ONE).execute(Tuple.of(user, limit)).map(PgMessageLog::messages));
    }

    @Override
    public Uni<List<Message>> unackedAfter(String user, long afterSeq, int limit) {
        return calls.bounded(pool.preparedQuery(UNACKED_AFTER).execute(Tuple.of(user, limit, afterSeq))
                .map(PgMessageLog::messages));
    }

    @Override
    public Uni<List<Message>> unacked(Collection<String> users, long beforeTs, int limit) {
        return calls.bounded(pool.preparedQuery(UNACKED_MANY)
                .execute(Tuple.of(users.toArray(String[]::new), beforeTs, limit)).map(PgMessageLog::messages));
    }

    @Override
    public Uni<Acked> ack(String user, String id) {
        return calls.bounded(acks.submit(new AckRequest(user, id)));
    }

    private Uni<List<Acked>> ackMany(List<AckRequest> batch) {
        if (batch.size() == 1) {
            AckRequest a = batch.get(0);
            return pool.preparedQuery(ACK).execute(Tuple.of(a.user(), a.id())).map(rows -> {
                List<Acked> one = new ArrayList<>(1);
                one.add(rows.size() == 0 ? null : acked(rows.iterator().next()));
                return one;
            });
        }
        int n = batch.size();
        String[] users = new String[n];
        String[] ids = new String[n];
        for (int i = 0; i < n; i++) {
            users[i] = batch.get(i).user();
            ids[i] = batch.get(i).id();
        }
        return pool.preparedQuery(ACK_MANY).execute(Tuple.of(users, ids)).map(rows -> {
            Acked[] out = new Acked[n];
            for (Row r : rows) {
                out[r.getLong("ord").intValue() - 1] = acked(r);
            }
            return Arrays.asList(out);
        });
    }

    private static Acked acked(Row r) {
        return new Acked(r.getString("sender"), r.getLong("ts"), r.getLong("group_id"));
    }

    private static List<Message> messages(RowSet<Row> rows) {
        List<Message> out = new ArrayList<>(rows.size());
        for (Row r : rows) {
            out.add(new Message(r.getLong("seq"), r.getString("client_id"), r.getString("sender"),
                    r.getString("recipient"), r.getLong("group_id"), r.getString("body"), r.getLong("ts"),
                    r.getString("kind"), r.getString("target_id"), r.getString("target_from")));
        }
        return out;
    }
}

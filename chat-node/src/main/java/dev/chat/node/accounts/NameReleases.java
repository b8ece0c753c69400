package dev.chat.node.accounts;

import java.util.List;

import jakarta.inject.Singleton;

import dev.chat.common.DeletedAccounts;
import dev.chat.node.config.ChatLog;
import dev.chat.node.history.ConversationIndex;
import dev.chat.node.history.PgIndexPass;
import dev.chat.node.postgres.PostgresCalls;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Releases the names of deleted accounts (issue 17). user-service records a deletion as a pending release (account
 * id and name, db/users V12) and refuses the name to sign-ups until it is released. Every node looks every
 * {@code chat.name-release.interval}; a look claims one pending release at a time ({@code FOR UPDATE SKIP LOCKED}, so
 * nodes looking at once each take a different one, and a claimed one is never done twice) and, in that one
 * transaction, rewrites every row of the node's tables that names the account to its tombstone key {@code ~ID}
 * ({@link DeletedAccounts}), then marks the release done. Only that commit lets the name be registered again, so
 * the new account can never see a row of the old one.
 *
 * <p>What becomes of each table ({@link #STEPS}): messages keep their rows, sent or received, under the key (the
 * other person's history and search keep them, shown as "Deleted account"); what was owed to the account
 * ({@code pending} and its logged copies {@code pending_kept}, {@code group_inbox}) goes, since nobody will ever receive it, and what it had sent and is still
 * owed to others stays owed, from the key; its own read marks go, others' read marks of their conversation with it
 * follow the key; it leaves its groups as a leaving member does (an owner hands the group to the longest-standing
 * admin, else member; a group left empty goes with its messages), and the groups it created and the bars it set or
 * was under name the key. A change (edit, delete) names its target's sender in {@code target_from}: those rows
 * are found through the account's own messages ({@code target_seq}), by index, not by a scan of the log.
 *
 * <p>Bounded in time: each statement by PostgreSQL's {@code statement_timeout}, the whole release by
 * {@link PostgresCalls} ({@code chat.name-release.timeout}, longer than a hot-path call: an account with a long
 * history rewrites many rows); one past it is rolled back and tried again at the next look. Idempotent: a release
 * that failed is claimed again later and rewrites whatever still names the account. The node's role may set only
 * {@code released_at} of a pending release (user-service's view {@code pending_name_releases}).
 */
@Singleton
public class NameReleases {
    private static final ChatLog LOG = ChatLog.of(NameReleases.class);
    private static final String ANY_PENDING = "SELECT EXISTS (SELECT 1 FROM pending_name_releases) AS pending";
    private static final String BOUND = "SELECT set_config('statement_timeout', $1, true)";
    private static final String CLAIM = """
            SELECT account_id, username FROM pending_name_releases
            ORDER BY account_id LIMIT 1 FOR UPDATE SKIP LOCKED""";
    /**
     * Search's index (message_words, V60) names users too, and an indexing pass that read the messages before this
     * release's commit would write the old names after it: a release waits for the pass running, if any, and keeps
     * the next one out until it commits (one lock for both, {@link PgIndexPass#LOCK}).
     */
    private static final String SEARCH_TURN = "SELECT pg_advisory_xact_lock($1)";
    private static final String DONE = "UPDATE pending_name_releases SET released_at = now() WHERE account_id = $1";

    /** One statement of a release: $1 is the name; $2, when it takes it, the tombstone key. */
    record Step(String sql, boolean takesKey) {
    }

    /** Every row of the node's tables that names a user (db/chat V1 to V60), in this order. */
    static final List<Step> STEPS = List.of(
            // Changes (edits, deletes: an admin's too) of the account's messages, found through them (no index on
            // target_from): first, while their sender still names the account.
            new Step("""
                    UPDATE messages c SET target_from = $2
                     WHERE c.target_seq IN (SELECT seq FROM messages WHERE sender = $1 AND kind IS NULL)
                       AND c.target_from = $1""", true),
            new Step("""
                    UPDATE messages m SET sender = CASE WHEN sender = $1 THEN $2 ELSE sender END,
                           recipient = CASE WHEN recipient = $1 THEN $2 ELSE recipient END
                     WHERE sender = $1 OR (""" + ConversationIndex.to("m", "$1") + ")", true),
            // Search's index follows (found by the text of whose messages it holds, so by the key now).
            new Step("""
                    UPDATE message_words SET sender = CASE WHEN sender = $1 THEN $2 ELSE sender END,
                           recipient = CASE WHEN recipient = $1 THEN $2 ELSE recipient END
                     WHERE sender = $1 OR recipient = $1""", true),
            new Step("DELETE FROM pending WHERE recipient = $1", false),
            new Step("UPDATE pending SET sender = $2 WHERE sender = $1", true),
            new Step("DELETE FROM pending_kept WHERE recipient = $1", false),
            new Step("UPDATE pending_kept SET sender = $2 WHERE sender = $1", true),
            new Step("DELETE FROM conversation_reads WHERE reader = $1", false),
            new Step("UPDATE conversation_reads SET peer = $2 WHERE peer = $1", true),
            // An owner leaving hands each group on, as GroupLog.remove does.
            new Step("""
                    UPDATE group_members m SET role = 'owner'
                      FROM (SELECT DISTINCT ON (o.group_id) o.group_id, o.username
                              FROM group_members g
                              JOIN group_members o ON o.group_id = g.group_id AND o.username <> $1
                             WHERE g.username = $1 AND g.role = 'owner'
                             ORDER BY o.group_id, CASE o.role WHEN 'admin' THEN 0 ELSE 1 END, o.joined_at,
                                      o.username) heir
                     WHERE m.group_id = heir.group_id AND m.username = heir.username""", false),
            new Step("""
                    DELETE FROM chat_groups g
                     WHERE g.id IN (SELECT group_id FROM group_members WHERE username = $1)
                       AND NOT EXISTS (SELECT 1 FROM group_members o WHERE o.group_id = g.id AND o.username <> $1)""",
                    false),
            new Step("DELETE FROM group_inbox WHERE member = $1", false),
            new Step("DELETE FROM group_members WHERE username = $1", false),
            new Step("UPDATE chat_groups SET created_by = $2 WHERE created_by = $1", true),
            new Step("""
                    UPDATE group_removed SET username = CASE WHEN username = $1 THEN $2 ELSE username END,
                           removed_by = CASE WHEN removed_by = $1 THEN $2 ELSE removed_by END
                     WHERE username = $1 OR removed_by = $1""", true));

    /** A release done: the account, its former name, its key, and how many rows were rewritten or removed. */
    public record Released(long accountId, String username, String key, long rows) {
    }

    private final Pool pool;
    private final PostgresCalls calls;
    private final PostgresCalls releaseCalls;
    private final String statementTimeout;
    private final int batch;
    private volatile boolean warned;

    NameReleases(Pool pool, PostgresCalls calls, NameReleaseConfig config) {
        this.pool = pool;
        this.calls = calls;
        this.releaseCalls = PostgresCalls.within(config.timeout());
        this.statementTimeout = Long.toString(config.timeout().toMillis());
        this.batch = config.batch();
    }

    @Scheduled(every = "${chat.name-release.interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> look() {
        return releasePending().invoke(() -> warned = false).onFailure().invoke(e -> {
            if (!warned) {
                warned = true;
                LOG.info(null, null, "deleted names could not be released (tried again in a while): %s", e.toString());
            }
        }).onFailure().recoverWithNull().replaceWithVoid();
    }

    /** Releases what is pending, up to {@code chat.name-release.batch}; answers how many this node released. */
    public Uni<Integer> releasePending() {
        return calls.bounded(pool.query(ANY_PENDING).execute())
                .chain(rows -> rows.iterator().next().getBoolean("pending") ? releaseFrom(0) : Uni.createFrom().item(0));
    }

    private Uni<Integer> releaseFrom(int done) {
        if (done >= batch) {
            return Uni.createFrom().item(done);
        }
        return releaseOne().chain(r -> r == null ? Uni.createFrom().item(done) : releaseFrom(done + 1));
    }

    /**
     * Claims one pending release no other transaction holds, re-keys the account's chat data and marks it released,
     * in one transaction; answers what it did, or null when no pending release was free.
     */
    public Uni<Released> releaseOne() {
        return releaseCalls.bounded(pool.withTransaction(tx -> tx.preparedQuery(BOUND)
                .execute(Tuple.of(statementTimeout))
                .chain(() -> tx.query(CLAIM).execute())
                .chain(claimed -> {
                    if (claimed.size() == 0) {
                        return Uni.createFrom().nullItem();
                    }
                    Row row = claimed.iterator().next();
                    long account = row.getLong("account_id");
                    String name = row.getString("username");
                    String key = DeletedAccounts.key(account);
                    return tx.preparedQuery(SEARCH_TURN).execute(Tuple.of(PgIndexPass.LOCK))
                            .chain(() -> rekey(tx, name, key, 0, 0L))
                            .chain(rows -> tx.preparedQuery(DONE).execute(Tuple.of(account))
                                    .replaceWith(new Released(account, name, key, rows)));
                })))
                .invoke(r -> {
                    if (r != null) {
                        LOG.info(r.username(), null, "name released: account=%d user=%s key=%s rows=%d",
                                r.accountId(), r.username(), r.key(), r.rows());
                    }
                });
    }

    private static Uni<Long> rekey(SqlClient tx, String name, String key, int step, long rows) {
        if (step == STEPS.size()) {
            return Uni.createFrom().item(rows);
        }
        Step s = STEPS.get(step);
        Uni<RowSet<Row>> done = tx.preparedQuery(s.sql()).execute(s.takesKey() ? Tuple.of(name, key) : Tuple.of(name));
        return done.chain(r -> rekey(tx, name, key, step + 1, rows + r.rowCount()));
    }
}

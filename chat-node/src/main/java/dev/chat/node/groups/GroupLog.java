package dev.chat.node.groups;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import jakarta.inject.Singleton;

import dev.chat.node.history.ConversationIndex;
import dev.chat.node.history.HistoryMessage;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Groups and their members in PostgreSQL. Every change checks the actor's role in the same transaction
 * that makes it, so two admins racing cannot get past the rules. A member sees history from the moment
 * they joined ({@code joined_seq}): a documented choice, so that adding someone never reveals the past.
 */
@Singleton
public class GroupLog {
    /** The newest message of a group when someone joins it: they see what comes after. */
    private static final String JOIN_POINT = "(SELECT COALESCE(max(seq), 0) FROM messages WHERE group_id = $1)";

    /** Of {@code names}, those who have ever sent {@code $1} a direct message (messages_conversation index). */
    private static final String CONTACTS = """
            SELECT u FROM unnest($2::text[]) u
            WHERE EXISTS (SELECT 1 FROM messages m WHERE """ + ConversationIndex.from("m", "u", "$1") + ")";

    private final Pool pool;
    private final int maxSizeWithoutConsent;
    // Per instance, not static: a native image initializes classes at build time, and a random generator
    // frozen into the image would hand every running node the same invite codes.
    private final SecureRandom random = new SecureRandom();

    GroupLog(Pool pool, GroupsConfig config) {
        this.pool = pool;
        this.maxSizeWithoutConsent = config.maxSizeWithoutConsent();
    }

    public Uni<GroupViews.Group> create(String owner, String name, Collection<String> members) {
        Set<String> all = new LinkedHashSet<>();
        all.add(owner);
        all.addAll(members);
        return pool.withTransaction(tx -> existing(tx, all).chain(found -> {
            List<String> missing = all.stream().filter(u -> !found.contains(u)).toList();
            if (!missing.isEmpty()) {
                return Uni.createFrom().failure(GroupException.unknownUsers(missing));
            }
            return consented(tx, owner, all.size(), all.stream().filter(u -> !u.equals(owner)).toList());
        }).chain(() -> {
            return tx.preparedQuery("INSERT INTO chat_groups (name, created_by) VALUES ($1, $2) RETURNING id")
                    .execute(Tuple.of(name, owner)).map(rows -> rows.iterator().next().getLong("id"))
                    .chain(id -> tx.preparedQuery("INSERT INTO group_members (group_id, username, role, joined_seq) "
                            + "SELECT $1, u, CASE WHEN u = $2 THEN 'owner' ELSE 'member' END, 0 FROM unnest($3::text[]) u")
                            .execute(Tuple.of(id, owner, all.toArray(String[]::new))).replaceWith(id));
        })).chain(id -> group(id, owner));
    }

    /** The group with its members, for a member; null for anyone else. */
    public Uni<GroupViews.Group> group(long id, String viewer) {
        return pool.preparedQuery("SELECT g.name, m.username, m.role, "
                + "(SELECT role FROM group_members WHERE group_id = $1 AND username = $2) AS viewer_role "
                + "FROM chat_groups g JOIN group_members m ON m.group_id = g.id WHERE g.id = $1 "
                + "ORDER BY CASE m.role WHEN 'owner' THEN 0 WHEN 'admin' THEN 1 ELSE 2 END, m.username")
                .execute(Tuple.of(id, viewer)).map(rows -> {
                    if (rows.size() == 0 || rows.iterator().next().getString("viewer_role") == null) {
                        return null;
                    }
                    List<GroupViews.Member> members = new ArrayList<>();
                    String name = null;
                    String role = null;
                    for (Row r : rows) {
                        name = r.getString("name");
                        role = r.getString("viewer_role");
                        members.add(new GroupViews.Member(r.getString("username"), r.getString("role")));
                    }
                    return new GroupViews.Group(Long.toString(id), name, role, members);
                });
    }

    /** Every member of a group (none for a group that is gone): who a notice of a change to it goes to. */
    public Uni<List<String>> members(long id) {
        return pool.preparedQuery("SELECT username FROM group_members WHERE group_id = $1").execute(Tuple.of(id))
                .map(rows -> {
                    List<String> out = new ArrayList<>(rows.size());
                    for (Row r : rows) {
                        out.add(r.getString("username"));
                    }
                    return out;
                });
    }

    /** The members of a group if {@code user} is one of them, else null: who a typing notice goes to. */
    public Uni<List<String>> membersSeenBy(long id, String user) {
        return pool.preparedQuery("SELECT username, bool_or(username = $2) OVER () AS is_member "
                + "FROM group_members WHERE group_id = $1").execute(Tuple.of(id, user)).map(rows -> {
                    List<String> out = new ArrayList<>();
                    boolean member = false;
                    for (Row r : rows) {
                        member = r.getBoolean("is_member");
                        out.add(r.getString("username"));
                    }
                    return member ? out : null;
                });
    }

    public Uni<List<GroupViews.Summary>> groupsOf(String user) {
        return pool.preparedQuery("""
                SELECT g.id, g.name, me.role,
                       (SELECT count(*) FROM group_members c WHERE c.group_id = g.id) AS members,
                       l.seq, l.client_id, l.sender, l.body, l.ts, l.change,
                       (SELECT count(*) FROM messages u WHERE u.group_id = g.id AND u.seq > me.joined_seq
                           AND u.sender <> $1 AND u.ts > me.read_ts AND u.kind IS NULL) AS unread
                  FROM group_members me JOIN chat_groups g ON g.id = me.group_id
                  LEFT JOIN LATERAL (SELECT m.seq, m.client_id, m.sender, """ + HistoryMessage.BODY + """
                                      AS body, m.ts, c.kind AS change FROM messages m
                                     """ + HistoryMessage.NEWEST_CHANGE + """

                                      WHERE m.group_id = g.id AND m.seq > me.joined_seq AND m.kind IS NULL
                                      ORDER BY m.seq DESC LIMIT 1) l ON true
                 WHERE me.username = $1
                 ORDER BY COALESCE(l.seq, 0) DESC, g.id DESC""").execute(Tuple.of(user)).map(rows -> {
                    List<GroupViews.Summary> out = new ArrayList<>();
                    for (Row r : rows) {
                        String id = Long.toString(r.getLong("id"));
                        HistoryMessage last = r.getLong("seq") == null ? null
                                : HistoryMessage.changed(r.getString("client_id"), r.getLong("seq"),
                                        r.getString("sender"), null, id, r.getString("body"), r.getLong("ts"), false,
                                        r.getString("change"), null);
                        out.add(new GroupViews.Summary(id, r.getString("name"), r.getString("role"),
                                r.getInteger("members"), last, r.getLong("unread")));
                    }
                    return out;
                });
    }

    /** A page of the group's history as {@code user} may see it (from their joining), newest first. */
    public Uni<List<HistoryMessage>> page(long id, String user, long beforeSeq, int limit) {
        return role(pool, id, user).chain(role -> role == null ? Uni.createFrom().failure(GroupException.notFound())
                : pool.preparedQuery("""
                        SELECT m.seq, m.client_id, m.sender, """ + HistoryMessage.BODY + """
                         AS body, m.ts, c.kind AS change,
                               (SELECT count(*) FROM group_inbox i WHERE i.seq = m.seq AND i.acked_at IS NOT NULL) AS delivered_to,
                               (SELECT count(*) FROM group_members s WHERE s.group_id = $1 AND s.read_ts >= m.ts
                                                                      AND s.username <> m.sender
                                                                      AND s.joined_seq < m.seq) AS seen_by
                          FROM group_members me, messages m
                        """ + HistoryMessage.NEWEST_CHANGE + """

                         WHERE m.group_id = $1 AND me.group_id = $1 AND me.username = $2
                           AND m.seq > me.joined_seq AND m.seq < $3 AND m.kind IS NULL
                         ORDER BY m.seq DESC LIMIT $4""").execute(Tuple.of(id, user, beforeSeq, limit)).map(rows -> {
                    List<HistoryMessage> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(HistoryMessage.changed(r.getString("client_id"), r.getLong("seq"), r.getString("sender"),
                                null, Long.toString(id), r.getString("body"), r.getLong("ts"),
                                r.getLong("delivered_to") > 0, r.getString("change"), r.getLong("seen_by").intValue()));
                    }
                    return out;
                }));
    }

    /**
     * Who has read group message {@code seq} (their read mark reached it), among the members who joined before it
     * (a later member's mark passes it too, but they never saw it), but its sender: at most {@code limit}
     * names, in order, and how many in all; null when {@code user} may not see the message (not a member, joined
     * after it, or no such message in the group). Read from the index of read marks, on demand: nothing is pushed
     * when a mark moves.
     */
    public Uni<GroupViews.SeenBy> seenBy(long id, String user, long seq, int limit) {
        return pool.preparedQuery("""
                WITH msg AS (
                  SELECT m.seq, m.ts, m.sender FROM messages m JOIN group_members me ON me.group_id = m.group_id
                   WHERE m.seq = $2 AND m.group_id = $1 AND m.kind IS NULL AND me.username = $3
                     AND m.seq > me.joined_seq
                ), readers AS (
                  SELECT s.username FROM group_members s, msg
                   WHERE s.group_id = $1 AND s.read_ts >= msg.ts AND s.username <> msg.sender
                     AND s.joined_seq < msg.seq
                )
                SELECT (SELECT count(*) FROM msg) AS visible, (SELECT count(*) FROM readers) AS total,
                       ARRAY(SELECT username FROM readers ORDER BY username LIMIT $4) AS names""")
                .execute(Tuple.of(id, seq, user, limit)).map(rows -> {
                    Row r = rows.iterator().next();
                    return r.getLong("visible") == 0 ? null
                            : new GroupViews.SeenBy(r.getLong("total").intValue(),
                                    List.of(r.getArrayOfStrings("names")));
                });
    }

    public Uni<Void> markRead(long id, String user, long ts) {
        return pool.preparedQuery("UPDATE group_members SET read_ts = GREATEST(read_ts, $3) "
                + "WHERE group_id = $1 AND username = $2").execute(Tuple.of(id, user, ts)).invoke(rows -> {
                    if (rows.rowCount() == 0) {
                        throw GroupException.notFound();
                    }
                }).replaceWithVoid();
    }

    public Uni<Void> rename(long id, String actor, String name) {
        return pool.withTransaction(tx -> requireRole(tx, id, actor).chain(role -> {
            if (!role.canManageMembers()) {
                return Uni.createFrom().failure(GroupException.forbidden("only the owner and admins rename a group"));
            }
            return tx.preparedQuery("UPDATE chat_groups SET name = $2 WHERE id = $1").execute(Tuple.of(id, name))
                    .replaceWithVoid();
        }));
    }

    /**
     * Adds {@code username} as a member; they see history from now on. An owner or admin adding someone who was
     * removed lifts the bar on their joining by code. Someone who left on their own is not added back by others
     * (403 {@code left_group}): they come back themselves, by a code, or not at all.
     */
    public Uni<Void> add(long id, String actor, String username) {
        return pool.withTransaction(tx -> requireRole(tx, id, actor).chain(role -> {
            if (!role.canManageMembers()) {
                return Uni.createFrom().failure(GroupException.forbidden("only the owner and admins add members"));
            }
            return leftOnTheirOwn(tx, id, username).chain(left -> left
                    ? Uni.createFrom().failure(GroupException.leftGroup())
                    : size(tx, id).chain(n -> consented(tx, actor, n + 1, List.of(username)))
                            .chain(() -> join(tx, id, username))).chain(() -> tx.preparedQuery(
                    "DELETE FROM group_removed WHERE group_id = $1 AND username = $2").execute(Tuple.of(id, username)))
                    .replaceWithVoid();
        }));
    }

    private Uni<Void> join(SqlClient tx, long id, String username) {
        return existing(tx, List.of(username)).chain(found -> {
            if (found.isEmpty()) {
                return Uni.createFrom().failure(GroupException.unknownUsers(List.of(username)));
            }
            return tx.preparedQuery("INSERT INTO group_members (group_id, username, role, joined_seq) "
                    + "VALUES ($1, $2, 'member', " + JOIN_POINT + ") ON CONFLICT DO NOTHING")
                    .execute(Tuple.of(id, username)).invoke(rows -> {
                        if (rows.rowCount() == 0) {
                            throw GroupException.conflict(username + " is already a member");
                        }
                    }).replaceWithVoid();
        });
    }

    /**
     * Removes {@code username}: the owner removes anyone, an admin removes plain members, anyone removes
     * themselves (leaves). What they had not received yet is dropped: a removed member stops receiving at
     * once. Someone removed by another (not leaving) cannot come back by invite code: the group's code is
     * revoked (they may know it) and they are barred from joining by any later one, until an owner or admin
     * adds them. A leaving owner hands the group to the longest-standing admin, else member; an empty group goes.
     */
    public Uni<Void> remove(long id, String actor, String username) {
        return pool.withTransaction(tx -> requireRole(tx, id, actor).chain(actorRole -> role(tx, id, username)
                .chain(targetRole -> {
                    if (targetRole == null) {
                        return Uni.createFrom().failure(GroupException.notFound());
                    }
                    boolean self = actor.equals(username);
                    boolean allowed = self || actorRole == Role.OWNER
                            || actorRole == Role.ADMIN && targetRole == Role.MEMBER;
                    if (!allowed) {
                        return Uni.createFrom().failure(GroupException.forbidden(
                                "the owner removes anyone, admins remove members, anyone can leave"));
                    }
                    return tx.preparedQuery("DELETE FROM group_members WHERE group_id = $1 AND username = $2")
                            .execute(Tuple.of(id, username))
                            .chain(() -> tx.preparedQuery("DELETE FROM group_inbox WHERE group_id = $1 AND member = $2 "
                                    + "AND acked_at IS NULL").execute(Tuple.of(id, username)))
                            .chain(() -> self ? markLeft(tx, id, username) : bar(tx, id, username, actor))
                            .chain(() -> targetRole == Role.OWNER ? handOver(tx, id) : Uni.createFrom().voidItem());
                })));
    }

    /**
     * Who left on their own is recorded in {@code group_removed} as removed by themselves: it bars others from
     * adding them back, not their joining by code.
     */
    private static Uni<Void> markLeft(SqlClient tx, long id, String username) {
        return tx.preparedQuery("INSERT INTO group_removed (group_id, username, removed_by) VALUES ($1, $2, $2) "
                + "ON CONFLICT (group_id, username) DO UPDATE SET removed_by = $2, removed_at = now()")
                .execute(Tuple.of(id, username)).replaceWithVoid();
    }

    private static Uni<Boolean> leftOnTheirOwn(SqlClient tx, long id, String username) {
        return tx.preparedQuery("SELECT 1 FROM group_removed WHERE group_id = $1 AND username = $2 AND removed_by = $2")
                .execute(Tuple.of(id, username)).map(rows -> rows.size() > 0);
    }

    private static Uni<Void> bar(SqlClient tx, long id, String username, String actor) {
        return tx.preparedQuery("INSERT INTO group_removed (group_id, username, removed_by) VALUES ($1, $2, $3) "
                + "ON CONFLICT (group_id, username) DO UPDATE SET removed_by = $3, removed_at = now()")
                .execute(Tuple.of(id, username, actor))
                .chain(() -> tx.preparedQuery("UPDATE chat_groups SET invite_code = NULL, invite_expires_at = NULL, "
                        + "invite_uses_left = NULL WHERE id = $1").execute(Tuple.of(id)))
                .replaceWithVoid();
    }

    private Uni<Void> handOver(SqlClient tx, long id) {
        return tx.preparedQuery("""
                UPDATE group_members SET role = 'owner' WHERE group_id = $1 AND username = (
                  SELECT username FROM group_members WHERE group_id = $1
                   ORDER BY CASE role WHEN 'admin' THEN 0 ELSE 1 END, joined_at, username LIMIT 1)""")
                .execute(Tuple.of(id)).chain(rows -> rows.rowCount() > 0 ? Uni.createFrom().voidItem()
                        : tx.preparedQuery("DELETE FROM chat_groups WHERE id = $1").execute(Tuple.of(id)).replaceWithVoid());
    }

    /** The owner makes a member an admin or an admin a member. */
    public Uni<Void> setRole(long id, String actor, String username, Role role) {
        return pool.withTransaction(tx -> requireRole(tx, id, actor).chain(actorRole -> {
            if (actorRole != Role.OWNER || role == Role.OWNER || actor.equals(username)) {
                return Uni.createFrom().failure(GroupException.forbidden("only the owner sets roles: admin or member"));
            }
            return tx.preparedQuery("UPDATE group_members SET role = $3 WHERE group_id = $1 AND username = $2")
                    .execute(Tuple.of(id, username, role.wire())).invoke(rows -> {
                        if (rows.rowCount() == 0) {
                            throw GroupException.notFound();
                        }
                    }).replaceWithVoid();
        }));
    }

    /**
     * A new invite code (the old one stops working); whoever has it can join as a member, {@code maxUses} times
     * at most, until {@code lifetime} has passed; never someone removed from the group (see {@link #remove}).
     */
    public Uni<GroupViews.Invite> invite(long id, String actor, Duration lifetime, int maxUses) {
        byte[] bytes = new byte[18];
        random.nextBytes(bytes);
        String code = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        return pool.withTransaction(tx -> requireRole(tx, id, actor).chain(role -> {
            if (!role.canManageMembers()) {
                return Uni.createFrom().failure(GroupException.forbidden("only the owner and admins invite"));
            }
            return tx.preparedQuery("UPDATE chat_groups SET invite_code = $2, invite_uses_left = $3, "
                    + "invite_expires_at = now() + make_interval(secs => $4) WHERE id = $1 "
                    + "RETURNING extract(epoch FROM invite_expires_at)::bigint AS expires_at")
                    .execute(Tuple.of(id, code, maxUses, (double) lifetime.toSeconds()))
                    .map(rows -> new GroupViews.Invite(code, rows.iterator().next().getLong("expires_at"), maxUses));
        }));
    }

    /**
     * Joins the group an invite code names, using up one of its uses; answers its ID. Refused: an unknown or
     * revoked code (404), an expired or used-up one (410), a user removed from the group (403).
     */
    public Uni<Long> join(String user, String code) {
        return pool.withTransaction(tx -> tx.preparedQuery("""
                SELECT id, COALESCE(invite_expires_at > now() AND invite_uses_left > 0, false) AS usable,
                       EXISTS (SELECT 1 FROM group_removed r WHERE r.group_id = g.id AND r.username = $2
                                  AND r.removed_by <> r.username) AS removed
                  FROM chat_groups g WHERE invite_code = $1 FOR UPDATE""")
                .execute(Tuple.of(code, user)).chain(rows -> {
                    if (rows.size() == 0) {
                        return Uni.createFrom().failure(GroupException.notFound());
                    }
                    Row row = rows.iterator().next();
                    long id = row.getLong("id");
                    if (row.getBoolean("removed")) {
                        return Uni.createFrom().failure(GroupException.removedMember());
                    }
                    if (!row.getBoolean("usable")) {
                        return Uni.createFrom().failure(GroupException.inviteExpired());
                    }
                    return join(tx, id, user)
                            .chain(() -> tx.preparedQuery("UPDATE chat_groups SET invite_uses_left = invite_uses_left - 1 "
                                    + "WHERE id = $1").execute(Tuple.of(id)))
                            // Back by their own act: the mark of having left goes.
                            .chain(() -> tx.preparedQuery("DELETE FROM group_removed WHERE group_id = $1 AND username = $2")
                                    .execute(Tuple.of(id, user)))
                            .replaceWith(id);
                }));
    }

    /**
     * Succeeds when a group of {@code size} members may take {@code added} from {@code adder}: a group of up to
     * {@code chat.groups.max-size-without-consent} takes anyone; a larger one only those who have sent the adder a
     * direct message (they chose to talk with them). Fails with 403 {@code not_a_contact} naming the others.
     */
    private Uni<Void> consented(SqlClient tx, String adder, int size, List<String> added) {
        if (size <= maxSizeWithoutConsent || added.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return tx.preparedQuery(CONTACTS).execute(Tuple.of(adder, added.toArray(String[]::new))).map(GroupLog::names)
                .chain(contacts -> {
                    List<String> others = added.stream().filter(u -> !contacts.contains(u)).toList();
                    return others.isEmpty() ? Uni.createFrom().voidItem()
                            : Uni.createFrom().failure(GroupException.notAContact(others, maxSizeWithoutConsent));
                });
    }

    private static Uni<Integer> size(SqlClient tx, long id) {
        return tx.preparedQuery("SELECT count(*) AS n FROM group_members WHERE group_id = $1").execute(Tuple.of(id))
                .map(rows -> rows.iterator().next().getLong("n").intValue());
    }

    private static Uni<Set<String>> existing(SqlClient client, Collection<String> names) {
        return client.preparedQuery("SELECT username FROM account_names WHERE username = ANY($1)")
                .execute(Tuple.of((Object) names.toArray(String[]::new))).map(GroupLog::names);
    }

    private static Set<String> names(RowSet<Row> rows) {
        Set<String> out = new LinkedHashSet<>();
        for (Row r : rows) {
            out.add(r.getString(0));
        }
        return out;
    }

    private static Uni<Role> role(SqlClient client, long id, String user) {
        return client.preparedQuery("SELECT role FROM group_members WHERE group_id = $1 AND username = $2 FOR UPDATE")
                .execute(Tuple.of(id, user))
                .map(rows -> rows.size() == 0 ? null : Role.of(rows.iterator().next().getString("role")));
    }

    private static Uni<Role> requireRole(SqlClient client, long id, String user) {
        return role(client, id, user).onItem().ifNull().failWith(GroupException::notFound);
    }
}

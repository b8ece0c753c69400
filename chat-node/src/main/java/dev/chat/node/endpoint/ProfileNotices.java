package dev.chat.node.endpoint;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Singleton;

import dev.chat.node.config.ChatLog;
import dev.chat.node.history.ConversationIndex;
import dev.chat.node.postgres.PostgresCalls;
import dev.chat.node.protocol.ServerFrames;
import dev.chat.node.sockets.LocalSockets;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Tells this node's sockets, within about two seconds, that someone they share a conversation or a group with
 * changed their display name or avatar: a {@code profile} frame (extension; a v1 client ignores it), so pages show
 * the new name without waiting for their profile cache. Built as {@link SessionRevocations} is: user-service stamps
 * each change in its accounts table (the node sees only the view {@code profile_changes}); every node asks it once a
 * second for the changes since its last look (one indexed query, however many sockets), and writes the frame to
 * those of its own users who have a conversation or a group with the person (one query per change, bounded by the
 * users here), the person's own other devices too. No Redis hop: every node reads the same table, so each tells its
 * own sockets. At most once, to sockets open then; a page that missed it learns the name when its cache refreshes.
 */
@Singleton
class ProfileNotices {
    private static final ChatLog LOG = ChatLog.of(ProfileNotices.class);
    /** Looks back this far before the last answer: a change's time is its transaction's start, not its commit. */
    private static final String SINCE = """
            SELECT username, display_name, avatar_version, changed_at, now() AS asked FROM profile_changes
            WHERE changed_at > COALESCE($1, now()) - interval '5 seconds'""";
    /** Which of these users share a conversation (a message either way) or a group with $1: index lookups each. */
    private static final String CONTACTS = """
            SELECT u FROM unnest($2::text[]) AS u
            WHERE u = $1
               OR EXISTS (SELECT 1 FROM messages m WHERE """ + ConversationIndex.from("m", "$1", "u") + """
            )
               OR EXISTS (SELECT 1 FROM messages m WHERE """ + ConversationIndex.from("m", "u", "$1") + """
            )
               OR EXISTS (SELECT 1 FROM group_members a JOIN group_members b ON b.group_id = a.group_id
                          WHERE a.username = $1 AND b.username = u)""";

    private final Pool pool;
    private final PostgresCalls calls;
    private final LocalSockets sockets;
    private final ServerFrames frames;
    /** Changes already told (username → its change's time), for the look-back window, so each is told once. */
    private final Map<String, OffsetDateTime> told = new HashMap<>();
    private volatile OffsetDateTime lastAsked;
    private volatile boolean warned;

    ProfileNotices(Pool pool, PostgresCalls calls, LocalSockets sockets, ServerFrames frames) {
        this.pool = pool;
        this.calls = calls;
        this.sockets = sockets;
        this.frames = frames;
    }

    /** A changed profile as the view shows it. */
    record Change(String user, String displayName, Integer avatarVersion, OffsetDateTime at) {
        /** The avatar's URL as user-service's user objects write it (its version in it), or null. */
        String avatar() {
            return avatarVersion == null ? null : "/api/users/" + user + "/avatar?v=" + avatarVersion;
        }
    }

    @Scheduled(every = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> tellChanged() {
        if (sockets.total() == 0) {
            lastAsked = null;
            synchronized (told) {
                told.clear();
            }
            return Uni.createFrom().voidItem();
        }
        // Bounded: a look that hangs (database frozen, a failover) must not hold up the next one (SKIP).
        return calls.bounded(pool.preparedQuery(SINCE).execute(Tuple.of(lastAsked))).chain(rows -> {
            List<Change> fresh = new ArrayList<>();
            OffsetDateTime asked = null;
            for (Row row : rows) {
                asked = row.getOffsetDateTime("asked");
                Change c = new Change(row.getString("username"), row.getString("display_name"),
                        row.getInteger("avatar_version"), row.getOffsetDateTime("changed_at"));
                if (firstTime(c)) {
                    fresh.add(c);
                }
            }
            if (asked != null) {
                forgetBefore(asked);
                lastAsked = asked;
            }
            warned = false;
            Uni<Void> all = Uni.createFrom().voidItem();
            for (Change c : fresh) {
                all = all.chain(() -> tell(c));
            }
            return all;
        }).onFailure().invoke(e -> {
            if (!warned) {
                warned = true;
                LOG.info(null, null, "profile changes could not be read: %s", e.toString());
            }
        }).onFailure().recoverWithNull().replaceWithVoid();
    }

    /** True unless this very change was told already (the look-back window shows it again for a few seconds). */
    private boolean firstTime(Change c) {
        synchronized (told) {
            OffsetDateTime before = told.put(c.user(), c.at());
            return before == null || before.isBefore(c.at());
        }
    }

    private void forgetBefore(OffsetDateTime asked) {
        OffsetDateTime horizon = asked.minusSeconds(10);
        synchronized (told) {
            told.values().removeIf(at -> at.isBefore(horizon));
        }
    }

    private Uni<Void> tell(Change c) {
        List<String> here = new ArrayList<>(sockets.users());
        if (here.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        String frame = frames.profile(c.user(), c.displayName(), c.avatar());
        return calls.bounded(pool.preparedQuery(CONTACTS).execute(Tuple.of(c.user(), here.toArray(String[]::new))))
                .invoke(rows -> {
                    int n = 0;
                    for (Row row : rows) {
                        n += sockets.send(row.getString(0), frame);
                    }
                    LOG.debug(c.user(), null, "user=%s profile changed: told %d sockets", c.user(), n);
                }).replaceWithVoid();
    }
}

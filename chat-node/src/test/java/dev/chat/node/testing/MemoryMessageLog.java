package dev.chat.node.testing;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.chat.node.delivery.Message;
import dev.chat.node.delivery.MessageLog;
import dev.chat.node.delivery.MessageLog.Appended.Outcome;
import io.smallrye.mutiny.Uni;

/**
 * {@link MessageLog} in memory, with the guarantees of the interface: the same (from, id) with the same recipient
 * and body is stored once and answered as {@link Outcome#DUPLICATE}, with other content it is refused as
 * {@link Outcome#ID_REUSED}; an ID pending for one of the recipients from another sender is refused as
 * {@link Outcome#ID_IN_USE}; a recipient must exist, a group sender must be a member; a message stays unacked for
 * each recipient until that recipient acks it, and an ack settles that one message only. {@link #failures()} makes calls fail on demand (a
 * database that is away). Every answer is already complete when returned.
 */
public final class MemoryMessageLog implements MessageLog {
    private final Set<String> accounts = new HashSet<>();
    private final Map<Long, List<String>> groups = new LinkedHashMap<>();
    /** By (from, id). */
    private final Map<String, Stored> byKey = new LinkedHashMap<>();
    private final Failures failures = new Failures("message log");
    private long seq;
    /** Appends asked for, by (from, id), answered or not. */
    private final Map<String, Integer> appendCalls = new LinkedHashMap<>();

    private static final class Stored {
        final Message message;
        /** Recipients that have not acked yet. */
        final Set<String> unacked;

        Stored(Message message, Collection<String> recipients) {
            this.message = message;
            this.unacked = new HashSet<>(recipients);
        }
    }

    public Failures failures() {
        return failures;
    }

    public synchronized MemoryMessageLog accounts(String... users) {
        accounts.addAll(List.of(users));
        return this;
    }

    public synchronized MemoryMessageLog group(long id, String... members) {
        groups.put(id, List.of(members));
        return this;
    }

    /** The key of byKey and appendCalls: a message's (from, id). */
    private static String key(String from, String id) {
        return from + "\n" + id;
    }

    /** How many messages are stored. */
    public synchronized int size() {
        return byKey.size();
    }

    /** Whether {@code user} still has message {@code id} from {@code from} unacked. */
    public synchronized boolean unackedBy(String user, String from, String id) {
        Stored s = byKey.get(key(from, id));
        return s != null && s.unacked.contains(user);
    }

    /** How many times an append of (from, id) was asked for (one-to-one or to a group), answered or not. */
    public synchronized int appendCalls(String from, String id) {
        return appendCalls.getOrDefault(key(from, id), 0);
    }

    private synchronized void called(String from, String id) {
        appendCalls.merge(key(from, id), 1, Integer::sum);
    }

    @Override
    public Uni<Appended> append(String from, String id, String to, String body, long ts) {
        called(from, id);
        return failures.orFail(() -> Uni.createFrom().item(store(from, id, to, null, body, ts)));
    }

    @Override
    public Uni<Appended> appendToGroup(String from, String id, long group, String body, long ts) {
        called(from, id);
        return failures.orFail(() -> Uni.createFrom().item(store(from, id, null, group, body, ts)));
    }

    private synchronized Appended store(String from, String id, String to, Long group, String body, long ts) {
        Stored had = byKey.get(key(from, id));
        if (had != null) {
            Message m = had.message;
            boolean same = java.util.Objects.equals(m.to(), to) && java.util.Objects.equals(m.group(), group)
                    && m.body().equals(body);
            return new Appended(same ? Outcome.DUPLICATE : Outcome.ID_REUSED, m, List.of());
        }
        List<String> recipients;
        if (group == null) {
            if (!accounts.contains(to)) {
                return new Appended(Outcome.UNKNOWN_RECIPIENT, null, List.of());
            }
            recipients = List.of(to);
        } else {
            List<String> members = groups.get(group);
            if (members == null || !members.contains(from)) {
                return new Appended(Outcome.NOT_A_MEMBER, null, List.of());
            }
            recipients = members.stream().filter(m -> !m.equals(from)).toList();
        }
        for (Stored s : byKey.values()) {
            if (s.message.id().equals(id) && recipients.stream().anyMatch(s.unacked::contains)) {
                return new Appended(Outcome.ID_IN_USE, null, List.of());
            }
        }
        Message m = new Message(++seq, id, from, to, group, body, ts);
        byKey.put(key(from, id), new Stored(m, recipients));
        return new Appended(Outcome.ACCEPTED, m, recipients);
    }

    @Override
    public Uni<List<Message>> unacked(String user, int limit) {
        return failures.orFail(() -> Uni.createFrom().item(find(List.of(user), Long.MAX_VALUE, limit)));
    }

    @Override
    public Uni<List<Message>> unackedAfter(String user, long afterSeq, int limit) {
        return failures.orFail(() -> Uni.createFrom().item(after(user, afterSeq, limit)));
    }

    private synchronized List<Message> after(String user, long afterSeq, int limit) {
        return find(List.of(user), Long.MAX_VALUE, Integer.MAX_VALUE).stream().filter(m -> m.seq() > afterSeq)
                .limit(limit).toList();
    }

    @Override
    public Uni<List<Message>> unacked(Collection<String> users, long beforeTs, int limit) {
        return failures.orFail(() -> Uni.createFrom().item(inTurns(users, beforeTs, limit)));
    }

    /** As the interface says: every user's k-th oldest before anyone's (k+1)-th, up to {@code limit}; by seq. */
    private synchronized List<Message> inTurns(Collection<String> users, long beforeTs, int limit) {
        List<List<Message>> each = new ArrayList<>();
        for (String u : new java.util.LinkedHashSet<>(users)) {
            each.add(find(List.of(u), beforeTs, limit));
        }
        List<Message> out = new ArrayList<>();
        for (int turn = 0; out.size() < limit && turn < limit; turn++) {
            for (List<Message> owed : each) {
                if (turn < owed.size() && out.size() < limit) {
                    out.add(owed.get(turn));
                }
            }
        }
        out.sort(java.util.Comparator.comparingLong(Message::seq));
        return out;
    }

    private synchronized List<Message> find(Collection<String> users, long beforeTs, int limit) {
        List<Message> out = new ArrayList<>();
        for (Stored s : byKey.values()) {
            Message m = s.message;
            for (String u : users) {
                if (out.size() < limit && s.unacked.contains(u) && m.ts() < beforeTs) {
                    // A group message is delivered to one member at a time: that member is its "to".
                    out.add(m.group() == null ? m : new Message(m.seq(), m.id(), m.from(), u, m.group(), m.body(), m.ts()));
                }
            }
        }
        return out;
    }

    @Override
    public Uni<Acked> ack(String user, String id) {
        return failures.orFail(() -> Uni.createFrom().item(acked(user, id)));
    }

    private synchronized Acked acked(String user, String id) {
        for (Stored s : byKey.values()) {
            if (s.message.id().equals(id) && s.unacked.remove(user)) {
                return new Acked(s.message.from(), s.message.ts(), s.message.group());
            }
        }
        return null;
    }
}

package dev.chat.loadgen.measure;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;

import dev.chat.client.ChatSession.Incoming;

/**
 * Every message of a run, from the senders' and the recipients' side: when it was first sent, first acked,
 * first shown. "Shown" is what a client that drops IDs it has already seen would display; a message is shown
 * twice when it reaches the screen again under another ID (the sender's sequence number gives it away) or
 * twice under one ID. Frames hidden by the ID check are counted as redelivered: the contract allows them.
 * Each message is attributed to a phase (the drill's faults), the one current when it was first sent.
 */
public final class Ledger {
    /** One message. Times are {@link System#nanoTime()}, -1 while it has not happened. */
    public static final class Entry {
        public final String id;
        public final String from;
        public final String to;
        public final long seq;
        public final int phase;
        public final long sentAt;
        volatile long ackedAt = -1;
        volatile long shownAt = -1;

        Entry(String id, String from, String to, long seq, int phase, long sentAt) {
            this.id = id;
            this.from = from;
            this.to = to;
            this.seq = seq;
            this.phase = phase;
            this.sentAt = sentAt;
        }

        public boolean acked() {
            return ackedAt >= 0;
        }

        public boolean shown() {
            return shownAt >= 0;
        }
    }

    /** Figures of a set of messages. {@code lost}: acked but never shown; {@code unacked}: never acked. */
    public record Counts(long sent, long acked, long delivered, long lost, long unacked, long shownTwice,
            long redelivered) {
        public boolean clean() {
            return lost == 0 && unacked == 0 && shownTwice == 0;
        }
    }

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final Map<String, String> shownBySeq = new ConcurrentHashMap<>();
    private final Map<Integer, LongAdder> shownTwice = new ConcurrentHashMap<>();
    private final Map<Integer, LongAdder> redelivered = new ConcurrentHashMap<>();
    private final LongAdder misrouted = new LongAdder();
    private final LongAdder unknown = new LongAdder();
    private final Latency sendToAck = new Latency();
    private final Latency sendToShown = new Latency();

    public Entry sent(String id, String from, String to, long seq, int phase, long at) {
        Entry e = new Entry(id, from, to, seq, phase, at);
        if (entries.putIfAbsent(id, e) != null) {
            throw new IllegalArgumentException("message ID " + id + " used twice");
        }
        return e;
    }

    public void acked(String id, long at) {
        Entry e = entries.get(id);
        if (e != null && e.ackedAt < 0) {
            e.ackedAt = at;
            sendToAck.record(at - e.sentAt);
        }
    }

    /**
     * A msg frame reached {@code recipient}; {@code first} when that client had not seen the ID (only those are
     * shown).
     */
    public void received(String recipient, Incoming m, boolean first, long at) {
        Entry e = entries.get(m.id());
        if (e == null) {
            unknown.increment();
            return;
        }
        if (!e.to.equals(recipient) || !e.from.equals(m.from())) {
            misrouted.increment();
            return;
        }
        if (!first) {
            redelivered.computeIfAbsent(e.phase, k -> new LongAdder()).increment();
            return;
        }
        String prev = shownBySeq.putIfAbsent(e.from + "#" + e.seq, e.id);
        synchronized (e) {
            if (prev != null && !prev.equals(e.id) || e.shownAt >= 0) {
                shownTwice.computeIfAbsent(e.phase, k -> new LongAdder()).increment();
                return;
            }
            e.shownAt = at;
        }
        sendToShown.record(at - e.sentAt);
    }

    public Counts counts(Predicate<Entry> which) {
        long sent = 0;
        long acked = 0;
        long shown = 0;
        long lost = 0;
        long unacked = 0;
        java.util.Set<Integer> phases = new java.util.HashSet<>();
        for (Entry e : entries.values()) {
            if (!which.test(e)) {
                continue;
            }
            phases.add(e.phase);
            sent++;
            if (e.acked()) {
                acked++;
            } else {
                unacked++;
            }
            if (e.shown()) {
                shown++;
            } else if (e.acked()) {
                lost++;
            }
        }
        long twice = 0;
        long again = 0;
        for (int p : phases) {
            twice += shownTwice.getOrDefault(p, new LongAdder()).sum();
            again += redelivered.getOrDefault(p, new LongAdder()).sum();
        }
        return new Counts(sent, acked, shown, lost, unacked, twice, again);
    }

    public Counts phase(int phase) {
        return counts(e -> e.phase == phase);
    }

    public Counts all() {
        return counts(e -> true);
    }

    /** True when every message first sent in the phase (or in any phase, for -1) is acked and shown. */
    public boolean settled(int phase) {
        for (Entry e : entries.values()) {
            if ((phase < 0 || e.phase == phase) && (!e.acked() || !e.shown())) {
                return false;
            }
        }
        return true;
    }

    /** The IDs of every acked message, for a check against the store (every one stored exactly once). */
    public java.util.List<String> ackedIds() {
        return entries.values().stream().filter(Entry::acked).map(e -> e.id).sorted().toList();
    }

    /** Frames for IDs this run never sent, or that reached the wrong user: both break the contract. */
    public long misrouted() {
        return misrouted.sum() + unknown.sum();
    }

    /** Every message so far (a live view: its acks and showings keep coming), for {@link Timeline}. */
    java.util.Collection<Entry> entries() {
        return entries.values();
    }

    public Latency sendToAck() {
        return sendToAck;
    }

    public Latency sendToShown() {
        return sendToShown;
    }
}

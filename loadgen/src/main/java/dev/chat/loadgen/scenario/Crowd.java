package dev.chat.loadgen.scenario;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

import dev.chat.client.ChatSession;
import dev.chat.loadgen.client.Accounts;
import dev.chat.loadgen.client.Endpoint;
import dev.chat.loadgen.measure.AnswerWaits;
import dev.chat.loadgen.measure.ConnectionLog;
import dev.chat.loadgen.measure.Ledger;

/**
 * A set of users, each with an account made through the contract and one resilient session, all feeding one
 * {@link Ledger}, one {@link ConnectionLog} and the crowd's {@link AnswerWaits}.
 */
public final class Crowd implements AutoCloseable {
    public record Member(int index, String name, ChatSession session) {
    }

    private final List<Member> members;
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> others = new ConcurrentHashMap<>();
    private final AnswerWaits answerWaits = new AnswerWaits();
    /** A send that waited longer than this for its first answer is written to the trace, for post-mortems. */
    private static final long SLOW_ANSWER_NANOS = 2_000_000_000L;

    private final ConnectionLog connections;

    private Crowd(List<Member> members, ConnectionLog connections) {
        this.members = members;
        this.connections = connections;
    }

    /**
     * Creates {@code n} accounts named {@code prefix + i} (in parallel, retrying while the system is busy),
     * logs each in and builds its session (not started yet).
     */
    public static Crowd create(Endpoint endpoint, String prefix, int n, ChatSession.Options options,
            ScheduledExecutorService timer, Ledger ledger, ConnectionLog log, Duration patience, PrintStream out) {
        return create(endpoint, prefix, n, options, timer, ledger, log, patience, out, null);
    }

    /** As above; every connection event also goes to {@code trace} (one line each) when it is not null. */
    public static Crowd create(Endpoint endpoint, String prefix, int n, ChatSession.Options options,
            ScheduledExecutorService timer, Ledger ledger, ConnectionLog log, Duration patience, PrintStream out,
            Trace trace) {
        Accounts accounts = new Accounts(endpoint, patience);
        String password = "pw-" + prefix + "-" + Long.toString(System.nanoTime(), 36);
        List<Member> members = new ArrayList<>();
        Crowd crowd = new Crowd(members, log);
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(4, n));
        try {
            List<Future<AtomicReference<String>>> tokens = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String name = prefix + i;
                tokens.add(pool.submit(() -> {
                    accounts.create(name, password);
                    return new AtomicReference<>(accounts.login(name, password).value());
                }));
            }
            ChatSession.Listener listener = crowd.listener(ledger, log, out, trace == null ? Trace.NONE : trace);
            for (int i = 0; i < n; i++) {
                String name = prefix + i;
                AtomicReference<String> token = tokens.get(i).get();
                ChatSession.TokenSource source = fresh -> {
                    if (fresh) {
                        token.set(accounts.login(name, password).value());
                    }
                    return token.get();
                };
                members.add(new Member(i, name, new ChatSession(name, endpoint.sockets(), source, options, timer, listener)));
            }
            return crowd;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating accounts", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("could not create the accounts: " + e.getCause().getMessage(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    private ChatSession.Listener listener(Ledger ledger, ConnectionLog log, PrintStream out, Trace trace) {
        return new ChatSession.Listener() {
            @Override
            public void onConnecting(ChatSession s, long at) {
                trace.event(at, s.user(), "connecting");
            }

            @Override
            public void onConnected(ChatSession s, long at) {
                log.connected(s.user(), at);
                trace.event(at, s.user(), "connected");
            }

            @Override
            public void onDisconnected(ChatSession s, long at, String reason) {
                log.disconnected(s.user(), at, reason);
                trace.event(at, s.user(), "dropped: " + reason);
            }

            @Override
            public void onConnectFailed(ChatSession s, long at, String reason) {
                log.failed(s.user(), at);
                trace.event(at, s.user(), "attempt failed: " + reason);
            }

            @Override
            public void onAck(ChatSession s, String id, long firstSent, long at) {
                ledger.acked(id, at);
            }

            @Override
            public void onMessage(ChatSession s, ChatSession.Incoming m, boolean first, long at) {
                ledger.received(s.user(), m, first, at);
            }

            @Override
            public void onAnswerWait(ChatSession s, String id, long writtenAt, long endedAt, boolean answered) {
                answerWaits.record(writtenAt, endedAt, answered);
                if (endedAt - writtenAt > SLOW_ANSWER_NANOS) {
                    // With the wall-clock time of the write, to find the send in the services' logs by its ID.
                    java.time.Instant written = java.time.Instant.now().minusNanos(System.nanoTime() - writtenAt);
                    trace.event(endedAt, s.user(), String.format(java.util.Locale.ROOT,
                            "send %s written at %s waited %.3f s for its first answer%s", id, written,
                            (endedAt - writtenAt) / 1e9, answered ? "" : " (none: the socket dropped)"));
                }
            }

            @Override
            public void onOtherFrame(ChatSession s, String type) {
                others.computeIfAbsent(type, k -> new LongAdder()).increment();
            }

            @Override
            public void onError(ChatSession s, String id, String code, String message) {
                LongAdder a = errors.computeIfAbsent(code, k -> new LongAdder());
                a.increment();
                if (a.sum() <= 3) {
                    out.println("   (" + s.user() + " got error frame " + code + " for " + id + ": " + message + ")");
                }
            }
        };
    }

    public List<Member> members() {
        return members;
    }

    public int size() {
        return members.size();
    }

    public void start() {
        for (Member m : members) {
            m.session().start();
        }
    }

    public boolean isOpen(String user) {
        for (Member m : members) {
            if (m.name().equals(user)) {
                return m.session().isOpen();
            }
        }
        return false;
    }

    public long openCount() {
        return members.stream().filter(m -> m.session().isOpen()).count();
    }

    /** Waits (bounded) until every session is open; false on timeout. */
    public boolean awaitAllOpen(Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (openCount() < members.size()) {
            if (Instant.now().isAfter(deadline)) {
                return false;
            }
            Sleep.millis(50);
        }
        return true;
    }

    /** When each member's socket opened and dropped (the log the crowd was created with). */
    public ConnectionLog connections() {
        return connections;
    }

    /** The ended waits of every send for its first answer (ack or error frame). */
    public AnswerWaits answerWaits() {
        return answerWaits;
    }

    /** When each send still waiting for its first answer was written, over all members. */
    public long[] openAnswerWaits() {
        return members.stream().flatMapToLong(m -> java.util.Arrays.stream(m.session().openAnswerWaits())).toArray();
    }

    /** Error frames received, by code. */
    public Map<String, Long> errors() {
        Map<String, Long> m = new java.util.TreeMap<>();
        errors.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }

    /** Frames of types v1 does not define (extensions), by type: counted, otherwise ignored. */
    public Map<String, Long> otherFrames() {
        Map<String, Long> m = new java.util.TreeMap<>();
        others.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }

    @Override
    public void close() {
        for (Member m : members) {
            m.session().stop();
        }
    }
}

package dev.chat.loadgen.scenario;

import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import dev.chat.client.Frames;
import dev.chat.loadgen.client.Accounts;
import dev.chat.loadgen.client.Endpoint;

/**
 * The soak's misbehaving share (scripts/soak --misbehaving N): clients that break the protocol's manners on
 * purpose, so the soak can show that they slow only themselves. Client {@code i} is of kind {@code i % 4}:
 * <ul>
 * <li>{@link Kind#NEVER_READS}: opens a socket and never takes a frame from it (no read demand), while it
 * pings five times a second, so the node's replies and the messages the flooders send it queue up;
 * <li>{@link Kind#NEVER_ACKS}: reads everything, acks nothing (every message stays owed to it);
 * <li>{@link Kind#FLOODS}: sends messages to the first two kinds at {@code floodRate} frames a second, past
 * the per-socket limit, ignoring the {@code rate_limited} refusals;
 * <li>{@link Kind#RECONNECTS}: opens a socket and closes it again, in a loop.
 * </ul>
 * Each client runs on a thread of its own and reconnects after its socket is closed or stalls (a write not
 * done within 5 s), until {@link #close()}; every wait is bounded. Their accounts are named
 * {@code prefix + "bad" + i} ({@link #MARKER}), so the sampler can leave their sockets out of the live set, and
 * none of their messages is in the well-behaved clients' ledger.
 */
final class Misbehavers implements AutoCloseable {
    /** In every misbehaving account's name, and in no other: the sampler filters the presence map by it. */
    static final String MARKER = "bad";

    enum Kind {
        NEVER_READS, NEVER_ACKS, FLOODS, RECONNECTS;

        String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private record Client(String name, Kind kind, String token) {
    }

    private final Endpoint endpoint;
    private final String runId;
    private final int floodRate;
    private final Duration connectTimeout;
    private final List<Client> clients = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean stopping;

    private final Map<Kind, AtomicLong> connects = new ConcurrentHashMap<>();
    private final Map<Kind, AtomicLong> framesSent = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> closes = new ConcurrentHashMap<>();
    private final AtomicLong refusals = new AtomicLong();
    private final AtomicInteger open = new AtomicInteger();

    private Misbehavers(Endpoint endpoint, String runId, int floodRate, Duration connectTimeout) {
        this.endpoint = endpoint;
        this.runId = runId;
        this.floodRate = floodRate;
        this.connectTimeout = connectTimeout;
    }

    /** Creates {@code n} accounts (one per client) and logs them in; nothing connects before {@link #start()}. */
    static Misbehavers create(Endpoint endpoint, Accounts accounts, String prefix, String runId, int n, int floodRate,
            Duration connectTimeout) {
        Misbehavers m = new Misbehavers(endpoint, runId, floodRate, connectTimeout);
        String password = "pw-bad-" + Long.toString(System.nanoTime(), 36);
        for (int i = 0; i < n; i++) {
            String name = prefix + MARKER + i;
            accounts.create(name, password);
            m.clients.add(new Client(name, Kind.values()[i % Kind.values().length], accounts.login(name, password).value()));
        }
        return m;
    }

    void start() {
        List<String> targets = clients.stream()
                .filter(c -> c.kind() == Kind.NEVER_READS || c.kind() == Kind.NEVER_ACKS).map(Client::name).toList();
        for (Client c : clients) {
            Thread t = new Thread(() -> run(c, targets), "misbehaving-" + c.name());
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    /** Sockets the misbehaving clients believe open right now (a client that never reads may not know it was cut off). */
    int openCount() {
        return open.get();
    }

    /** One line: connects and frames per kind, refusals, and how the system closed their sockets. */
    String summary() {
        StringBuilder b = new StringBuilder();
        for (Kind k : Kind.values()) {
            long n = clients.stream().filter(c -> c.kind() == k).count();
            if (n == 0) {
                continue;
            }
            b.append(String.format(Locale.ROOT, "%s%s x%d: %d connects, %d frames", b.length() == 0 ? "" : "; ", k.label(),
                    n, count(connects, k), count(framesSent, k)));
        }
        b.append("; rate_limited refusals ").append(refusals.get()).append("; closed by the server ")
                .append(new TreeMap<>(Map.copyOf(closes)));
        return b.toString();
    }

    private static long count(Map<Kind, AtomicLong> m, Kind k) {
        AtomicLong v = m.get(k);
        return v == null ? 0 : v.get();
    }

    private void run(Client c, List<String> targets) {
        long seq = 0;
        while (!stopping) {
            WebSocket ws = null;
            CompletableFuture<Void> closed = new CompletableFuture<>();
            try {
                ws = endpoint.http().newWebSocketBuilder().connectTimeout(connectTimeout)
                        .header("Authorization", "Bearer " + c.token())
                        .buildAsync(endpoint.socket(), new Listener(c.kind(), closed))
                        .get(connectTimeout.toMillis() + 2000, TimeUnit.MILLISECONDS);
                connects.computeIfAbsent(c.kind(), k -> new AtomicLong()).incrementAndGet();
                open.incrementAndGet();
                try {
                    seq = behave(c, ws, closed, targets, seq);
                } finally {
                    open.decrementAndGet();
                }
            } catch (Exception e) {
                pause(500); // refused, timed out or cut off: try again shortly, as a real bad client would
            } finally {
                if (ws != null) {
                    ws.abort();
                }
            }
        }
    }

    /** Misbehaves on one open socket until it closes, stalls or the soak stops; returns the next message number. */
    private long behave(Client c, WebSocket ws, CompletableFuture<Void> closed, List<String> targets, long seq)
            throws Exception {
        switch (c.kind()) {
            case RECONNECTS -> {
                ws.sendClose(WebSocket.NORMAL_CLOSURE, "again").get(5, TimeUnit.SECONDS);
                pause(50);
                return seq;
            }
            case NEVER_ACKS -> {
                // Reads (the listener takes every frame) and acks nothing; holds the socket until it is closed.
                while (!stopping && !closed.isDone()) {
                    pause(200);
                }
                return seq;
            }
            case NEVER_READS -> {
                while (!stopping && !closed.isDone()) {
                    ws.sendText("{\"type\":\"ping\",\"id\":\"" + runId + ".p." + c.name() + "." + (seq++) + "\"}", true)
                            .get(5, TimeUnit.SECONDS);
                    framesSent.computeIfAbsent(c.kind(), k -> new AtomicLong()).incrementAndGet();
                    pause(200);
                }
                return seq;
            }
            case FLOODS -> {
                long periodNanos = 1_000_000_000L / Math.max(1, floodRate);
                long next = System.nanoTime();
                int t = 0;
                while (!stopping && !closed.isDone()) {
                    String to = targets.isEmpty() ? c.name() : targets.get(t++ % targets.size());
                    String id = runId + ".f." + c.name() + "." + (seq++);
                    ws.sendText(Frames.send(id, to, "flood #" + seq), true).get(5, TimeUnit.SECONDS);
                    framesSent.computeIfAbsent(c.kind(), k -> new AtomicLong()).incrementAndGet();
                    next += periodNanos;
                    long wait = (next - System.nanoTime()) / 1_000_000;
                    if (wait > 0) {
                        pause(wait);
                    }
                }
                return seq;
            }
            default -> throw new IllegalStateException("unknown kind " + c.kind());
        }
    }

    private final class Listener implements WebSocket.Listener {
        private final Kind kind;
        private final CompletableFuture<Void> closed;
        private final StringBuilder partial = new StringBuilder();

        Listener(Kind kind, CompletableFuture<Void> closed) {
            this.kind = kind;
            this.closed = closed;
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            if (kind != Kind.NEVER_READS) {
                webSocket.request(1);
            }
            // NEVER_READS: no demand, ever; the client takes nothing the node writes to it.
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                if (partial.indexOf("\"rate_limited\"") >= 0) {
                    refusals.incrementAndGet();
                }
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            if (kind != Kind.RECONNECTS || statusCode != WebSocket.NORMAL_CLOSURE) {
                closes.computeIfAbsent(kind.label() + " " + statusCode, k -> new AtomicLong()).incrementAndGet();
            }
            closed.complete(null);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.complete(null);
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops every client and waits (bounded) for their threads. */
    @Override
    public void close() {
        stopping = true;
        for (Thread t : threads) {
            t.interrupt();
        }
        for (Thread t : threads) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}

package dev.chat.client;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;

/**
 * One user's socket, kept open the way a well-behaved client of the contract keeps it:
 * <ul>
 * <li>reconnects after any loss, with {@link Backoff} (at once after 1012 "service restart" or 1001);
 * <li>notices a dead path even when idle: it pings every {@code pingInterval} and gives the socket up when
 * nothing (frame or pong) came back for {@code silenceTimeout} (a moved virtual IP or a vanished proxy sends
 * nothing at all);
 * <li>keeps every send until its ack, writes it again on every new socket (same ID) and after
 * {@code resendAfter} without an ack (each further time after twice as long, up to 8 times {@code resendAfter}),
 * or soon after an {@code unavailable} error (half a second, doubled by each further {@code unavailable} up to 8 s;
 * after {@code retryAfterMs} for a {@code rate_limited} one): see {@link Frames#retryAfterMillis(Frame, int)};
 * <li>acks every {@code msg} and reports whether its ID is new to this session (the dedup a client does to show
 * each message once);
 * <li>reports how long each send waited for its first answer (ack or error frame) from its first unanswered
 * write, or until its socket dropped;
 * <li>asks its {@link TokenSource} for a fresh token after the upgrade was refused with 401.
 * </ul>
 * The sockets come from a {@link Connector} (one event loop for many sessions). Callbacks run on that event loop
 * and on the shared timer; listeners must be quick.
 */
public final class ChatSession {

    /** Timings of the session. */
    public record Options(java.time.Duration connectTimeout, java.time.Duration pingInterval,
            java.time.Duration silenceTimeout, java.time.Duration backoffMin, java.time.Duration backoffMax,
            java.time.Duration resendAfter) {
        public static Options defaults() {
            return new Options(java.time.Duration.ofSeconds(5), java.time.Duration.ofSeconds(1),
                    java.time.Duration.ofSeconds(3), java.time.Duration.ofMillis(100), java.time.Duration.ofSeconds(2),
                    java.time.Duration.ofSeconds(6));
        }

        Backoff backoff() {
            return new Backoff(backoffMin.toMillis(), backoffMax.toMillis());
        }
    }

    /** A {@code msg} frame. */
    public record Incoming(String id, String from, String to, String body, long ts) {
    }

    /** Where tokens come from: {@code fresh} after the server refused the last one (401). */
    @FunctionalInterface
    public interface TokenSource {
        String token(boolean fresh);
    }

    /** What the session reports; times are {@link System#nanoTime()}. */
    public interface Listener {
        /** A connection attempt starts (TCP, TLS, upgrade). */
        default void onConnecting(ChatSession s, long at) {
        }

        default void onConnected(ChatSession s, long at) {
        }

        default void onDisconnected(ChatSession s, long at, String reason) {
        }

        default void onConnectFailed(ChatSession s, long at, String reason) {
        }

        /** The first ack of a send; {@code firstSent} is when it was handed to {@link #send}. */
        default void onAck(ChatSession s, String id, long firstSent, long at) {
        }

        /** A msg frame, already acked; {@code first} when this session had not seen its ID before. */
        default void onMessage(ChatSession s, Incoming m, boolean first, long at) {
        }

        default void onError(ChatSession s, String id, String code, String message) {
        }

        /**
         * A send's wait for its first answer ended: from its first unanswered write ({@code writtenAt}) to the ack
         * or error frame that answered it ({@code answered}), or to the drop of its socket (not {@code answered}).
         */
        default void onAnswerWait(ChatSession s, String id, long writtenAt, long endedAt, boolean answered) {
        }

        /** A frame of a type v1 does not define (an extension, e.g. a receipt): ignored, as v1 clients do. */
        default void onOtherFrame(ChatSession s, String type) {
        }
    }

    private static final class Pending {
        final String id;
        final String frame;
        final long firstSent;
        volatile long lastWritten;
        /**
         * How long after {@link #lastWritten} it is written again: {@code resendAfter}, doubled by each write again
         * without an answer (up to 8 times it), or an error's retry wait. Guarded by the session's lock.
         */
        long waitNanos;
        /**
         * Writes again by the timer so far (counted up to {@link Frames#RESEND_DOUBLINGS}), and
         * {@code unavailable} answers so far (see {@link Frames#retryAfterMillis(Frame, int)}). Guarded by the
         * session's lock.
         */
        int unanswered;
        int unavailable;
        /** The first write not answered yet, -1 when none is waiting. Guarded by the session's lock. */
        long awaitingSince = -1;

        Pending(String id, String frame, long firstSent, long waitNanos) {
            this.id = id;
            this.frame = frame;
            this.firstSent = firstSent;
            this.lastWritten = firstSent;
            this.waitNanos = waitNanos;
        }
    }

    /** One socket of the session: the generation it belongs to, and when it last heard anything. */
    private static final class Conn {
        final int gen;
        final WebSocket ws;
        volatile long lastHeard = System.nanoTime();

        Conn(int gen, WebSocket ws) {
            this.gen = gen;
            this.ws = ws;
        }
    }

    private final String user;
    private final Connector connector;
    private final TokenSource tokens;
    private final Options options;
    private final Backoff backoff;
    private final ScheduledExecutorService timer;
    private final Listener listener;

    private final Object lock = new Object();
    /** Unacked sends, oldest first. Guarded by lock. */
    private final LinkedHashMap<String, Pending> pending = new LinkedHashMap<>();
    private final Set<String> seen = ConcurrentHashMap.newKeySet();
    private Conn current;
    private int generation;
    private boolean connecting;
    private boolean stopped;
    private boolean freshToken;
    private int failures;
    private long connects;
    private ScheduledFuture<?> heartbeat;

    public ChatSession(String user, Connector connector, TokenSource tokens, Options options,
            ScheduledExecutorService timer, Listener listener) {
        this.user = user;
        this.connector = connector;
        this.tokens = tokens;
        this.options = options;
        this.backoff = options.backoff();
        this.timer = timer;
        this.listener = listener;
    }

    public String user() {
        return user;
    }

    /** Opens the socket (and keeps reopening it) until {@link #stop()}. */
    public void start() {
        long period = options.pingInterval().toMillis();
        synchronized (lock) {
            if (heartbeat != null) {
                return;
            }
            heartbeat = timer.scheduleAtFixedRate(this::tick, ThreadLocalRandom.current().nextLong(period), period,
                    TimeUnit.MILLISECONDS);
        }
        connect();
    }

    /** Sends a message: kept and retried with the same ID until acked. */
    public void send(String id, String to, String body) {
        sendFrame(id, Frames.send(id, to, body));
    }

    /**
     * Sends a frame the server acks by {@code id} (a {@code send} with fields of a project extension, e.g. to a
     * group): kept and written again, unchanged, until acked. Refuses an ID already pending.
     */
    public void sendFrame(String id, String frame) {
        Pending p = new Pending(id, frame, System.nanoTime(), options.resendAfter().toNanos());
        Conn c;
        synchronized (lock) {
            if (pending.putIfAbsent(id, p) != null) {
                throw new IllegalArgumentException("message " + id + " is already pending");
            }
            c = current;
        }
        if (c != null) {
            writePending(c, p);
        }
    }

    public boolean isOpen() {
        synchronized (lock) {
            return current != null;
        }
    }

    /** When each send still waiting for its first answer was written (see {@link Listener#onAnswerWait}). */
    public long[] openAnswerWaits() {
        synchronized (lock) {
            return pending.values().stream().mapToLong(p -> p.awaitingSince).filter(t -> t >= 0).toArray();
        }
    }

    public int pendingCount() {
        synchronized (lock) {
            return pending.size();
        }
    }

    /** Successful upgrades so far. */
    public long connects() {
        synchronized (lock) {
            return connects;
        }
    }

    /** Closes the socket (1000) and stops reconnecting; pending sends stay unacked. */
    public void stop() {
        Conn c;
        synchronized (lock) {
            stopped = true;
            if (heartbeat != null) {
                heartbeat.cancel(false);
            }
            c = current;
            current = null;
        }
        if (c != null) {
            c.ws.close((short) 1000, "bye");
        }
    }

    // ------------------------------------------------------------------ connecting

    private void connect() {
        final int gen;
        final boolean fresh;
        synchronized (lock) {
            if (stopped || current != null || connecting) {
                return;
            }
            connecting = true;
            gen = ++generation;
            fresh = freshToken;
            freshToken = false;
        }
        listener.onConnecting(this, System.nanoTime());
        // The upgrade as a whole (TCP, TLS, HTTP) is bounded; a socket that opens after the bound is closed.
        ScheduledFuture<?> bound = timer.schedule(() -> failed(gen, "no upgrade within "
                + options.connectTimeout().toMillis() + " ms", -1), options.connectTimeout().toMillis() + 2000,
                TimeUnit.MILLISECONDS);
        try {
            String token = tokens.token(fresh);
            connector.open(token, Map.of()).onComplete(ar -> {
                bound.cancel(false);
                if (ar.succeeded()) {
                    opened(gen, ar.result());
                } else {
                    Throwable e = ar.cause();
                    failed(gen, describe(e), e instanceof UpgradeRejectedException r ? r.getStatus() : -1);
                }
            });
        } catch (RuntimeException e) {
            bound.cancel(false);
            failed(gen, describe(e), -1);
        }
    }

    private void failed(int gen, String reason, int status) {
        long delay;
        synchronized (lock) {
            if (gen != generation || !connecting) {
                return;
            }
            connecting = false;
            failures++;
            if (status == 401) {
                freshToken = true;
            }
            delay = backoff.delayMillis(failures);
        }
        listener.onConnectFailed(this, System.nanoTime(), reason);
        reconnectIn(delay);
    }

    private void opened(int gen, WebSocket ws) {
        Conn conn = new Conn(gen, ws);
        synchronized (lock) {
            if (stopped || gen != generation || !connecting) {
                ws.close();
                return;
            }
            connecting = false;
            current = conn;
            failures = 0;
            connects++;
        }
        ws.textMessageHandler(text -> {
            conn.lastHeard = System.nanoTime();
            handle(conn, text);
        });
        ws.binaryMessageHandler(b -> conn.lastHeard = System.nanoTime());
        ws.pongHandler(b -> conn.lastHeard = System.nanoTime());
        ws.exceptionHandler(e -> lost(conn, describe(e), false));
        ws.closeHandler(v -> {
            Short code = ws.closeStatusCode();
            String why = ws.closeReason();
            lost(conn, "closed " + (code == null ? "?" : code) + (why == null || why.isEmpty() ? "" : " (" + why + ")"),
                    code != null && Backoff.immediate(code));
        });
        listener.onConnected(this, System.nanoTime());
        List<Pending> again;
        synchronized (lock) {
            again = new ArrayList<>(pending.values());
            // A new socket, maybe to another node: the waits start over (what was slow was the old path).
            for (Pending p : again) {
                p.unanswered = 0;
                p.unavailable = 0;
                p.waitNanos = options.resendAfter().toNanos();
            }
        }
        for (Pending p : again) {
            writePending(conn, p);
        }
    }

    private void lost(Conn conn, String reason, boolean restart) {
        long now = System.nanoTime();
        List<Pending> waiting = new ArrayList<>();
        List<Long> since = new ArrayList<>();
        synchronized (lock) {
            if (current != conn) {
                return;
            }
            current = null;
            // Writes on this socket will never be answered: their waits end here, unanswered.
            for (Pending p : pending.values()) {
                if (p.awaitingSince >= 0) {
                    waiting.add(p);
                    since.add(p.awaitingSince);
                    p.awaitingSince = -1;
                }
            }
        }
        for (int i = 0; i < waiting.size(); i++) {
            listener.onAnswerWait(this, waiting.get(i).id, since.get(i), now, false);
        }
        if (!conn.ws.isClosed()) {
            // A silent path answers no close frame: the connector's closing timeout then drops the TCP connection.
            conn.ws.close();
        }
        listener.onDisconnected(this, System.nanoTime(), reason);
        // A node that restarts (1012) asks for an immediate reconnect; otherwise a little jitter first.
        reconnectIn(restart ? 0 : backoff.delayMillis(1) / 2);
    }

    private void reconnectIn(long millis) {
        synchronized (lock) {
            if (stopped) {
                return;
            }
        }
        if (millis <= 0) {
            timer.execute(this::connect);
        } else {
            timer.schedule(this::connect, millis, TimeUnit.MILLISECONDS);
        }
    }

    // ------------------------------------------------------------------ heartbeat and retries

    private void tick() {
        try {
            Conn c;
            synchronized (lock) {
                c = current;
            }
            if (c == null) {
                return;
            }
            long now = System.nanoTime();
            if (now - c.lastHeard > options.silenceTimeout().toNanos()) {
                lost(c, "silent for " + (now - c.lastHeard) / 1_000_000 + " ms", false);
                return;
            }
            c.ws.writePing(Buffer.buffer("hb"));
            List<Pending> overdue = new ArrayList<>();
            synchronized (lock) {
                for (Pending p : pending.values()) {
                    if (now - p.lastWritten > p.waitNanos) {
                        overdue.add(p);
                        // No answer since: the next write again waits twice as long.
                        p.unanswered = Math.min(p.unanswered + 1, Frames.RESEND_DOUBLINGS);
                        p.waitNanos = Frames.resendWaitNanos(options.resendAfter().toNanos(), p.unanswered);
                    }
                }
            }
            for (Pending p : overdue) {
                writePending(c, p);
            }
        } catch (RuntimeException e) {
            // never let the timer task die
        }
    }

    private void writePending(Conn c, Pending p) {
        long now = System.nanoTime();
        p.lastWritten = now;
        synchronized (lock) {
            if (p.awaitingSince < 0) {
                p.awaitingSince = now;
            }
        }
        write(c, p.frame);
    }

    private void write(Conn c, String text) {
        c.ws.writeTextMessage(text).onFailure(e -> lost(c, "send failed: " + describe(e), false));
    }

    // ------------------------------------------------------------------ incoming

    private void handle(Conn c, String text) {
        long now = System.nanoTime();
        Frame f = Frames.read(text);
        if (!f.readable()) {
            listener.onError(this, null, "client_bad_json", text);
            return;
        }
        String id = f.id();
        switch (f.type()) {
            case "ack" -> {
                Pending p;
                long since = -1;
                synchronized (lock) {
                    p = id == null ? null : pending.remove(id);
                    if (p != null) {
                        since = p.awaitingSince;
                        p.awaitingSince = -1;
                    }
                }
                if (p != null) {
                    if (since >= 0) {
                        listener.onAnswerWait(this, id, since, now, true);
                    }
                    listener.onAck(this, id, p.firstSent, now);
                }
            }
            case "msg" -> {
                if (id == null) {
                    listener.onError(this, null, "client_bad_msg", text);
                    return;
                }
                write(c, Frames.ack(id));
                boolean first = seen.add(id);
                listener.onMessage(this, new Incoming(id, f.from(), f.to(), f.body(), f.ts()), first, now);
            }
            case "error" -> {
                long since = -1;
                if (id != null) {
                    synchronized (lock) {
                        Pending p = pending.get(id);
                        if (p != null) {
                            since = p.awaitingSince;
                            p.awaitingSince = -1;
                        }
                    }
                }
                if (since >= 0) {
                    listener.onAnswerWait(this, id, since, now, true);
                }
                listener.onError(this, id, f.code(), f.message());
                // Not accepted: try again later with the same ID when the error says so.
                if (id != null) {
                    synchronized (lock) {
                        Pending p = pending.get(id);
                        long retryMs = Frames.retryAfterMillis(f, p == null ? 0 : p.unavailable);
                        if (p != null && retryMs >= 0) {
                            // rewritten by the first tick after retryMs
                            p.lastWritten = now;
                            p.waitNanos = retryMs * 1_000_000L;
                            if ("unavailable".equals(f.code())) {
                                p.unavailable++;
                            }
                        }
                    }
                }
            }
            default -> listener.onOtherFrame(this, f.type());
        }
    }

    // ------------------------------------------------------------------ helpers

    /** A short reason for a failure: the upgrade's HTTP status, or the exception's class and message. */
    public static String describe(Throwable e) {
        Throwable t = e;
        while ((t instanceof java.util.concurrent.CompletionException
                || t instanceof java.util.concurrent.ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof UpgradeRejectedException r) {
            return "upgrade refused with " + r.getStatus();
        }
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    @Override
    public String toString() {
        return "ChatSession[" + user + (isOpen() ? ", open" : ", closed") + ", pending " + pendingCount() + "]";
    }
}

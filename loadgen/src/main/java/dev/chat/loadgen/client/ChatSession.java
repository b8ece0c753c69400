package dev.chat.loadgen.client;

import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * One user's socket, kept open the way a well-behaved client of the contract keeps it:
 * <ul>
 * <li>reconnects after any loss, with exponential backoff and jitter (at once after a 1012 "service restart");
 * <li>notices a dead path even when idle: it pings every {@code pingInterval} and gives the socket up when
 * nothing (frame or pong) came back for {@code silenceTimeout} (a moved virtual IP or a vanished proxy sends
 * nothing at all);
 * <li>keeps every send until its ack, writes it again on every new socket (same ID) and after
 * {@code resendAfter} without an ack, or soon after an {@code unavailable} error (after
 * {@code retryAfterMs} for a {@code rate_limited} one);
 * <li>acks every {@code msg} and reports whether its ID is new to this session (the dedup a client does to show
 * each message once).
 * <li>reports how long each send waited for its first answer (ack or error frame) from its first unanswered
 * write, or until its socket dropped.
 * </ul>
 * The JDK socket takes one outstanding send at a time: every write of a connection chains after the previous
 * one. Callbacks run on the HTTP client's threads and on the shared timer; listeners must be quick.
 */
public final class ChatSession {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Timings of the session. */
    public record Options(Duration connectTimeout, Duration pingInterval, Duration silenceTimeout, Duration backoffMin,
            Duration backoffMax, Duration resendAfter) {
        public static Options defaults() {
            return new Options(Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(3),
                    Duration.ofMillis(100), Duration.ofSeconds(2), Duration.ofSeconds(6));
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
        /** The first write not answered yet, -1 when none is waiting. Guarded by the session's lock. */
        long awaitingSince = -1;

        Pending(String id, String frame, long firstSent) {
            this.id = id;
            this.frame = frame;
            this.firstSent = firstSent;
            this.lastWritten = firstSent;
        }
    }

    private final String user;
    private final Endpoint endpoint;
    private final TokenSource tokens;
    private final Options options;
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

    public ChatSession(String user, Endpoint endpoint, TokenSource tokens, Options options,
            ScheduledExecutorService timer, Listener listener) {
        this.user = user;
        this.endpoint = endpoint;
        this.tokens = tokens;
        this.options = options;
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
        Pending p = new Pending(id, Frames.send(id, to, body), System.nanoTime());
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
        if (c != null && c.ws != null) {
            WebSocket ws = c.ws;
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").orTimeout(2, TimeUnit.SECONDS)
                    .whenComplete((r, e) -> ws.abort());
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
        Conn conn = new Conn(gen);
        listener.onConnecting(this, System.nanoTime());
        try {
            String token = tokens.token(fresh);
            endpoint.http().newWebSocketBuilder().connectTimeout(options.connectTimeout())
                    .header("Authorization", "Bearer " + token)
                    .buildAsync(endpoint.socket(), conn)
                    .orTimeout(options.connectTimeout().toMillis() + 2000, TimeUnit.MILLISECONDS)
                    .whenComplete((ws, e) -> {
                        if (e != null) {
                            failed(gen, e);
                        }
                    });
        } catch (RuntimeException e) {
            failed(gen, e);
        }
    }

    private void failed(int gen, Throwable e) {
        long delay;
        String reason = describe(e);
        synchronized (lock) {
            if (gen != generation || !connecting) {
                return;
            }
            connecting = false;
            failures++;
            if (status(e) == 401) {
                freshToken = true;
            }
            delay = backoff(failures);
        }
        listener.onConnectFailed(this, System.nanoTime(), reason);
        reconnectIn(delay);
    }

    private void opened(Conn conn) {
        synchronized (lock) {
            if (stopped || conn.gen != generation || !connecting) {
                conn.ws.abort();
                return;
            }
            connecting = false;
            current = conn;
            failures = 0;
            connects++;
        }
        listener.onConnected(this, System.nanoTime());
        List<Pending> again;
        synchronized (lock) {
            again = new ArrayList<>(pending.values());
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
        if (conn.ws != null) {
            conn.ws.abort();
        }
        listener.onDisconnected(this, System.nanoTime(), reason);
        // A node that restarts (1012) asks for an immediate reconnect; otherwise a little jitter first.
        reconnectIn(restart ? 0 : backoff(1) / 2);
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

    /** Full jitter over [d/2, d], d doubling from backoffMin up to backoffMax. */
    long backoff(int attempt) {
        long min = options.backoffMin().toMillis();
        long max = options.backoffMax().toMillis();
        long d = min << Math.min(Math.max(attempt - 1, 0), 20);
        d = Math.min(Math.max(d, 1), max);
        return d / 2 + ThreadLocalRandom.current().nextLong(d / 2 + 1);
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
            write(c, ws -> ws.sendPing(ByteBuffer.wrap("hb".getBytes(StandardCharsets.US_ASCII))));
            List<Pending> overdue = new ArrayList<>();
            long limit = options.resendAfter().toNanos();
            synchronized (lock) {
                for (Pending p : pending.values()) {
                    if (now - p.lastWritten > limit) {
                        overdue.add(p);
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
        write(c, ws -> ws.sendText(p.frame, true));
    }

    private void write(Conn c, Function<WebSocket, CompletableFuture<WebSocket>> op) {
        synchronized (c) {
            CompletableFuture<WebSocket> next = c.tail.handle((r, e) -> null).thenCompose(x -> op.apply(c.ws));
            c.tail = next;
            next.whenComplete((r, e) -> {
                if (e != null) {
                    lost(c, "send failed: " + describe(e), false);
                }
            });
        }
    }

    // ------------------------------------------------------------------ incoming

    private void handle(Conn c, String text) {
        long now = System.nanoTime();
        JsonNode f;
        try {
            f = JSON.readTree(text);
        } catch (Exception e) {
            listener.onError(this, null, "client_bad_json", text);
            return;
        }
        String id = f.path("id").isTextual() ? f.path("id").asText() : null;
        switch (f.path("type").asText()) {
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
                write(c, ws -> ws.sendText(Frames.ack(id), true));
                boolean first = seen.add(id);
                listener.onMessage(this, new Incoming(id, f.path("from").asText(), f.path("to").asText(),
                        f.path("body").asText(), f.path("ts").asLong()), first, now);
            }
            case "error" -> {
                String code = f.path("code").asText();
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
                listener.onError(this, id, code, f.path("message").asText());
                // Not accepted, try again later with the same ID: after half a second when the store was
                // unavailable, after retryAfterMs when the sender was too fast (a project extension).
                long retryMs = "unavailable".equals(code) ? 500
                        : "rate_limited".equals(code) ? Math.max(50, f.path("retryAfterMs").asLong(1000)) : -1;
                if (retryMs >= 0 && id != null) {
                    synchronized (lock) {
                        Pending p = pending.get(id);
                        if (p != null) {
                            // rewritten by the first tick after retryMs
                            p.lastWritten = now - options.resendAfter().toNanos() + retryMs * 1_000_000L;
                        }
                    }
                }
            }
            default -> listener.onOtherFrame(this, f.path("type").asText());
        }
    }

    private final class Conn implements WebSocket.Listener {
        final int gen;
        volatile WebSocket ws;
        volatile long lastHeard = System.nanoTime();
        CompletableFuture<WebSocket> tail = CompletableFuture.completedFuture(null);
        private final StringBuilder partial = new StringBuilder();

        Conn(int gen) {
            this.gen = gen;
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            ws = webSocket;
            lastHeard = System.nanoTime();
            opened(this);
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            lastHeard = System.nanoTime();
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                handle(this, text);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            lastHeard = System.nanoTime();
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
            lastHeard = System.nanoTime();
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
            lastHeard = System.nanoTime();
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            lost(this, "closed " + statusCode + (reason == null || reason.isEmpty() ? "" : " (" + reason + ")"),
                    statusCode == 1012 || statusCode == 1001);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            lost(this, describe(error), false);
        }
    }

    // ------------------------------------------------------------------ helpers

    private static Throwable root(Throwable e) {
        Throwable t = e;
        while ((t instanceof java.util.concurrent.CompletionException
                || t instanceof java.util.concurrent.ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static int status(Throwable e) {
        return root(e) instanceof WebSocketHandshakeException h ? h.getResponse().statusCode() : -1;
    }

    static String describe(Throwable e) {
        Throwable t = root(e);
        if (t instanceof WebSocketHandshakeException h) {
            return "upgrade refused with " + h.getResponse().statusCode();
        }
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    @Override
    public String toString() {
        return "ChatSession[" + user + (isOpen() ? ", open" : ", closed") + ", pending " + pendingCount() + "]";
    }
}

package dev.chat.loadgen.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.chat.client.Backoff;
import dev.chat.client.Frame;
import dev.chat.client.Frames;
import dev.chat.loadgen.client.Accounts;
import dev.chat.loadgen.client.Endpoint;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.net.PemTrustOptions;

/**
 * One load process's users and sockets, driven on a single Vert.x event loop (so its state needs no locks; more
 * load means more processes, see {@link BenchCommand}). Speaks only the contract: accounts and tokens through
 * {@code POST /api/users} and {@code /api/auth/login}, where each user's socket landed through
 * {@code GET /api/presence/USER}, and the {@code /ws/chat} socket with its send, ack and msg frames.
 *
 * <p>Users come in pairs, each sending to its partner at the set rate (open loop: sends are due by the clock, not by
 * answers; a user with {@code maxPending} unacked messages skips its turn and the skip is counted). Every message
 * has the ID {@code TAG.USER.SEQ} and a body that starts with {@code SEQ:} and is padded to the body size. A
 * message is kept until acked and written again on every new socket and after {@code resendAfter} (same ID), as
 * the contract asks of clients; every msg is acked at once, and shown only when its ID is new to the recipient
 * (the dedup a client does). Shown twice: a message shown again under another ID for the same sender sequence.
 * Lost: acked and never shown.
 *
 * <p>Time is cut into numbered windows ({@link #mark}); each message belongs to the window it was first sent in,
 * and its send-to-ack and send-to-delivery latencies are recorded there.
 *
 * <p>Why not one {@link dev.chat.client.ChatSession} per user: this is the benchmark's lean path, thousands of
 * sockets on one event loop with no locks. A session keeps a lock, a map of pending frames, a set of seen ID strings
 * and a heartbeat task per socket, and reports through callbacks; here a user's sends are a ring of longs and bit
 * sets by sequence, which is also what the window accounting reads, and one timer pings and resends for every
 * socket. What it shares with the session is the contract's side of it: the frames ({@link Frames}, written and
 * read by the same codec) and the reconnect rule ({@link Backoff}).
 */
final class Engine implements AutoCloseable {
    static final int MAX_WINDOWS = 256;
    private static final long TICK_MS = 2;
    /** Reconnects: 50 ms doubling to 2 s, with jitter (after a drop, failures is 0: 25-50 ms). */
    private static final Backoff BACKOFF = new Backoff(50, 2000);
    private static final long LOOP_PROBE_MS = 10;

    /** One user: a socket, what it sent (ring of times by sequence), what it was shown. */
    static final class User {
        final int index;
        final String name;
        final String idPrefix;
        volatile String token;
        String node = "";
        User partner;
        WebSocket ws;
        boolean connecting;
        boolean everConnected;
        int failures;
        long connectStarted;
        // sending
        long seq;
        long ackFloor = 1;
        int unacked;
        double phase;
        long base;
        final BitSet acked = new BitSet();
        long[] sentAt;
        long[] sentSeq;
        /** When each unacked send is due to be written again (System.nanoTime()). */
        long[] dueAt;
        /**
         * Per send: the low nibble counts writes again after no answer (up to Frames.RESEND_DOUBLINGS),
         * the high nibble its {@code unavailable} answers (at most 15, Frames.retryAfterMillis caps the wait).
         */
        byte[] tries;
        final long[] winStart = new long[MAX_WINDOWS];
        // receiving
        final BitSet seenIds = new BitSet();
        final BitSet shownSeqs = new BitSet();

        User(int index, String name, String idPrefix) {
            this.index = index;
            this.name = name;
            this.idPrefix = idPrefix;
        }

        int windowOf(long s) {
            for (int w = MAX_WINDOWS - 1; w > 0; w--) {
                if (winStart[w] > 0 && s >= winStart[w]) {
                    return w;
                }
            }
            return 0;
        }
    }

    private final ObjectMapper json;
    private final Endpoint endpoint;
    private final Vertx vertx;
    private final Context ctx;
    private final WebSocketClient sockets;
    private final SelfMonitor monitor;
    private final String tag;
    private final List<User> users = new ArrayList<>();
    private final Map<String, User> byName = new HashMap<>();

    // settings (from setup)
    private int maxPending = 1000;
    private long resendNanos = TimeUnit.SECONDS.toNanos(10);
    private int bodyBytes = 100;
    /** Message IDs this long (MessageIds); 0: as short as they come. */
    private int idChars;
    private int ringMask;
    private String wsPath;

    // traffic
    private double ratePerUser;
    private long rateT0;
    private int window;
    private final long[] windowStartNanos = new long[MAX_WINDOWS];
    private final long[] windowEndNanos = new long[MAX_WINDOWS];
    private final Histo[] ackLat = new Histo[MAX_WINDOWS];
    private final Histo[] delLat = new Histo[MAX_WINDOWS];
    private final long[] arrivals = new long[MAX_WINDOWS];
    private final long[] skipped = new long[MAX_WINDOWS];
    private final long[] shownTwice = new long[MAX_WINDOWS];
    private final long[] redelivered = new long[MAX_WINDOWS];
    private final long[] latencyUnknown = new long[MAX_WINDOWS];
    private final long[] sentInWindow = new long[MAX_WINDOWS];
    private final PerSecond perSecond = new PerSecond();
    private long misrouted;
    private long drops;
    private long connects;
    private long connectFailures;
    private long resent;
    private final Map<String, Long> errorCodes = new TreeMap<>();
    private final Map<String, Long> dropReasons = new TreeMap<>();
    private final Map<String, Long> connectFailureReasons = new TreeMap<>();
    private final Histo connectTime = new Histo();
    private boolean closing;
    private long tickTimer = -1;
    private long resendTimer = -1;
    private long pingTimer = -1;
    private long probeTimer = -1;
    private long lastProbe;

    // connecting
    private final List<User> toConnect = new ArrayList<>();
    private int connectCursor;
    private int connectsInFlight;
    private int connectConcurrency = 64;

    Engine(ObjectMapper json, Endpoint endpoint, String tag, Path caCert, SelfMonitor monitor) {
        this.json = json;
        this.endpoint = endpoint;
        this.tag = tag;
        this.monitor = monitor;
        this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(2)
                .setInternalBlockingPoolSize(2).setBlockedThreadCheckInterval(60_000)
                .setMaxEventLoopExecuteTime(10).setMaxEventLoopExecuteTimeUnit(TimeUnit.SECONDS));
        URI base = endpoint.base();
        boolean tls = "https".equals(base.getScheme());
        int port = base.getPort() > 0 ? base.getPort() : tls ? 443 : 80;
        WebSocketClientOptions o = new WebSocketClientOptions().setDefaultHost(base.getHost()).setDefaultPort(port)
                .setMaxConnections(1_000_000).setConnectTimeout(10_000).setMaxFrameSize(65536)
                .setMaxMessageSize(1 << 20).setTryUsePerMessageCompression(false).setTryUsePerFrameCompression(false)
                .setSsl(tls);
        if (tls && caCert != null) {
            o.setTrustOptions(new PemTrustOptions().addCertPath(caCert.toString()));
        }
        this.sockets = vertx.createWebSocketClient(o);
        this.wsPath = (base.getPath() == null ? "" : base.getPath()) + "/ws/chat";
        this.ctx = vertx.getOrCreateContext();
        for (int i = 0; i < MAX_WINDOWS; i++) {
            ackLat[i] = new Histo();
            delLat[i] = new Histo();
        }
    }

    // ------------------------------------------------------------------ running on the loop

    private <T> T onLoop(Supplier<T> task) {
        CompletableFuture<T> f = new CompletableFuture<>();
        ctx.runOnContext(v -> {
            try {
                f.complete(task.get());
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        });
        try {
            return f.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("the event loop did not answer: " + e, e);
        }
    }

    // ------------------------------------------------------------------ setup

    /**
     * Creates and logs in the users (retrying while the system is busy), opens their sockets with bounded
     * concurrency, finds each user's node, pairs users across nodes. Blocking; called off the loop.
     */
    ObjectNode setup(JsonNode spec) {
        int n = spec.path("users").asInt();
        int first = spec.path("firstIndex").asInt();
        String prefix = spec.path("prefix").asText();
        String password = spec.path("password").asText();
        this.password = password;
        maxPending = spec.path("maxPending").asInt(1000);
        resendNanos = TimeUnit.MILLISECONDS.toNanos(spec.path("resendMs").asLong(10_000));
        bodyBytes = Math.max(1, spec.path("bodyBytes").asInt(100));
        idChars = Math.max(0, spec.path("idChars").asInt(0));
        connectConcurrency = Math.max(1, spec.path("connectConcurrency").asInt(64));
        int ring = Integer.highestOneBit(Math.max(1024, maxPending * 4) - 1) << 1;
        ringMask = ring - 1;
        Duration patience = Duration.ofSeconds(spec.path("patienceSeconds").asLong(600));
        ObjectNode out = json.createObjectNode();

        long t0 = System.nanoTime();
        Accounts accounts = new Accounts(endpoint, patience);
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(n, spec.path("accountThreads").asInt(8))));
        try {
            List<Future<String>> tokens = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String name = prefix + (first + i);
                tokens.add(pool.submit(() -> {
                    accounts.create(name, password);
                    return accounts.login(name, password).value();
                }));
            }
            for (int i = 0; i < n; i++) {
                String name = prefix + (first + i);
                User u = new User(first + i, name, tag + "." + (first + i) + ".");
                u.token = tokens.get(i).get();
                u.phase = ThreadLocalRandom.current().nextDouble();
                users.add(u);
                byName.put(name, u);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating accounts", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("could not create or log in the accounts: " + e.getCause().getMessage(),
                    e.getCause());
        } finally {
            pool.shutdownNow();
        }
        out.put("accountsMillis", (System.nanoTime() - t0) / 1_000_000);

        // Sockets, a bounded number of upgrades at a time; with connectCount, only the first ones for now (the
        // rest with the connect op: memory per socket is then measured between the two, without one-time costs).
        connectTimeoutSeconds = spec.path("connectTimeoutSeconds").asLong(300);
        onLoop(() -> {
            lastProbe = System.nanoTime();
            probeTimer = vertx.setPeriodic(LOOP_PROBE_MS, id -> {
                long now = System.nanoTime();
                monitor.loopLate(Math.max(0, now - lastProbe - LOOP_PROBE_MS * 1_000_000));
                lastProbe = now;
            });
            return null;
        });
        int now = Math.max(0, Math.min(n, spec.path("connectCount").asInt(n)));
        out.setAll(connect(users.subList(0, now)));
        long pingMs = spec.path("pingMs").asLong(30_000);
        onLoop(() -> {
            resendTimer = vertx.setPeriodic(500, id -> resendOverdue());
            if (pingMs > 0) {
                pingTimer = vertx.setPeriodic(pingMs, id -> pingAll());
            }
            return null;
        });

        // Where each socket landed (presence-service through the proxy, as the page asks), then pairs across nodes.
        Map<String, Integer> perNode = new TreeMap<>();
        if (spec.path("lookupNodes").asBoolean(true)) {
            lookupNodes(Math.max(1, spec.path("lookupThreads").asInt(8)));
        }
        List<User> sorted = new ArrayList<>(users);
        sorted.sort(Comparator.comparing((User u) -> u.node).thenComparingInt(u -> u.index));
        int half = sorted.size() / 2;
        int cross = 0;
        for (int i = 0; i < half; i++) {
            User a = sorted.get(i);
            User b = sorted.get(i + half);
            a.partner = b;
            b.partner = a;
            if (!a.node.isEmpty() && !b.node.isEmpty() && !a.node.equals(b.node)) {
                cross++;
            }
        }
        for (User u : users) {
            perNode.merge(u.node.isEmpty() ? "?" : u.node, 1, Integer::sum);
        }
        out.put("pairs", half).put("crossNodePairs", cross);
        out.set("perNode", json.valueToTree(perNode));
        return out;
    }

    private long connectTimeoutSeconds = 300;
    private long connectWallNanos;

    /** Opens the sockets of {@code which} (bounded concurrency) and waits for them; answers the connect figures. */
    private ObjectNode connect(List<User> which) {
        long c0 = System.nanoTime();
        onLoop(() -> {
            toConnect.addAll(which);
            pumpConnects();
            return null;
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(connectTimeoutSeconds);
        int target = onLoop(() -> toConnect.size());
        int open = 0;
        while (System.nanoTime() < deadline) {
            open = onLoop(this::openCount);
            if (open >= target) {
                break;
            }
            sleep(50);
        }
        connectWallNanos += System.nanoTime() - c0;
        ObjectNode out = json.createObjectNode();
        out.put("users", users.size()).put("open", open).put("connectWallMillis", connectWallNanos / 1_000_000);
        out.set("connect", onLoop(() -> connectTime.toJson(json)));
        out.put("connectFailures", onLoop(() -> connectFailures));
        out.set("connectFailureReasons", onLoop(() -> json.valueToTree(connectFailureReasons)));
        return out;
    }

    /** Opens the sockets setup left closed (see connectCount). */
    ObjectNode connectRest() {
        List<User> rest = onLoop(() -> new ArrayList<>(users.subList(toConnect.size(), users.size())));
        return connect(rest);
    }

    private int openCount() {
        int n = 0;
        for (User u : users) {
            if (u.ws != null) {
                n++;
            }
        }
        return n;
    }

    private void lookupNodes(int threads) {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> all = new ArrayList<>();
            for (User u : users) {
                all.add(pool.submit(() -> {
                    for (int attempt = 0; attempt < 5; attempt++) {
                        try {
                            HttpResponse<String> r = endpoint.http().send(HttpRequest.newBuilder(
                                    endpoint.api("/api/presence/" + u.name)).timeout(Duration.ofSeconds(10))
                                    .header("Authorization", "Bearer " + u.token).GET().build(),
                                    HttpResponse.BodyHandlers.ofString());
                            if (r.statusCode() == 200) {
                                JsonNode nodes = json.readTree(r.body()).path("nodes");
                                if (nodes.size() > 0) {
                                    u.node = nodes.get(0).asText();
                                    return;
                                }
                            }
                        } catch (IOException e) {
                            // retried
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                        sleep(200);
                    }
                }));
            }
            for (Future<?> f : all) {
                f.get();
            }
        } catch (Exception e) {
            // unknown nodes stay "?": pairs are then made without regard to nodes
        } finally {
            pool.shutdownNow();
        }
    }

    private void pumpConnects() {
        while (connectsInFlight < connectConcurrency && connectCursor < toConnect.size()) {
            User u = toConnect.get(connectCursor++);
            connectsInFlight++;
            connect(u, true);
        }
    }

    private void connect(User u, boolean initial) {
        if (closing || u.ws != null || u.connecting) {
            if (initial) {
                connectsInFlight--;
            }
            return;
        }
        u.connecting = true;
        u.connectStarted = System.nanoTime();
        WebSocketConnectOptions o = new WebSocketConnectOptions().setURI(wsPath)
                .addHeader("Authorization", "Bearer " + u.token);
        sockets.connect(o).onComplete(ar -> {
            u.connecting = false;
            if (initial) {
                connectsInFlight--;
                pumpConnects();
            }
            if (ar.succeeded()) {
                opened(u, ar.result());
            } else {
                connectFailures++;
                u.failures++;
                Throwable e = ar.cause();
                String why = e instanceof UpgradeRejectedException r ? "upgrade refused " + r.getStatus()
                        : e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
                connectFailureReasons.merge(why.length() > 80 ? why.substring(0, 80) : why, 1L, Long::sum);
                if (e instanceof UpgradeRejectedException r && r.getStatus() == 401) {
                    vertx.executeBlocking(() -> {
                        refreshToken(u);
                        return null;
                    }, false).onComplete(x -> reconnectLater(u));
                } else {
                    reconnectLater(u);
                }
            }
        });
    }

    private String password;

    private void refreshToken(User u) {
        // Tokens last an hour; a long run logs in again (the password is the run's).
        if (password != null) {
            u.token = new Accounts(endpoint, Duration.ofMinutes(2)).login(u.name, password).value();
        }
    }

    private void reconnectLater(User u) {
        if (closing) {
            return;
        }
        vertx.setTimer(BACKOFF.delayMillis(u.failures), t -> connect(u, false));
    }

    private void opened(User u, WebSocket ws) {
        if (closing) {
            ws.close();
            return;
        }
        long now = System.nanoTime();
        u.ws = ws;
        u.failures = 0;
        connects++;
        if (!u.everConnected) {
            u.everConnected = true;
            connectTime.recordNanos(now - u.connectStarted);
        }
        ws.textMessageHandler(text -> onText(u, text));
        ws.exceptionHandler(e -> dropReasons.merge(e.getClass().getSimpleName(), 1L, Long::sum));
        ws.closeHandler(v -> lost(u, ws));
        // Everything not acked yet goes again on the new socket, same IDs.
        for (long s = u.ackFloor; s <= u.seq; s++) {
            if (!u.acked.get((int) s)) {
                write(u, s, now);
            }
        }
    }

    private void lost(User u, WebSocket ws) {
        if (u.ws != ws) {
            return;
        }
        u.ws = null;
        if (closing) {
            return;
        }
        drops++;
        Short code = ws.closeStatusCode();
        dropReasons.merge("closed " + (code == null ? "?" : code), 1L, Long::sum);
        reconnectLater(u);
    }

    private void pingAll() {
        for (User u : users) {
            if (u.ws != null) {
                u.ws.writePing(Buffer.buffer("b"));
            }
        }
    }

    // ------------------------------------------------------------------ traffic

    /** Sets every user's send rate (messages per second, to its partner); 0 stops sending. */
    void rate(double perUser) {
        onLoop(() -> {
            long now = System.nanoTime();
            for (User u : users) {
                u.base = u.seq;
            }
            ratePerUser = perUser;
            rateT0 = now;
            if (perUser > 0) {
                perSecond.start(now);
            }
            if (perUser > 0 && tickTimer < 0) {
                tickTimer = vertx.setPeriodic(TICK_MS, id -> tick());
            } else if (perUser <= 0 && tickTimer >= 0) {
                vertx.cancelTimer(tickTimer);
                tickTimer = -1;
            }
            return null;
        });
    }

    /** Starts the next window: messages first sent from now on belong to it. Answers its number. */
    int mark() {
        return onLoop(() -> {
            if (window + 1 >= MAX_WINDOWS) {
                throw new IllegalStateException("too many windows");
            }
            long now = System.nanoTime();
            windowEndNanos[window] = now;
            window++;
            windowStartNanos[window] = now;
            for (User u : users) {
                u.winStart[window] = u.seq + 1;
            }
            return window;
        });
    }

    private void tick() {
        long now = System.nanoTime();
        double elapsed = (now - rateT0) / 1e9;
        for (User u : users) {
            if (u.partner == null) {
                continue;
            }
            long due = u.base + (long) (elapsed * ratePerUser + u.phase);
            while (u.seq < due) {
                if (u.unacked >= maxPending) {
                    long skip = due - u.seq;
                    skipped[window] += skip;
                    u.base -= skip;
                    break;
                }
                send(u, now);
            }
        }
    }

    private void send(User u, long now) {
        if (u.sentAt == null) {
            u.sentAt = new long[ringMask + 1];
            u.sentSeq = new long[ringMask + 1];
            u.dueAt = new long[ringMask + 1];
            u.tries = new byte[ringMask + 1];
        }
        long s = ++u.seq;
        int i = (int) (s & ringMask);
        u.sentAt[i] = now;
        u.sentSeq[i] = s;
        u.tries[i] = 0;
        u.unacked++;
        sentInWindow[window]++;
        perSecond.sent(now);
        write(u, s, now);
    }

    private void write(User u, long s, long now) {
        int i = (int) (s & ringMask);
        if (u.sentSeq != null && u.sentSeq[i] == s) {
            u.dueAt[i] = now + Frames.resendWaitNanos(resendNanos, u.tries[i] & 0x0f);
        }
        if (u.ws != null) {
            u.ws.writeTextMessage(frame(u, s));
        }
    }

    private String frame(User u, long s) {
        String seq = Long.toString(s);
        StringBuilder body = new StringBuilder(Math.max(bodyBytes, seq.length() + 1)).append(seq).append(':');
        for (int k = seq.length() + 1; k < bodyBytes; k++) {
            body.append('x');
        }
        return Frames.send(MessageIds.id(u.idPrefix, s, idChars), u.partner.name, body.toString());
    }

    private void resendOverdue() {
        long now = System.nanoTime();
        for (User u : users) {
            if (u.ws == null || u.sentSeq == null) {
                continue;
            }
            for (long s = u.ackFloor; s <= u.seq; s++) {
                if (u.acked.get((int) s)) {
                    continue;
                }
                int i = (int) (s & ringMask);
                if (u.sentSeq[i] != s || now - u.dueAt[i] >= 0) {
                    // Each write again with no answer since waits twice as long for one, as ChatSession does.
                    if (u.sentSeq[i] == s && (u.tries[i] & 0x0f) < Frames.RESEND_DOUBLINGS) {
                        u.tries[i]++;
                    }
                    resent++;
                    write(u, s, now);
                }
            }
        }
    }

    // ------------------------------------------------------------------ frames in

    private void onText(User u, String text) {
        long now = System.nanoTime();
        Frame f = Frames.read(text);
        if (!f.readable()) {
            errorCodes.merge("client_bad_json", 1L, Long::sum);
            return;
        }
        switch (f.type()) {
            case "ack" -> onAck(u, f.id(), now);
            case "msg" -> onMsg(u, f.id(), f.from(), f.body(), now);
            case "error" -> onError(u, f, now);
            default -> {
                // delivered notices, pongs, typing: ignored, as a v1 client does
            }
        }
    }

    private long seqOf(User sender, String id) {
        return MessageIds.seq(sender.idPrefix, id);
    }

    private void onAck(User u, String id, long now) {
        long s = seqOf(u, id);
        if (s <= 0 || s > u.seq) {
            return;
        }
        int bit = (int) s;
        if (u.acked.get(bit)) {
            return;
        }
        u.acked.set(bit);
        u.unacked--;
        while (u.acked.get((int) u.ackFloor) && u.ackFloor <= u.seq) {
            u.ackFloor++;
        }
        int i = (int) (s & ringMask);
        int w = u.windowOf(s);
        if (u.sentSeq[i] == s) {
            ackLat[w].recordNanos(now - u.sentAt[i]);
        }
    }

    private void onMsg(User u, String id, String from, String body, long now) {
        if (id == null) {
            errorCodes.merge("client_msg_without_id", 1L, Long::sum);
            return;
        }
        if (u.ws != null) {
            u.ws.writeTextMessage(Frames.ack(id));
        }
        User sender = from == null ? null : byName.get(from);
        if (sender == null || sender.partner != u) {
            misrouted++;
            return;
        }
        long s = seqOf(sender, id);
        long bodySeq = -1;
        if (body != null) {
            int colon = body.indexOf(':');
            try {
                bodySeq = colon > 0 ? Long.parseLong(body, 0, colon, 10) : -1;
            } catch (NumberFormatException e) {
                bodySeq = -1;
            }
        }
        if (s <= 0 || bodySeq <= 0 || s > sender.seq) {
            misrouted++;
            return;
        }
        int w = sender.windowOf(s);
        if (u.seenIds.get((int) s)) {
            redelivered[w]++;
            return;
        }
        u.seenIds.set((int) s);
        if (u.shownSeqs.get((int) bodySeq)) {
            shownTwice[w]++;
            return;
        }
        u.shownSeqs.set((int) bodySeq);
        arrivals[window]++;
        int i = (int) (s & ringMask);
        if (sender.sentSeq[i] == s) {
            delLat[w].recordNanos(now - sender.sentAt[i]);
            perSecond.shown(now, now - sender.sentAt[i]);
        } else {
            latencyUnknown[w]++;
            perSecond.shown(now, -1);
        }
    }

    private void onError(User u, Frame error, long now) {
        errorCodes.merge(error.code() == null ? "?" : error.code(), 1L, Long::sum);
        long s = seqOf(u, error.id());
        if (s <= 0 || s > u.seq || u.acked.get((int) s)) {
            return;
        }
        int i = (int) (s & ringMask);
        if (u.sentSeq[i] != s) {
            return;
        }
        int unavailable = (u.tries[i] >> 4) & 0x0f;
        long retryMs = Frames.retryAfterMillis(error, unavailable);
        if (retryMs >= 0) {
            // written again by the resend pass after retryMs
            u.dueAt[i] = now + retryMs * 1_000_000L;
            if ("unavailable".equals(error.code()) && unavailable < 15) {
                u.tries[i] = (byte) ((u.tries[i] & 0x0f) | ((unavailable + 1) << 4));
            }
        }
    }

    // ------------------------------------------------------------------ reports

    /** Whether every message of window {@code w} is acked and shown. */
    private boolean settled(int w) {
        for (User u : users) {
            if (u.partner == null) {
                continue;
            }
            long from = u.winStart[w] == 0 && w == 0 ? 1 : u.winStart[w];
            long to = w < window ? u.winStart[w + 1] - 1 : u.seq;
            for (long s = Math.max(from, u.ackFloor); s <= to; s++) {
                if (!u.acked.get((int) s)) {
                    return false;
                }
            }
            for (long s = from; s <= to; s++) {
                if (!u.partner.shownSeqs.get((int) s)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Waits (bounded) until window {@code w}'s messages are acked and shown, then counts them. */
    ObjectNode report(int w, long settleMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settleMillis);
        boolean settled = false;
        while (true) {
            settled = onLoop(() -> settled(w));
            if (settled || System.nanoTime() > deadline) {
                break;
            }
            sleep(100);
        }
        boolean done = settled;
        return onLoop(() -> {
            long sent = 0;
            long acked = 0;
            long delivered = 0;
            long lost = 0;
            for (User u : users) {
                if (u.partner == null) {
                    continue;
                }
                long from = u.winStart[w] == 0 && w == 0 ? 1 : u.winStart[w];
                long to = w < window ? u.winStart[w + 1] - 1 : u.seq;
                for (long s = from; s <= to; s++) {
                    sent++;
                    boolean a = u.acked.get((int) s);
                    boolean d = u.partner.shownSeqs.get((int) s);
                    if (a) {
                        acked++;
                    }
                    if (d) {
                        delivered++;
                    } else if (a) {
                        lost++;
                    }
                }
            }
            ObjectNode o = json.createObjectNode();
            long end = w < window ? windowEndNanos[w] : System.nanoTime();
            o.put("window", w).put("settled", done).put("sent", sent).put("acked", acked).put("delivered", delivered)
                    .put("lost", lost).put("unacked", sent - acked).put("shownTwice", shownTwice[w])
                    .put("redelivered", redelivered[w]).put("arrivals", arrivals[w]).put("skipped", skipped[w])
                    .put("latencyUnknown", latencyUnknown[w]).put("durationNanos", end - windowStartNanos[w]);
            o.set("ack", ackLat[w].toJson(json));
            o.set("delivery", delLat[w].toJson(json));
            return o;
        });
    }

    /**
     * The traffic second by second since it first started ({@link PerSecond}), and where each window began on that
     * clock ({@code windowStarts}, seconds, one per window so far; NaN before the traffic started).
     */
    ObjectNode seconds() {
        return onLoop(() -> {
            ObjectNode o = perSecond.toJson(json, System.nanoTime());
            ArrayNode starts = o.putArray("windowStarts");
            for (int w = 0; w <= window; w++) {
                starts.add(perSecond.at(windowStartNanos[w]));
            }
            return o;
        });
    }

    /** Counters of the whole run so far. */
    ObjectNode counters() {
        return onLoop(() -> {
            ObjectNode o = json.createObjectNode();
            o.put("open", openCount()).put("connects", connects).put("connectFailures", connectFailures)
                    .put("drops", drops).put("resent", resent).put("misrouted", misrouted);
            o.set("errors", json.valueToTree(errorCodes));
            o.set("dropReasons", json.valueToTree(dropReasons));
            return o;
        });
    }

    @Override
    public void close() {
        try {
            onLoop(() -> {
                closing = true;
                for (long t : new long[] {tickTimer, resendTimer, pingTimer, probeTimer}) {
                    if (t >= 0) {
                        vertx.cancelTimer(t);
                    }
                }
                for (User u : users) {
                    if (u.ws != null) {
                        u.ws.close((short) 1000, "bye");
                    }
                }
                return null;
            });
            // Let the close frames go out before the event loop stops.
            AtomicInteger waited = new AtomicInteger();
            while (waited.getAndIncrement() < 40 && onLoop(this::openCount) > 0 && anyOpen()) {
                sleep(50);
            }
        } catch (RuntimeException e) {
            // closing anyway
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS)
                    .exceptionally(e -> null).join();
        }
    }

    private boolean anyOpen() {
        return onLoop(() -> users.stream().anyMatch(u -> u.ws != null && !u.ws.isClosed()));
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}

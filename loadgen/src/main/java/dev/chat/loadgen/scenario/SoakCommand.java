package dev.chat.loadgen.scenario;

import java.io.PrintStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.chat.loadgen.client.Accounts;
import dev.chat.loadgen.client.Endpoint;
import dev.chat.client.Frames;
import dev.chat.loadgen.measure.ConnectionLog;
import dev.chat.loadgen.measure.Ledger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The soak's traffic (scripts/soak): moderate, steady and churning, for a long time, so that whatever a request or
 * a connection leaves behind adds up where the soak's sampler sees it.
 * <ul>
 * <li>a ring of long-lived clients, each sending one message per interval to the next one (as {@code chat});
 * <li>visitors: every {@code --churn-interval} one of a pool of extra accounts opens a socket of its own, sends a
 * message to a ring member (the same ID again on its next visit until acked), reads presence and its
 * conversation list over HTTP, and closes the socket: sockets, presence entries, subscriptions and HTTP
 * connections come and go all the time;
 * <li>every {@code --login-every} seconds one visitor logs in again (bcrypt, a token).
 * </ul>
 * The live set (sockets open right now, ring plus visitors) is written every second to {@code --live-file}, so the
 * sampler can compare the presence map with it. At the end: stop, settle, print the counts; exit 0 when nothing
 * was lost, shown twice or left unacked.
 */
@Command(name = "soak", mixinStandardHelpOptions = true,
        description = "Moderate steady and churning traffic for a long time; writes the live socket count; exit 0 when nothing was lost or shown twice.")
public final class SoakCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Mixin
    ClientOptions client;

    @Option(names = "--duration", defaultValue = "600", paramLabel = "S", description = "seconds of traffic (default: ${DEFAULT-VALUE})")
    long durationSeconds;

    @Option(names = "--visitors", defaultValue = "10", paramLabel = "N", description = "accounts that come and go (default: ${DEFAULT-VALUE})")
    int visitors;

    @Option(names = "--churn-interval", defaultValue = "1000", paramLabel = "MS",
            description = "one visitor comes and goes per interval (default: ${DEFAULT-VALUE} ms)")
    long churnMillis;

    @Option(names = "--login-every", defaultValue = "10", paramLabel = "S",
            description = "one visitor logs in again this often (default: ${DEFAULT-VALUE} s)")
    long loginSeconds;

    @Option(names = "--progress-every", defaultValue = "30", paramLabel = "S", description = "a progress line this often (default: ${DEFAULT-VALUE} s)")
    long progressSeconds;

    @Option(names = "--settle", defaultValue = "60", paramLabel = "S",
            description = "bound on the wait for the last acks and deliveries (default: ${DEFAULT-VALUE} s)")
    long settleSeconds;

    @Option(names = "--live-file", paramLabel = "FILE",
            description = "rewritten every second: 'open N ring R visitors V' (sockets open now); 'ended' once the traffic is over")
    Path liveFile;

    @Option(names = "--status-file", paramLabel = "FILE", description = "progress lines for the controller: ready, done CODE")
    Path statusFile;

    @Option(names = "--misbehaving", defaultValue = "0", paramLabel = "N",
            description = "clients that misbehave on purpose, in turn: never read, never ack, flood, reconnect in a loop (default: ${DEFAULT-VALUE})")
    int misbehaving;

    @Option(names = "--flood-rate", defaultValue = "300", paramLabel = "N",
            description = "frames a second each flooding client sends (default: ${DEFAULT-VALUE}; the nodes allow 100)")
    int floodRate;

    @Option(names = "--window", defaultValue = "10", paramLabel = "S",
            description = "length of the latency windows written to --window-file (default: ${DEFAULT-VALUE} s)")
    long windowSeconds;

    @Option(names = "--window-file", paramLabel = "FILE",
            description = "a line per window after 'ready': 'window N END_S DELIVERED P50_MS P99_MS ACK_P99_MS' of the well-behaved clients' messages")
    Path windowFile;

    /** A visitor: an account, its token, its sends not yet acked. */
    private static final class Visitor {
        final String name;
        volatile String token;
        final Map<String, String> pending = new LinkedHashMap<>(); // id -> frame
        long seq;

        Visitor(String name) {
            this.name = name;
        }
    }

    private final AtomicInteger visitorsOpen = new AtomicInteger();
    /** Set when the traffic is over: the live file then says "ended", and the sampler stops. */
    private volatile boolean ended;
    private final AtomicLong visits = new AtomicLong();
    private final AtomicLong visitFailures = new AtomicLong();
    private final AtomicLong httpCalls = new AtomicLong();
    private final AtomicLong httpFailures = new AtomicLong();
    private final AtomicLong logins = new AtomicLong();
    private final Map<String, AtomicLong> failureKinds = new ConcurrentHashMap<>();

    @Override
    public Integer call() throws Exception {
        client.validate();
        if (visitors < 1 || churnMillis < 50 || durationSeconds < 1 || misbehaving < 0 || floodRate < 1
                || windowSeconds < 1) {
            throw new IllegalArgumentException("--visitors >= 1, --churn-interval >= 50 ms, --duration >= 1 s, --misbehaving >= 0, --flood-rate >= 1, --window >= 1 s");
        }
        PrintStream out = System.out;
        long t0 = System.nanoTime();
        ScheduledExecutorService timer = Executors.newScheduledThreadPool(3, r -> {
            Thread t = new Thread(r, "loadgen-timer");
            t.setDaemon(true);
            return t;
        });
        Endpoint endpoint = client.endpoint();
        Ledger ledger = new Ledger();
        ConnectionLog log = new ConnectionLog();
        out.printf(Locale.ROOT, "soak: %d ring clients through %s (run %s), one message each per %d ms; a visitor (of %d) every %d ms; a login every %d s; for %d s%n",
                client.clients, endpoint, client.runId, client.intervalMillis, visitors, churnMillis, loginSeconds,
                durationSeconds);
        out.flush();
        Accounts accounts = new Accounts(endpoint, Duration.ofSeconds(120));
        String password = "pw-soak-" + Long.toString(System.nanoTime(), 36);
        List<Visitor> pool = new ArrayList<>();
        for (int i = 0; i < visitors; i++) {
            Visitor v = new Visitor(client.usersPrefix() + "v" + i);
            accounts.create(v.name, password);
            v.token = accounts.login(v.name, password).value();
            pool.add(v);
        }
        Misbehavers bad = misbehaving == 0 ? null
                : Misbehavers.create(endpoint, accounts, client.usersPrefix(), client.runId, misbehaving, floodRate,
                        Duration.ofMillis(client.connectTimeoutMillis));
        try (Crowd crowd = Crowd.create(endpoint, client.usersPrefix(), client.clients, client.sessionOptions(), timer,
                ledger, log, Duration.ofSeconds(120), out)) {
            crowd.start();
            if (!crowd.awaitAllOpen(Duration.ofSeconds(120))) {
                out.printf("soak: only %d of %d clients connected within 120 s%n", crowd.openCount(), crowd.size());
                status("done 3");
                return 3;
            }
            writeLive(crowd);
            var live = timer.scheduleAtFixedRate(() -> writeLive(crowd), 1, 1, TimeUnit.SECONDS);
            AtomicLong visitSeq = new AtomicLong();
            long end = System.nanoTime() + durationSeconds * 1_000_000_000L;
            try (RingTraffic traffic = new RingTraffic(crowd, ledger, client.runId, Duration.ofMillis(client.intervalMillis),
                    () -> 0, timer, 1000)) {
                traffic.start();
                if (bad != null) {
                    bad.start();
                }
                long ready = System.nanoTime();
                var windows = windowFile == null ? null : timer.scheduleAtFixedRate(new Windows(ledger, ready),
                        windowSeconds, windowSeconds, TimeUnit.SECONDS);
                status("ready");
                out.printf(Locale.ROOT, "soak: ready: %d sockets open (%.1f s after start)%n", crowd.openCount(),
                        (System.nanoTime() - t0) / 1e9);
                out.flush();
                long nextLogin = System.nanoTime() + loginSeconds * 1_000_000_000L;
                long nextProgress = System.nanoTime() + progressSeconds * 1_000_000_000L;
                while (System.nanoTime() < end) {
                    long cycle = System.nanoTime();
                    Visitor v = pool.get((int) (visitSeq.getAndIncrement() % pool.size()));
                    visit(v, endpoint, ledger, crowd);
                    if (System.nanoTime() >= nextLogin) {
                        nextLogin += loginSeconds * 1_000_000_000L;
                        Visitor l = pool.get(ThreadLocalRandom.current().nextInt(pool.size()));
                        try {
                            l.token = accounts.login(l.name, password).value();
                            logins.incrementAndGet();
                        } catch (RuntimeException e) {
                            fail("login", e);
                        }
                    }
                    if (System.nanoTime() >= nextProgress) {
                        nextProgress += progressSeconds * 1_000_000_000L;
                        Ledger.Counts c = ledger.all();
                        out.printf(Locale.ROOT, "soak: +%.0f s: sent %d, acked %d, delivered %d; open %d; visits %d (%d failed), http %d (%d failed), logins %d%n",
                                (System.nanoTime() - t0) / 1e9, c.sent(), c.acked(), c.delivered(), crowd.openCount(),
                                visits.get(), visitFailures.get(), httpCalls.get(), httpFailures.get(), logins.get());
                        out.flush();
                    }
                    long rest = churnMillis - (System.nanoTime() - cycle) / 1_000_000;
                    if (rest > 0) {
                        Sleep.millis(Math.min(rest, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
                    }
                }
                if (windows != null) {
                    windows.cancel(false);
                }
            } finally {
                if (bad != null) {
                    bad.close();
                }
            }
            ended = true;
            writeLive(crowd);
            // Visitors' sends still unacked get their last chances.
            long deadline = System.nanoTime() + settleSeconds * 1_000_000_000L;
            for (Visitor v : pool) {
                while (pending(v) > 0 && System.nanoTime() < deadline) {
                    visit(v, endpoint, ledger, crowd);
                }
            }
            while (!ledger.settled(-1) && System.nanoTime() < deadline) {
                Sleep.millis(100);
            }
            live.cancel(false);
            Ledger.Counts c = ledger.all();
            out.printf("messages  sent %d, acked %d, delivered %d, lost %d, unacked %d, shown twice %d (redelivered, dropped by ID: %d)%n",
                    c.sent(), c.acked(), c.delivered(), c.lost(), c.unacked(), c.shownTwice(), c.redelivered());
            out.printf("send->ack       %s%n", ledger.sendToAck().summary());
            out.printf("send->delivered %s%n", ledger.sendToShown().summary());
            out.printf("visitors  %d visits (%d failed, retried), %d HTTP reads (%d failed), %d logins%s%n", visits.get(),
                    visitFailures.get(), httpCalls.get(), httpFailures.get(), logins.get(),
                    failureKinds.isEmpty() ? "" : "; failures " + failureKinds);
            if (!crowd.errors().isEmpty()) {
                out.printf("error frames    %s%n", crowd.errors());
            }
            if (bad != null) {
                out.printf("misbehaving     %s%n", bad.summary());
            }
            boolean clean = c.clean() && ledger.misrouted() == 0;
            out.printf("verdict   %s%n", clean ? "PASS: nothing lost, nothing shown twice, nothing left unacked"
                    : "FAIL: lost " + c.lost() + ", shown twice " + c.shownTwice() + ", unacked " + c.unacked()
                            + ", misrouted " + ledger.misrouted());
            out.flush();
            int code = clean ? 0 : 1;
            status("done " + code);
            return code;
        } finally {
            timer.shutdownNow();
        }
    }

    private int pending(Visitor v) {
        synchronized (v) {
            return v.pending.size();
        }
    }

    /** One visit: open, send (and resend what is unacked), wait for the acks, read over HTTP, close. */
    private void visit(Visitor v, Endpoint endpoint, Ledger ledger, Crowd crowd) {
        visits.incrementAndGet();
        Crowd.Member to = crowd.members().get(ThreadLocalRandom.current().nextInt(crowd.size()));
        Map<String, CompletableFuture<Void>> acks = new ConcurrentHashMap<>();
        List<String> frames = new ArrayList<>();
        synchronized (v) {
            long seq = ++v.seq;
            String id = client.runId + ".v." + v.name + "." + seq;
            ledger.sent(id, v.name, to.name(), seq, 0, System.nanoTime());
            v.pending.put(id, Frames.send(id, to.name(), "visit #" + seq + " from " + v.name));
            v.pending.forEach((k, f) -> {
                acks.put(k, new CompletableFuture<>());
                frames.add(f);
            });
        }
        WebSocket ws = null;
        boolean counted = false;
        try {
            ws = endpoint.http().newWebSocketBuilder().connectTimeout(Duration.ofMillis(client.connectTimeoutMillis))
                    .header("Authorization", "Bearer " + v.token)
                    .buildAsync(endpoint.socket(), new VisitorListener(acks, ledger))
                    .get(client.connectTimeoutMillis + 2000, TimeUnit.MILLISECONDS);
            visitorsOpen.incrementAndGet();
            counted = true;
            CompletableFuture<WebSocket> chain = CompletableFuture.completedFuture(ws);
            for (String f : frames) {
                chain = chain.thenCompose(w -> w.sendText(f, true));
            }
            chain.get(5, TimeUnit.SECONDS);
            CompletableFuture.allOf(acks.values().toArray(new CompletableFuture[0])).get(10, TimeUnit.SECONDS);
            get(endpoint, "/api/presence/" + to.name(), v.token);
            get(endpoint, "/api/conversations?limit=5", v.token);
        } catch (Exception e) {
            visitFailures.incrementAndGet();
            fail("visit", e);
        } finally {
            synchronized (v) {
                acks.forEach((id, f) -> {
                    if (f.isDone()) {
                        v.pending.remove(id);
                    }
                });
            }
            if (ws != null) {
                WebSocket w = ws;
                try {
                    w.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(2, TimeUnit.SECONDS);
                } catch (Exception e) {
                    // aborted below either way
                }
                w.abort();
            }
            if (counted) {
                visitorsOpen.decrementAndGet();
            }
        }
    }

    private void get(Endpoint endpoint, String path, String token) {
        httpCalls.incrementAndGet();
        try {
            HttpResponse<String> r = endpoint.http().send(HttpRequest.newBuilder(endpoint.api(path))
                    .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + token).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                httpFailures.incrementAndGet();
                failureKinds.computeIfAbsent("http " + r.statusCode(), k -> new AtomicLong()).incrementAndGet();
            }
        } catch (Exception e) {
            httpFailures.incrementAndGet();
            fail("http", e);
        }
    }

    private void fail(String what, Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && (t instanceof java.util.concurrent.ExecutionException
                || t instanceof java.util.concurrent.CompletionException)) {
            t = t.getCause();
        }
        failureKinds.computeIfAbsent(what + " " + t.getClass().getSimpleName(), k -> new AtomicLong()).incrementAndGet();
    }

    /** Takes acks for the visit's sends; ignores everything else (delivered receipts and the like). */
    private static final class VisitorListener implements WebSocket.Listener {
        private final Map<String, CompletableFuture<Void>> acks;
        private final Ledger ledger;
        private final StringBuilder partial = new StringBuilder();

        VisitorListener(Map<String, CompletableFuture<Void>> acks, Ledger ledger) {
            this.acks = acks;
            this.ledger = ledger;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                try {
                    JsonNode f = JSON.readTree(text);
                    if ("ack".equals(f.path("type").asText())) {
                        String id = f.path("id").asText();
                        CompletableFuture<Void> done = acks.get(id);
                        if (done != null) {
                            ledger.acked(id, System.nanoTime());
                            done.complete(null);
                        }
                    }
                } catch (Exception e) {
                    // not ours to judge here
                }
            }
            webSocket.request(1);
            return null;
        }
    }

    /**
     * Writes one line per window to {@code --window-file}: the latencies of the well-behaved clients' messages
     * delivered (and acked) within it; the ledger's latencies are kept in the order recorded, so a window is the
     * values since the last one.
     */
    private final class Windows implements Runnable {
        private final Ledger ledger;
        private final long ready;
        private int n;
        private int shownFrom;
        private int ackedFrom;

        Windows(Ledger ledger, long ready) {
            this.ledger = ledger;
            this.ready = ready;
        }

        @Override
        public void run() {
            int shown = ledger.sendToShown().count();
            int acked = ledger.sendToAck().count();
            n++;
            String line = String.format(Locale.ROOT, "window %d %.1f %d %.1f %.1f %.1f", n, (System.nanoTime() - ready) / 1e9,
                    shown - shownFrom, ledger.sendToShown().percentileMillisSince(shownFrom, 0.50),
                    ledger.sendToShown().percentileMillisSince(shownFrom, 0.99),
                    ledger.sendToAck().percentileMillisSince(ackedFrom, 0.99));
            shownFrom = shown;
            ackedFrom = acked;
            ControllerLink.append(windowFile, line);
        }
    }

    private void writeLive(Crowd crowd) {
        if (liveFile == null) {
            return;
        }
        long ring = crowd.openCount();
        int v = visitorsOpen.get();
        try {
            Path tmp = liveFile.resolveSibling(liveFile.getFileName() + ".tmp");
            Files.writeString(tmp, ended ? "ended\n" : "open " + (ring + v) + " ring " + ring + " visitors " + v + "\n",
                    StandardCharsets.UTF_8);
            Files.move(tmp, liveFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (Exception e) {
            // the sampler reads the last one written
        }
    }

    private void status(String line) {
        if (statusFile != null) {
            ControllerLink.append(statusFile, line);
        }
    }
}

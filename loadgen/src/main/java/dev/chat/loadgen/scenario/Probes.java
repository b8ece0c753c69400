package dev.chat.loadgen.scenario;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import dev.chat.loadgen.client.Accounts;
import dev.chat.loadgen.client.Endpoint;
import dev.chat.loadgen.report.ProbeTally;

/**
 * While a fault lasts, one round a second through the entry point, as a user arriving then would: a new socket
 * upgrade, a login and a presence lookup of a probe account of its own, each bounded by 2 s (no answer counts as
 * status 0). Plain http:// entry points only (the upgrade is written by hand, and only its status line read).
 */
final class Probes implements AutoCloseable {
    private static final Duration BOUND = Duration.ofSeconds(2);

    private final Endpoint endpoint;
    private final String user;
    private final String password;
    private final String token;
    private Thread thread;
    private ProbeTally tally;

    private Probes(Endpoint endpoint, String user, String password, String token) {
        this.endpoint = endpoint;
        this.user = user;
        this.password = password;
        this.token = token;
    }

    /** Makes the probe account and logs it in (retried while the system is busy, up to 60 s); throws when it cannot. */
    static Probes create(Endpoint endpoint) {
        String user = "chaosprobe" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 30, 1L << 40), 36);
        String password = "probe-" + Long.toString(ThreadLocalRandom.current().nextLong(Long.MAX_VALUE), 36);
        Accounts accounts = new Accounts(endpoint, Duration.ofSeconds(60));
        accounts.create(user, password);
        return new Probes(endpoint, user, password, accounts.login(user, password).value());
    }

    /** Starts a new tally, a round a second from now until {@link #stop()}. */
    synchronized void start() {
        stop();
        ProbeTally t = new ProbeTally();
        tally = t;
        thread = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                int upgrade = upgrade();
                int login = login();
                int presence = presence();
                if (Thread.currentThread().isInterrupted()) {
                    return; // stopped mid-round: its zeros are not answers
                }
                t.round(upgrade, login, presence);
                try {
                    Sleep.millis(1000);
                } catch (IllegalStateException interrupted) {
                    return;
                }
            }
        }, "probes");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Stops the probing once at least one round is done (waiting up to 6 s for it: a short fault still gets one
     * full round) and returns what it got; an empty tally when none was started.
     */
    synchronized ProbeTally stop() {
        ProbeTally t = tally;
        if (thread != null) {
            long until = System.nanoTime() + 6_000_000_000L;
            while (t.rounds() == 0 && System.nanoTime() < until && thread.isAlive()) {
                Sleep.millis(100);
            }
            thread.interrupt();
            try {
                thread.join(3000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            thread = null;
            tally = null;
        }
        return t == null ? new ProbeTally() : t;
    }

    @Override
    public void close() {
        stop();
    }

    private int upgrade() {
        String host = endpoint.base().getHost();
        int port = endpoint.base().getPort() > 0 ? endpoint.base().getPort() : 80;
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), (int) BOUND.toMillis());
            s.setSoTimeout((int) BOUND.toMillis());
            OutputStream out = s.getOutputStream();
            out.write(("GET /ws/chat HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nConnection: Upgrade\r\n"
                    + "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Authorization: Bearer " + token + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String status = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
            String[] w = status == null ? new String[0] : status.split(" ");
            return w.length > 1 && w[1].matches("\\d{3}") ? Integer.parseInt(w[1]) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private int login() {
        String body = "{\"username\":\"" + user + "\",\"password\":\"" + password + "\"}";
        return send(HttpRequest.newBuilder(endpoint.api("/api/auth/login")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private int presence() {
        return send(HttpRequest.newBuilder(endpoint.api("/api/presence/" + user)).header("Authorization", "Bearer " + token).GET());
    }

    private int send(HttpRequest.Builder req) {
        try {
            return endpoint.http().send(req.timeout(BOUND).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }
}

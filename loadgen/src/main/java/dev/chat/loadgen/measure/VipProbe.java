package dev.chat.loadgen.measure;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Asks the virtual IP, every interval and on a new connection each time, which proxy answers: a plain
 * HTTP/1.0 GET whose response carries the proxy's name in a header ({@code X-Proxy}, set by haproxy.cfg from
 * CHAT_PROXY_NAME). A refused or timed-out attempt is recorded as no answer. Attempts overlap: one whose SYN
 * went to a proxy that just let the address go hangs until its timeout, and must not hide the next ones.
 */
public final class VipProbe implements AutoCloseable {
    /** One attempt: when it started, and who answered (null: nobody). */
    public record Sample(long at, String proxy) {
    }

    /** What a window saw: the proxy answering before it, the first different one in it, and the longest silence. */
    public record Takeover(String before, String after, long movedAt, long longestSilenceNanos, int answers) {
        public boolean moved() {
            return after != null;
        }
    }

    private final URI target;
    private final String header;
    private final long intervalNanos;
    private final int timeoutMillis;
    private final List<Sample> samples = new ArrayList<>();
    private final java.util.concurrent.ScheduledExecutorService ticker;
    private final java.util.concurrent.ThreadPoolExecutor askers;

    public VipProbe(URI target, String header, long intervalMillis, int timeoutMillis) {
        this.target = target;
        this.header = header.toLowerCase(Locale.ROOT);
        this.intervalNanos = intervalMillis * 1_000_000L;
        this.timeoutMillis = timeoutMillis;
        this.ticker = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "vip-probe"));
        // Enough askers for every attempt that can be pending at once; beyond that a tick is skipped.
        int max = (int) Math.max(4, 2 + timeoutMillis / Math.max(1, intervalMillis));
        this.askers = new java.util.concurrent.ThreadPoolExecutor(2, max, 10, java.util.concurrent.TimeUnit.SECONDS,
                new java.util.concurrent.SynchronousQueue<>(), r -> daemon(r, "vip-probe-ask"),
                new java.util.concurrent.ThreadPoolExecutor.DiscardPolicy());
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private volatile java.util.function.BiConsumer<Long, String> onChange = (at, who) -> {
    };
    private String last = "";

    /** Called (probe start time, proxy or null) whenever an answer differs from the one before. */
    public VipProbe onChange(java.util.function.BiConsumer<Long, String> callback) {
        this.onChange = callback;
        return this;
    }

    public VipProbe start() {
        ticker.scheduleAtFixedRate(() -> askers.execute(() -> {
            long at = System.nanoTime();
            String who = ask();
            boolean changed;
            synchronized (samples) {
                samples.add(new Sample(at, who));
                changed = !java.util.Objects.equals(last, who);
                last = who;
            }
            if (changed) {
                onChange.accept(at, who);
            }
        }), 0, intervalNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
        return this;
    }

    /** The proxy that answered, or null. */
    String ask() {
        int port = target.getPort() > 0 ? target.getPort() : 80;
        try (Socket s = new Socket()) {
            s.setSoTimeout(timeoutMillis);
            s.connect(new InetSocketAddress(target.getHost(), port), timeoutMillis);
            OutputStream out = s.getOutputStream();
            String path = target.getRawPath() == null || target.getRawPath().isEmpty() ? "/" : target.getRawPath();
            out.write(("GET " + path + " HTTP/1.0\r\nHost: " + target.getHost() + "\r\nUser-Agent: chat-vip-probe\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
            String status = in.readLine();
            if (status == null || !status.startsWith("HTTP/")) {
                return null;
            }
            String line;
            while ((line = in.readLine()) != null && !line.isEmpty()) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals(header)) {
                    return line.substring(colon + 1).trim();
                }
            }
            return "?";
        } catch (IOException e) {
            return null;
        }
    }

    /** The proxy of the last answer before {@code at}, or null. */
    public String answeringBefore(long at) {
        Sample best = null;
        for (Sample s : snapshot()) {
            if (s.at() < at && s.proxy() != null && (best == null || s.at() > best.at())) {
                best = s;
            }
        }
        return best == null ? null : best.proxy();
    }

    /** The samples so far, in the order the attempts started. */
    List<Sample> snapshot() {
        List<Sample> copy;
        synchronized (samples) {
            copy = new ArrayList<>(samples);
        }
        copy.sort(java.util.Comparator.comparingLong(Sample::at));
        return copy;
    }

    /** The window [from, to]: did another proxy than the one answering before {@code from} answer? */
    public Takeover window(long from, long to) {
        String before = answeringBefore(from);
        String after = null;
        long movedAt = -1;
        long lastAnswer = from;
        long silence = 0;
        int answers = 0;
        for (Sample s : snapshot()) {
            if (s.at() < from || s.at() > to || s.proxy() == null) {
                continue;
            }
            answers++;
            silence = Math.max(silence, s.at() - lastAnswer);
            lastAnswer = s.at();
            if (after == null && before != null && !before.equals(s.proxy())) {
                after = s.proxy();
                movedAt = s.at();
            }
        }
        return new Takeover(before, after, movedAt, silence, answers);
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        askers.shutdownNow();
    }
}

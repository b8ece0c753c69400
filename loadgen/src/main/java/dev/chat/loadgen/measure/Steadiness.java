package dev.chat.loadgen.measure;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * "The system is steady": every check holds, and has held without a break for a while. scripts/chaos waits for
 * it after restoring each fault, so that the next fault starts from a whole stack (every service ready, every
 * server UP in HAProxy) and not from one still recovering from the last; scripts/drill likewise, for its keepalived
 * pair ({@link #vrrpPair}) and both HAProxies. The wait has a deadline and answers an
 * {@link Outcome} either way: steady, or not steady by the deadline with what was not.
 */
public final class Steadiness {
    /** One condition of steadiness, read now. */
    public interface Check {
        /** Null when it holds now, else why not, in a few words (e.g. "chat-node-2 ready: HTTP 503"). */
        String whyNot();
    }

    /**
     * How a wait ended. {@code steady}: every check held for the whole hold, {@code seconds} after the wait began.
     * Otherwise the deadline passed ({@code seconds} then) and {@code notSteady} says what did not hold at the last
     * reading (empty when everything held, but not yet for the whole hold).
     */
    public record Outcome(boolean steady, double seconds, List<String> notSteady) {
    }

    private final List<Check> checks;
    private final LongSupplier nanos;
    private final LongConsumer sleepMillis;

    /** {@code nanos}: the clock ({@link System#nanoTime} in use); {@code sleepMillis}: waits between readings. */
    public Steadiness(List<Check> checks, LongSupplier nanos, LongConsumer sleepMillis) {
        if (checks.isEmpty()) {
            throw new IllegalArgumentException("no check: steady would mean nothing");
        }
        this.checks = List.copyOf(checks);
        this.nanos = nanos;
        this.sleepMillis = sleepMillis;
    }

    /** What does not hold now (empty: every check holds). Every check is read, so the answer names all of them. */
    public List<String> notSteadyNow() {
        List<String> why = new ArrayList<>();
        for (Check c : checks) {
            String w = c.whyNot();
            if (w != null) {
                why.add(w);
            }
        }
        return why;
    }

    /**
     * Reads the checks every {@code poll} until all of them have held at every reading for {@code hold} (a failed
     * reading starts the hold again), or until {@code deadline} after the call. Never throws for a check that fails;
     * a reading that starts before the deadline is always finished.
     */
    public Outcome await(Duration hold, Duration deadline, Duration poll) {
        long start = nanos.getAsLong();
        long end = start + deadline.toNanos();
        long since = -1;
        List<String> last = List.of();
        while (true) {
            long now = nanos.getAsLong();
            last = notSteadyNow();
            long after = nanos.getAsLong();
            if (!last.isEmpty()) {
                since = -1;
            } else if (since < 0) {
                since = now;
            }
            if (since >= 0 && after - since >= hold.toNanos()) {
                return new Outcome(true, (after - start) / 1e9, List.of());
            }
            if (after >= end) {
                return new Outcome(false, (after - start) / 1e9, last);
            }
            long wait = poll.toMillis();
            if (since >= 0) {
                // Wake when the hold is over, not a poll later.
                wait = Math.min(wait, Math.max(1, TimeUnit.NANOSECONDS.toMillis(since + hold.toNanos() - after)));
            }
            sleepMillis.accept(Math.max(1, Math.min(wait, TimeUnit.NANOSECONDS.toMillis(end - after) + 1)));
        }
    }

    // ------------------------------------------------------------------ checks

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** {@code name} answers 2xx at {@code uri} (its readiness check) within 2 s. */
    public static Check ready(String name, URI uri) {
        return () -> {
            try {
                HttpResponse<Void> r = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).GET().build(),
                        HttpResponse.BodyHandlers.discarding());
                return r.statusCode() / 100 == 2 ? null : name + " ready: HTTP " + r.statusCode();
            } catch (IOException e) {
                return name + " ready: no answer (" + e.getClass().getSimpleName() + ")";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return name + " ready: interrupted";
            }
        };
    }

    /**
     * Every server of HAProxy's stats page ({@code /stats;csv}) is UP, leaving out the backends whose name matches
     * {@code ignore}; and there is at least one.
     */
    public static Check haproxy(URI statsCsv, Pattern ignore) {
        return () -> {
            try {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(statsCsv).timeout(Duration.ofSeconds(2)).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) {
                    return "haproxy stats: HTTP " + r.statusCode();
                }
                return haproxyWhyNot(r.body(), ignore);
            } catch (IOException e) {
                return "haproxy stats: no answer (" + e.getClass().getSimpleName() + ")";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "haproxy stats: interrupted";
            }
        };
    }

    /**
     * What of an HAProxy stats CSV is not steady: each server (not FRONTEND or BACKEND) whose status is not UP, as
     * {@code backend/server STATUS}; "no server" when there is none. Null when all are UP. Backends matching
     * {@code ignore} are left out.
     */
    static String haproxyWhyNot(String csv, Pattern ignore) {
        int statusColumn = 17;
        List<String> down = new ArrayList<>();
        int servers = 0;
        for (String line : csv.split("\n")) {
            if (line.startsWith("# ")) {
                String[] head = line.substring(2).split(",", -1);
                for (int i = 0; i < head.length; i++) {
                    if (head[i].equals("status")) {
                        statusColumn = i;
                    }
                }
                continue;
            }
            String[] f = line.split(",", -1);
            if (f.length <= statusColumn || line.isBlank()) {
                continue;
            }
            if (f[1].equals("FRONTEND") || f[1].equals("BACKEND") || (ignore != null && ignore.matcher(f[0]).matches())) {
                continue;
            }
            servers++;
            if (!f[statusColumn].equals("UP")) {
                down.add(f[0] + "/" + f[1] + " " + f[statusColumn]);
            }
        }
        if (servers == 0) {
            return "haproxy: no server";
        }
        return down.isEmpty() ? null : "haproxy: " + String.join(", ", down);
    }

    /** {@code command} (run by {@code bash -c}) exits 0 within {@code timeout}; its last output line says why not. */
    public static Check command(String name, String command, Duration timeout) {
        return () -> {
            Ran r = run(command, timeout);
            if (r.failure() != null) {
                return name + ": " + r.failure();
            }
            if (r.exit() == 0) {
                return null;
            }
            String lastLine = r.output().substring(r.output().lastIndexOf('\n') + 1);
            return name + ": exit " + r.exit() + (lastLine.isEmpty() ? "" : " (" + lastLine + ")");
        };
    }

    /**
     * A keepalived pair is steady ({@link VrrpPair#whyNot(String)}): {@code command} (run by {@code bash -c}) exits 0
     * within {@code timeout} printing each host's state, and the states are one MASTER holding the VIP and BACKUPs.
     * The command only reads the states; whether they are steady is judged here.
     */
    public static Check vrrpPair(String name, String command, Duration timeout) {
        return () -> {
            Ran r = run(command, timeout);
            if (r.failure() != null) {
                return name + ": " + r.failure();
            }
            if (r.exit() != 0) {
                String lastLine = r.output().substring(r.output().lastIndexOf('\n') + 1);
                return name + ": state unreadable, exit " + r.exit() + (lastLine.isEmpty() ? "" : " (" + lastLine + ")");
            }
            String why = VrrpPair.whyNot(r.output());
            return why == null ? null : name + ": " + why;
        };
    }

    /** How a command ended: its exit code and stripped output, or why it did not finish ({@code failure} not null). */
    private record Ran(int exit, String output, String failure) {
    }

    private static Ran run(String command, Duration timeout) {
        try {
            Process p = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            // Read while it runs: a full pipe would stall it.
            CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> {
                try {
                    return p.getInputStream().readAllBytes();
                } catch (IOException e) {
                    return new byte[0];
                }
            });
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                return new Ran(-1, "", "no answer within " + timeout.toSeconds() + " s");
            }
            return new Ran(p.exitValue(), new String(out.get(5, TimeUnit.SECONDS), StandardCharsets.UTF_8).strip(), null);
        } catch (IOException | ExecutionException | TimeoutException e) {
            return new Ran(-1, "", String.valueOf(e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Ran(-1, "", "interrupted");
        }
    }
}

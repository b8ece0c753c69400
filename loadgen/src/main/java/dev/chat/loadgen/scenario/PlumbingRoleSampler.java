package dev.chat.loadgen.scenario;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The partition fault's role sampler in use: a thread of its own asks the plumbing's {@code --state pg-roles} (each
 * member's own answer to pg_is_in_recovery() and its timeline, through its own loopback) one call after another, 200
 * ms apart, and keeps each answer with the wall-clock time (epoch ms) its call started, the clock of the
 * plumbing's {@code @EPOCH_MS} lines. A call that fails is not a sample (it says nothing about the roles). The samples
 * also go to {@code file} (one line each, as they come), when one is given.
 */
final class PlumbingRoleSampler implements FaultSchedule.RoleSampler {
    private static final Duration CALL_LIMIT = Duration.ofSeconds(5);
    private static final long GAP_MILLIS = 200;

    private final Plumbing plumbing;
    private final Path file;
    private final List<String> samples = new ArrayList<>();
    private Thread thread;
    private volatile boolean running;

    PlumbingRoleSampler(Plumbing plumbing, Path file) {
        this.plumbing = plumbing;
        this.file = file;
    }

    @Override
    public synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException("the role sampler runs already");
        }
        samples.clear();
        running = true;
        thread = new Thread(this::sample, "role-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    private void sample() {
        while (running) {
            long at = System.currentTimeMillis();
            Plumbing.Call c = plumbing.run(List.of("--state", "pg-roles"), CALL_LIMIT);
            if (c.ok() && c.last().matches("(pg-\\d+=\\S+\\s*)+")) {
                String line = at + " " + c.last();
                synchronized (samples) {
                    samples.add(line);
                }
                if (file != null) {
                    try {
                        Files.writeString(file, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                                StandardOpenOption.APPEND);
                    } catch (IOException e) {
                        // The samples are kept in memory and judged from there; the file is a record only.
                    }
                }
            }
            try {
                Thread.sleep(GAP_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public synchronized List<String> stop() {
        running = false;
        if (thread != null) {
            try {
                // A call in progress ends within its own limit; the gap's sleep at once.
                thread.interrupt();
                thread.join(CALL_LIMIT.toMillis() + 2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            thread = null;
        }
        synchronized (samples) {
            return List.copyOf(samples);
        }
    }
}

package dev.chat.loadgen.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Counters the system keeps about itself, read by a command the caller names (scripts/bench passes one that
 * asks PostgreSQL for its WAL position, pg_stat_wal and pg_stat_statements): the benchmark only subtracts
 * readings, so it stays free of any client of the system's internals. Output lines are {@code NAME NUMBER};
 * anything else is ignored.
 */
final class Counters {
    private static final long TIMEOUT_SECONDS = 20;

    private Counters() {
    }

    /** One reading; empty when there is no command, and when it fails or times out (the report then shows "-"). */
    static Map<String, Double> read(String command) {
        if (command == null || command.isBlank()) {
            return Map.of();
        }
        Process p = null;
        try {
            p = new ProcessBuilder("bash", "-c", command).redirectErrorStream(false)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            p.getOutputStream().close();
            String text;
            try (InputStream in = p.getInputStream()) {
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return Map.of();
            }
            return parse(text);
        } catch (IOException e) {
            return Map.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Map.of();
        } finally {
            if (p != null) {
                p.destroyForcibly();
            }
        }
    }

    static Map<String, Double> parse(String text) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            String[] f = line.trim().split("[\\s|]+");
            if (f.length != 2 || f[1].isEmpty()) {
                continue;
            }
            try {
                out.put(f[0], Double.parseDouble(f[1]));
            } catch (NumberFormatException e) {
                // not a counter line
            }
        }
        return out;
    }

    /** {@code b - a} for every counter in both readings. */
    static Map<String, Double> deltas(Map<String, Double> a, Map<String, Double> b) {
        Map<String, Double> out = new LinkedHashMap<>();
        b.forEach((k, v) -> {
            Double before = a.get(k);
            if (before != null) {
                out.put(k, v - before);
            }
        });
        return out;
    }
}

package dev.chat.loadgen.scenario;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Connection events, and sends that waited over 2 s for their first answer, one line each with the time since the
 * run started: for post-mortems of a fault.
 */
public class Trace implements AutoCloseable {
    static final Trace NONE = new Trace(null, 0);

    private final PrintWriter out;
    private final long t0;

    private Trace(PrintWriter out, long t0) {
        this.out = out;
        this.t0 = t0;
    }

    public static Trace to(Path file, long t0) {
        try {
            return new Trace(new PrintWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8), true), t0);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    public void event(long at, String who, String what) {
        if (out != null) {
            synchronized (out) {
                out.println(String.format(Locale.ROOT, "+%.3f %s %s", (at - t0) / 1e9, who, what));
            }
        }
    }

    @Override
    public void close() {
        if (out != null) {
            out.close();
        }
    }
}

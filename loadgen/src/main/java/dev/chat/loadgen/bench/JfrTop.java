package dev.chat.loadgen.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The hot spots of JFR recordings ({@code jdk.ExecutionSample}, i.e. threads running Java code): the methods most
 * often on top of the stack (self time) and most often anywhere on it (total time, each method once per sample),
 * plus the threads sampled, the GC pauses and the socket I/O events. What {@code bench --jfr} prints after a
 * steady run, and {@code loadgen jfr-top FILE...} for any recording.
 */
public final class JfrTop {
    private JfrTop() {
    }

    @Command(name = "jfr-top", mixinStandardHelpOptions = true,
            description = "Hot spots of JFR recordings: top methods by self and total samples, threads, GC pauses.")
    public static final class Cli implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", arity = "1..*", description = "JFR recordings (e.g. bench --jfr's chat-node-N.jfr)")
        List<Path> files;

        @Option(names = "--top", defaultValue = "25", description = "methods per list (default: ${DEFAULT-VALUE})")
        int top;

        @Override
        public Integer call() throws IOException {
            print(files, top, System.out);
            return 0;
        }
    }

    public static void print(List<Path> files, int top, PrintStream out) throws IOException {
        Map<String, Long> self = new HashMap<>();
        Map<String, Long> total = new HashMap<>();
        Map<String, Long> selfPackages = new HashMap<>();
        Map<String, Long> threads = new HashMap<>();
        long samples = 0;
        long gcPauses = 0;
        double gcPauseMillis = 0;
        double maxPauseMillis = 0;
        long monitorBlocked = 0;
        Map<String, Long> allocByClass = new HashMap<>();
        Map<String, Long> allocBySite = new HashMap<>();
        long allocated = 0;
        double seconds = 0;
        for (Path f : files) {
            try (RecordingFile rf = new RecordingFile(f)) {
                java.time.Instant first = null;
                java.time.Instant last = null;
                while (rf.hasMoreEvents()) {
                    RecordedEvent e = rf.readEvent();
                    if (first == null || e.getStartTime().isBefore(first)) {
                        first = e.getStartTime();
                    }
                    if (last == null || e.getEndTime().isAfter(last)) {
                        last = e.getEndTime();
                    }
                }
                if (first != null) {
                    seconds += java.time.Duration.between(first, last).toNanos() / 1e9;
                }
            }
        }
        for (Path f : files) {
            for (RecordedEvent e : RecordingFile.readAllEvents(f)) {
                String type = e.getEventType().getName();
                if (type.equals("jdk.ExecutionSample")) {
                    RecordedStackTrace st = e.getStackTrace();
                    if (st == null || st.getFrames().isEmpty()) {
                        continue;
                    }
                    samples++;
                    var thread = e.getThread("sampledThread");
                    String tn = thread == null ? "?" : thread.getJavaName();
                    threads.merge(tn == null ? "?" : tn.replaceAll("-\\d+$", "-N"), 1L, Long::sum);
                    List<RecordedFrame> frames = st.getFrames();
                    String topName = name(frames.get(0));
                    self.merge(topName, 1L, Long::sum);
                    selfPackages.merge(area(frames.get(0)), 1L, Long::sum);
                    Set<String> seen = new HashSet<>();
                    for (RecordedFrame fr : frames) {
                        String n = name(fr);
                        if (seen.add(n)) {
                            total.merge(n, 1L, Long::sum);
                        }
                    }
                } else if (type.equals("jdk.GarbageCollection")) {
                    gcPauses++;
                    double ms = e.getDuration().toNanos() / 1e6;
                    gcPauseMillis += ms;
                    maxPauseMillis = Math.max(maxPauseMillis, ms);
                } else if (type.equals("jdk.JavaMonitorEnter")) {
                    monitorBlocked++;
                } else if (type.equals("jdk.ObjectAllocationSample")) {
                    long w = e.getLong("weight");
                    allocated += w;
                    var cls = e.getClass("objectClass");
                    allocByClass.merge(cls == null ? "?" : cls.getName(), w, Long::sum);
                    RecordedStackTrace st = e.getStackTrace();
                    if (st != null) {
                        allocBySite.merge(site(st.getFrames()), w, Long::sum);
                    }
                }
            }
        }
        out.printf(Locale.ROOT, "  %d execution samples in %d recording(s); GC: %d collections, %.0f ms in all, longest %.1f ms;"
                + " contended monitor enters (>20 ms): %d%n", samples, files.size(), gcPauses, gcPauseMillis, maxPauseMillis,
                monitorBlocked);
        if (samples == 0) {
            return;
        }
        final long n = samples;
        out.println("  by code area (top frame):");
        selfPackages.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(15)
                .forEach(e -> out.printf(Locale.ROOT, "    %5.1f%%  %s%n", 100.0 * e.getValue() / n, e.getKey()));
        out.println("  self (method on top of the stack):");
        self.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(top)
                .forEach(e -> out.printf(Locale.ROOT, "    %5.1f%%  %s%n", 100.0 * e.getValue() / n, e.getKey()));
        out.println("  total (method anywhere on the stack), project and hot-path frames:");
        total.entrySet().stream().filter(e -> e.getKey().startsWith("dev.chat.") || e.getKey().contains("redis")
                || e.getKey().contains("pgclient") || e.getKey().contains("websockets") || e.getKey().contains("jackson"))
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(top)
                .forEach(e -> out.printf(Locale.ROOT, "    %5.1f%%  %s%n", 100.0 * e.getValue() / n, e.getKey()));
        if (allocated > 0) {
            final long a = allocated;
            out.printf(Locale.ROOT, "  allocation (sampled, jdk.ObjectAllocationSample): about %.0f MB/s per recording; by class:%n",
                    seconds > 0 ? allocated / 1e6 / seconds : Double.NaN);
            allocByClass.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(12)
                    .forEach(e -> out.printf(Locale.ROOT, "    %5.1f%%  %s%n", 100.0 * e.getValue() / a, e.getKey()));
            out.println("  allocation by site (first frame outside the JDK, with its caller):");
            allocBySite.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(top)
                    .forEach(e -> out.printf(Locale.ROOT, "    %5.1f%%  %s%n", 100.0 * e.getValue() / a, e.getKey()));
        }
        out.println("  threads sampled:");
        threads.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(8)
                .forEach(e -> out.printf(Locale.ROOT, "    %5.1f%%  %s%n", 100.0 * e.getValue() / n, e.getKey()));
    }

    /** The first frame outside java.*, jdk.*, sun.*, with the next frame, e.g. "a.B.c <- d.E.f". */
    private static String site(List<RecordedFrame> frames) {
        for (int i = 0; i < frames.size(); i++) {
            String n = name(frames.get(i));
            if (!n.startsWith("java.") && !n.startsWith("jdk.") && !n.startsWith("sun.")) {
                return i + 1 < frames.size() ? n + " <- " + name(frames.get(i + 1)) : n;
            }
        }
        return frames.isEmpty() ? "?" : name(frames.get(0));
    }

    private static String name(RecordedFrame f) {
        RecordedMethod m = f.getMethod();
        if (m == null) {
            return "?";
        }
        return m.getType().getName() + "." + m.getName();
    }

    /** A coarse area for a frame: the project, the JDK, Netty, Vert.x, Jackson, the PG or Redis client... */
    private static String area(RecordedFrame f) {
        RecordedMethod m = f.getMethod();
        if (m == null) {
            return "?";
        }
        String c = m.getType().getName();
        String[][] areas = {{"dev.chat.", "project (dev.chat)"}, {"io.netty.", "Netty"}, {"io.vertx.pgclient", "PostgreSQL client"},
                {"io.vertx.sqlclient", "SQL client"}, {"io.vertx.redis", "Redis client"}, {"io.vertx.", "Vert.x"},
                {"io.quarkus.websockets", "WebSockets Next"}, {"io.quarkus.", "Quarkus"}, {"io.smallrye.mutiny", "Mutiny"},
                {"io.smallrye.jwt", "SmallRye JWT"}, {"io.micrometer", "Micrometer"}, {"com.fasterxml.jackson", "Jackson"},
                {"org.jboss.logmanager", "logging"}, {"org.jboss.logging", "logging"}, {"java.util.concurrent", "JDK concurrency"},
                {"sun.nio", "JDK NIO"}, {"java.nio", "JDK NIO"}, {"java.", "JDK (other)"}, {"jdk.", "JDK (other)"},
                {"sun.", "JDK (other)"}};
        for (String[] a : areas) {
            if (c.startsWith(a[0])) {
                return a[1];
            }
        }
        int dot = c.lastIndexOf('.');
        return dot > 0 ? c.substring(0, dot) : c;
    }
}

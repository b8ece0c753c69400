package dev.chat.loadgen.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.concurrent.locks.LockSupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * How much of the machine the load tool itself takes, and whether it keeps up: its CPU time (all threads) and GC
 * time, and its scheduling lag, i.e. how late a thread that asked to wake up in 1 ms really wakes up. A lag in
 * milliseconds means the load tool (or the machine) was saturated: latencies measured then include the tool's own
 * delay, and its limit must not be taken for the server's. The event loop's own lag (a timer every 10 ms) is
 * recorded by the engine into {@link #loopLag()}.
 */
public final class SelfMonitor implements AutoCloseable {
    private static final long PROBE_NANOS = 1_000_000;

    private final Thread prober;
    private volatile boolean running = true;
    private final Object lock = new Object();
    private Histo threadLag = new Histo();
    private Histo loopLag = new Histo();
    private long lastCpu;
    private long lastWall;
    private long lastGc;

    public SelfMonitor() {
        lastCpu = cpuNanos();
        lastWall = System.nanoTime();
        lastGc = gcMillis();
        prober = new Thread(this::probe, "bench-lag-probe");
        prober.setDaemon(true);
        prober.start();
    }

    private void probe() {
        while (running) {
            long t = System.nanoTime();
            LockSupport.parkNanos(PROBE_NANOS);
            long late = System.nanoTime() - t - PROBE_NANOS;
            synchronized (lock) {
                threadLag.recordNanos(late);
            }
        }
    }

    /** From the engine's event-loop timer: how late the timer fired. */
    public void loopLate(long nanos) {
        synchronized (lock) {
            loopLag.recordNanos(nanos);
        }
    }

    public Histo loopLag() {
        synchronized (lock) {
            Histo h = new Histo();
            h.merge(loopLag);
            return h;
        }
    }

    /** Figures since the previous call (or since start), then starts a new interval. */
    public ObjectNode interval(ObjectMapper json) {
        long cpu = cpuNanos();
        long wall = System.nanoTime();
        long gc = gcMillis();
        ObjectNode o = json.createObjectNode();
        synchronized (lock) {
            o.put("cpuNanos", cpu - lastCpu).put("wallNanos", wall - lastWall).put("gcMillis", gc - lastGc);
            o.set("threadLag", threadLag.toJson(json));
            o.set("loopLag", loopLag.toJson(json));
            threadLag = new Histo();
            loopLag = new Histo();
        }
        o.put("heapUsed", Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory());
        o.put("rssKb", Proc.rssKb(ProcessHandle.current().pid()));
        lastCpu = cpu;
        lastWall = wall;
        lastGc = gc;
        return o;
    }

    /** Several processes' intervals, summed (CPU, GC) and merged (lags). */
    public static ObjectNode sum(ObjectMapper json, Iterable<JsonNode> intervals) {
        long cpu = 0;
        long wall = 0;
        long gc = 0;
        long rss = 0;
        Histo tl = new Histo();
        Histo ll = new Histo();
        for (JsonNode i : intervals) {
            cpu += i.path("cpuNanos").asLong();
            wall = Math.max(wall, i.path("wallNanos").asLong());
            gc += i.path("gcMillis").asLong();
            rss += Math.max(0, i.path("rssKb").asLong());
            tl.merge(Histo.fromJson(i.path("threadLag")));
            ll.merge(Histo.fromJson(i.path("loopLag")));
        }
        ObjectNode o = json.createObjectNode();
        o.put("cpuNanos", cpu).put("wallNanos", wall).put("gcMillis", gc).put("rssKb", rss);
        o.set("threadLag", tl.toJson(json));
        o.set("loopLag", ll.toJson(json));
        return o;
    }

    static long cpuNanos() {
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return sun.getProcessCpuTime();
        }
        return 0;
    }

    static long gcMillis() {
        long t = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            t += Math.max(0, gc.getCollectionTime());
        }
        return t;
    }

    @Override
    public void close() {
        running = false;
        prober.interrupt();
    }
}

package dev.chat.loadgen.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * The system's processes when the benchmark may look at them (same machine, a run dir of {@code scripts/up}):
 * {@code DIR/NAME.pid} names each component's PID, {@code DIR/NAME.start} its start time (so a recycled PID is
 * never taken for it). Used for memory per socket (VmRSS of the chat nodes and HAProxy, after a full GC in the
 * JVMs) and CPU per component (each process with its descendants). Without a PID directory everything here is
 * empty and the report says the server side was not measured.
 */
final class Servers {
    record Component(String name, long pid) {
        boolean jvm() {
            return name.startsWith("chat-node") || name.endsWith("-service");
        }
    }

    private final List<Component> components;

    private Servers(List<Component> components) {
        this.components = components;
    }

    static Servers none() {
        return new Servers(List.of());
    }

    static Servers fromPidDir(Path dir) {
        List<Component> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                String file = f.getFileName().toString();
                if (!file.endsWith(".pid")) {
                    continue;
                }
                String name = file.substring(0, file.length() - 4);
                long pid = Long.parseLong(Files.readString(f).trim());
                Path start = dir.resolve(name + ".start");
                String[] stat = Proc.stat(pid);
                if (stat == null || !Proc.alive(pid)) {
                    continue;
                }
                if (Files.isRegularFile(start) && !Files.readString(start).trim().equals(stat[19])) {
                    continue;
                }
                out.add(new Component(name, pid));
            }
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("cannot read the PID files in " + dir + ": " + e.getMessage(), e);
        }
        return new Servers(out);
    }

    boolean known() {
        return !components.isEmpty();
    }

    List<Component> components() {
        return components;
    }

    List<Component> chatNodes() {
        return components.stream().filter(c -> c.name().startsWith("chat-node")).toList();
    }

    /** VmRSS (KiB) of the chat nodes and HAProxy, after a full GC in each chat node when {@code gc}. */
    Map<String, Long> rss(boolean gc) {
        List<Component> measured = components.stream()
                .filter(c -> c.name().startsWith("chat-node") || c.name().equals("haproxy")).toList();
        if (gc) {
            List<CompletableFuture<Boolean>> runs = new ArrayList<>();
            for (Component c : measured) {
                if (c.jvm()) {
                    runs.add(CompletableFuture.supplyAsync(() -> Proc.gc(c.pid())));
                }
            }
            runs.forEach(CompletableFuture::join);
            Engine.sleep(500);
        }
        Map<String, Long> out = new LinkedHashMap<>();
        for (Component c : measured) {
            out.put(c.name(), Proc.rssKb(c.pid()));
        }
        return out;
    }

    /** Live heap by class, summed over the chat nodes (each histogram runs a full GC). */
    Map<String, Long> chatNodeHeap() {
        List<CompletableFuture<Map<String, Long>>> runs = new ArrayList<>();
        for (Component c : chatNodes()) {
            runs.add(CompletableFuture.supplyAsync(() -> Proc.classHistogram(c.pid())));
        }
        Map<String, Long> sum = new java.util.HashMap<>();
        for (CompletableFuture<Map<String, Long>> r : runs) {
            r.join().forEach((k, v) -> sum.merge(k, v, Long::sum));
        }
        return sum;
    }

    /**
     * The JVM options each Java component runs with, read from its command line: what a report's figures were
     * measured with, whatever the environment of whoever started the stack set ({@code CHAT_JAVA_OPTS},
     * {@code CHAT_JAVA_EXTRA_OPTS}).
     */
    Map<String, List<String>> jvmFlags() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (Component c : components) {
            if (c.jvm()) {
                out.put(c.name(), Proc.jvmFlags(c.pid()));
            }
        }
        return out;
    }

    /**
     * CPU nanoseconds so far of each Java component's JIT compiler threads, by name: part of {@link #cpu()}, the
     * part a JVM still compiling spends on compiling (its share falls as the hot code is compiled).
     */
    Map<String, Long> jitCpu() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (Component c : components) {
            if (c.jvm()) {
                out.put(c.name(), Proc.threadCpuNanos(c.pid(), Proc::jitCompiler));
            }
        }
        return out;
    }

    /** CPU nanoseconds so far of each component (with descendants), by name. */
    Map<String, Long> cpu() {
        List<Long> pids = components.stream().map(Component::pid).toList();
        Map<Long, Long> byPid = Proc.treeCpuNanos(pids);
        Map<String, Long> out = new LinkedHashMap<>();
        for (Component c : components) {
            out.put(c.name(), byPid.getOrDefault(c.pid(), 0L));
        }
        return out;
    }
}

package dev.chat.loadgen.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What Linux says about processes and the machine, from /proc: a process's resident memory (VmRSS), the CPU
 * time of a process and all its descendants (PostgreSQL works in one process per connection), of some of its
 * threads by name (a JVM's JIT compilers), the machine's busy CPU time and load average. Everything answers -1 or empty when /proc is not there.
 */
public final class Proc {
    private static final long CLK_TCK = clockTicks();

    private Proc() {
    }

    /** Resident set size in KiB, or -1 when the process is gone. */
    public static long rssKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone
        }
        return -1;
    }

    /**
     * A Java process's JVM options: the arguments between the launcher and {@code -jar} (or the main class), in order;
     * empty when the process is gone or is no JVM launched that way.
     */
    public static List<String> jvmFlags(long pid) {
        try {
            return jvmFlags(Files.readString(Path.of("/proc", Long.toString(pid), "cmdline")).split("\0"));
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    /** The options of a {@code java} command line (its argv): up to {@code -jar} or the first non-option. */
    static List<String> jvmFlags(String[] argv) {
        if (argv.length == 0 || !Path.of(argv[0]).getFileName().toString().equals("java")) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (int i = 1; i < argv.length && argv[i].startsWith("-") && !argv[i].equals("-jar"); i++) {
            out.add(argv[i]);
        }
        return out;
    }

    public static boolean alive(long pid) {
        String[] f = stat(pid);
        return f != null && !f[0].equals("Z") && !f[0].equals("X");
    }

    /** Fields from the state on (field 3 of /proc/PID/stat is index 0), or null. */
    static String[] stat(long pid) {
        try {
            return fieldsAfterName(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** A stat line's fields after the name in parentheses (which may hold spaces and parentheses itself). */
    private static String[] fieldsAfterName(String stat) {
        return stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
    }

    /** A stat line's name: what stands between the first '(' and the last ')', or "" when there is none. */
    private static String name(String stat) {
        int open = stat.indexOf('(');
        int close = stat.lastIndexOf(')');
        return open < 0 || close < open ? "" : stat.substring(open + 1, close);
    }

    /** CPU time (user + system) in nanoseconds of each given root process plus all its descendants. */
    public static Map<Long, Long> treeCpuNanos(List<Long> roots) {
        Map<Long, Long> parent = new HashMap<>();
        Map<Long, Long> ticks = new HashMap<>();
        try (var dirs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path d : dirs) {
                long pid = Long.parseLong(d.getFileName().toString());
                String[] f = stat(pid);
                if (f == null || f.length < 13) {
                    continue;
                }
                parent.put(pid, Long.parseLong(f[1]));
                ticks.put(pid, Long.parseLong(f[11]) + Long.parseLong(f[12]));
            }
        } catch (IOException | RuntimeException e) {
            return Map.of();
        }
        Map<Long, Long> out = new HashMap<>();
        for (long root : roots) {
            long sum = 0;
            for (Map.Entry<Long, Long> e : ticks.entrySet()) {
                if (descends(e.getKey(), root, parent)) {
                    sum += e.getValue();
                }
            }
            out.put(root, sum * 1_000_000_000L / CLK_TCK);
        }
        return out;
    }

    /**
     * CPU time (user + system) in nanoseconds of those threads of one process whose name ({@code comm}, at most 15
     * characters) {@code accepts}; 0 when the process is gone or no thread matches.
     */
    public static long threadCpuNanos(long pid, java.util.function.Predicate<String> accepts) {
        long ticks = 0;
        try (var tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path t : tasks) {
                String s;
                try {
                    s = Files.readString(t.resolve("stat"));
                } catch (IOException e) {
                    continue; // the thread ended between the listing and the read
                }
                if (!accepts.test(name(s))) {
                    continue;
                }
                String[] f = fieldsAfterName(s);
                ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return ticks * 1_000_000_000L / CLK_TCK;
    }

    /**
     * Whether a thread's name is one of HotSpot's JIT compiler threads ("C1 CompilerThread0", "C2 CompilerThread1",
     * cut by Linux to "C1 CompilerThre"): the CPU a JVM spends compiling rather than running the program.
     */
    public static boolean jitCompiler(String comm) {
        return comm.startsWith("C1 CompilerThre") || comm.startsWith("C2 CompilerThre");
    }

    private static boolean descends(long pid, long root, Map<Long, Long> parent) {
        for (int depth = 0; depth < 64 && pid > 1; depth++) {
            if (pid == root) {
                return true;
            }
            Long p = parent.get(pid);
            if (p == null) {
                return false;
            }
            pid = p;
        }
        return pid == root;
    }

    /** The machine's CPU time so far: {busy, total} in clock ticks (all cores), from /proc/stat. */
    public static long[] machineTicks() {
        try {
            String first = Files.readAllLines(Path.of("/proc/stat")).get(0);
            String[] f = first.trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length && i <= 8; i++) {
                total += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
            return new long[] {total - idle, total};
        } catch (IOException | RuntimeException e) {
            return new long[] {0, 0};
        }
    }

    /** "1.23 0.98 0.51" from /proc/loadavg, or "?". */
    public static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    public static int cores() {
        return Runtime.getRuntime().availableProcessors();
    }

    /** Full GC in a JVM through jcmd (its RSS then counts live data, not garbage); false when jcmd failed. */
    public static boolean gc(long pid) {
        return jcmd(pid, "GC.run");
    }

    /** jcmd PID ARGS..., bounded to 30 s; true when it exited 0 (jcmd exits 0 also when the JVM refused). */
    public static boolean jcmd(long pid, String... args) {
        return jcmdOutput(pid, args) != null;
    }

    /** What jcmd PID ARGS... printed, bounded to 30 s; null when it could not run, timed out or exited non-zero. */
    public static String jcmdOutput(long pid, String... args) {
        List<String> cmd = new ArrayList<>(List.of(jcmdPath(), Long.toString(pid)));
        cmd.addAll(List.of(args));
        try {
            Path out = Files.createTempFile("jcmd", ".out");
            try {
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    return null;
                }
                return p.exitValue() == 0 ? Files.readString(out) : null;
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** The effective user ID of a process (/proc/PID/status), or -1 when it is gone. */
    public static long uid(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("Uid:")) {
                    return Long.parseLong(line.trim().split("\\s+")[2]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone
        }
        return -1;
    }

    /**
     * The live objects of a JVM by class ({@code jcmd PID GC.class_histogram}, which runs a full GC first): bytes
     * per class name, plus "(total)"; empty when jcmd failed.
     */
    public static java.util.Map<String, Long> classHistogram(long pid) {
        java.util.Map<String, Long> out = new java.util.HashMap<>();
        try {
            Process p = new ProcessBuilder(jcmdPath(), Long.toString(pid), "GC.class_histogram").redirectErrorStream(true)
                    .start();
            for (String line : new String(p.getInputStream().readAllBytes()).split("\n")) {
                String[] f = line.trim().split("\\s+");
                if (f.length >= 4 && f[0].endsWith(":")) {
                    out.merge(f[3], Long.parseLong(f[2]), Long::sum);
                } else if (f.length >= 3 && f[0].equals("Total")) {
                    out.put("(total)", Long.parseLong(f[2]));
                }
            }
            p.waitFor(60, TimeUnit.SECONDS);
        } catch (IOException | RuntimeException e) {
            return java.util.Map.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return out;
    }

    private static String jcmdPath() {
        Path beside = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        return Files.isExecutable(beside) ? beside.toString() : "jcmd";
    }

    private static long clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor(5, TimeUnit.SECONDS);
            return Long.parseLong(out);
        } catch (IOException | RuntimeException e) {
            return 100;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 100;
        }
    }

    public static long clkTck() {
        return CLK_TCK;
    }
}

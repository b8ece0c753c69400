package dev.chat.loadgen.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The benchmark (issue 6), through the contract only: N users in pairs (across chat nodes where presence says
 * so), each sending R msgs/s of B bytes to its partner for D seconds after a warm-up, recipients acking. Prints
 * sent / acked / delivered / lost / shown twice, send-to-ack and send-to-delivery percentiles, delivered msgs/s,
 * connect times, the servers' memory per socket and CPU (when it may read their PIDs), and its own CPU and
 * scheduling lag, so that its own limit is never taken for the server's. Modes: {@code steady}, {@code ramp}
 * (steps the rate up until p99 send-to-delivery passes the target or something is lost; reports the highest rate
 * sustained) and {@code idle} (N sockets that send nothing: connect time and memory per socket). Above
 * {@code --max-sockets-per-proc} sockets it spreads the users over several load processes (pairs stay inside one
 * process, so both ends of a message are timed by one clock).
 *
 * <p>Exit 0 when nothing was lost, nothing shown twice, every message acked and every socket connected; 1
 * otherwise; 3 when the load could not be set up.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"The benchmark: pairs of users chatting through the contract; latency, throughput, memory per socket, and the load tool's own CPU and lag.",
                "scripts/bench starts a stack of its own and runs this; see docs/performance.md."})
public final class BenchCommand implements Callable<Integer> {
    enum Mode {
        steady, ramp, idle
    }

    @Option(names = "--url", required = true, paramLabel = "URL", description = "the system's entry point (HAProxy), e.g. http://127.0.0.1:8080")
    String url;

    @Option(names = "--ca-cert", paramLabel = "PEM", description = "trust exactly this certificate for https://")
    Path caCert;

    @Option(names = "--mode", defaultValue = "steady", description = "steady, ramp or idle (default: ${DEFAULT-VALUE})")
    Mode mode;

    @Option(names = "--users", defaultValue = "100", paramLabel = "N", description = "users (sockets), in pairs (default: ${DEFAULT-VALUE})")
    int users;

    @Option(names = "--rate", defaultValue = "1", paramLabel = "R", description = "steady: msgs/s each user sends to its partner (default: ${DEFAULT-VALUE})")
    double rate;

    @Option(names = "--duration", defaultValue = "30", paramLabel = "S", description = "steady: measured seconds (default: ${DEFAULT-VALUE})")
    long durationSeconds;

    /*
     * 60, not 30: at 1,000 msgs/s on two cores the per-second p99 send->delivery kept falling until about 40 s into
     * the traffic (medians of 19-72 ms in seconds 30-40, 10-21 ms in 40-60, both sides of two A/Bs; docs/performance.md,
     * eighth round), so a 30-s warm-up measured the services still compiling.
     */
    @Option(names = "--warmup", defaultValue = "60", paramLabel = "S", description = "steady and ramp: seconds of traffic before measuring (a ramp's at its first rate); the services' JIT needs them (default: ${DEFAULT-VALUE})")
    long warmupSeconds;

    @Option(names = "--body", defaultValue = "100", paramLabel = "B", description = "message body size in bytes (default: ${DEFAULT-VALUE})")
    int bodyBytes;

    /** 0: the tool's short IDs; 36 is a UUID's length, what the web client sends (MessageIds). */
    @Option(names = "--id-chars", defaultValue = "0", paramLabel = "N", description = "message IDs N characters long, spread like random ones (36: a UUID's, as the web client sends); 0: as short as they come, 10 to 14 (default: ${DEFAULT-VALUE})")
    int idChars;

    @Option(names = "--ramp-from", defaultValue = "1000", paramLabel = "MSGS", description = "ramp: first total rate, msgs/s (default: ${DEFAULT-VALUE})")
    double rampFrom;

    @Option(names = "--ramp-step", defaultValue = "1000", paramLabel = "MSGS", description = "ramp: added per step, msgs/s (default: ${DEFAULT-VALUE})")
    double rampStep;

    @Option(names = "--ramp-to", defaultValue = "30000", paramLabel = "MSGS", description = "ramp: highest total rate tried (default: ${DEFAULT-VALUE})")
    double rampTo;

    @Option(names = "--step-warmup", defaultValue = "5", paramLabel = "S", description = "ramp: seconds at a new rate before measuring it (default: ${DEFAULT-VALUE})")
    long stepWarmupSeconds;

    @Option(names = "--step-seconds", defaultValue = "15", paramLabel = "S", description = "ramp: measured seconds per step (default: ${DEFAULT-VALUE})")
    long stepSeconds;

    @Option(names = "--p99-target", defaultValue = "100", paramLabel = "MS", description = "ramp: a step passes with p99 send->delivery under this (default: ${DEFAULT-VALUE})")
    double p99TargetMillis;

    @Option(names = "--hold", defaultValue = "10", paramLabel = "S", description = "idle: seconds the sockets stay open before memory is read (default: ${DEFAULT-VALUE})")
    long holdSeconds;

    @Option(names = "--procs", defaultValue = "0", paramLabel = "P", description = "load processes (default: 1 per --max-sockets-per-proc sockets)")
    int procs;

    @Option(names = "--max-sockets-per-proc", defaultValue = "2500", paramLabel = "N", description = "default: ${DEFAULT-VALUE}")
    int maxSocketsPerProc;

    @Option(names = "--settle", defaultValue = "30", paramLabel = "S", description = "bound on the wait for a window's last acks and deliveries (default: ${DEFAULT-VALUE})")
    long settleSeconds;

    @Option(names = "--pids-dir", paramLabel = "DIR", description = "the stack's PID files (scripts/up's RUN/pids): enables memory per socket and CPU per component")
    Path pidsDir;

    @Option(names = "--counters-cmd", paramLabel = "CMD", description = "a shell command run at the start and end of each"
            + " measured window, printing lines 'NAME NUMBER' (scripts/bench passes PostgreSQL's WAL, statement and"
            + " table counters); their change per delivered message is reported")
    String countersCmd;

    @Option(names = "--no-gc", description = "read the chat nodes' RSS without a full GC (jcmd GC.run) first")
    boolean noGc;

    @Option(names = "--heap-histogram", description = "idle: also count the chat nodes' live heap per socket by class (jcmd GC.class_histogram at a tenth of the sockets and at the end)")
    boolean heapHistogram;

    @Option(names = "--jfr", paramLabel = "DIR", description = "steady: record the chat nodes with JFR (profile settings) during the measured window, into DIR, and print the hot spots")
    Path jfrDir;
    /** The recordings started for the measured window, by chat node. */
    private final Map<Servers.Component, Path> jfrFiles = new LinkedHashMap<>();

    @Option(names = "--json", paramLabel = "FILE", description = "also write the figures as JSON")
    Path jsonFile;

    @Option(names = "--prefix", paramLabel = "P", description = "account names are P + index (default: b + a random run id + '-'; a fixed prefix reuses accounts across runs)")
    String prefix;

    @Option(names = "--max-pending", defaultValue = "1000", paramLabel = "N", description = "a user with this many unacked messages skips its turn (counted) (default: ${DEFAULT-VALUE})")
    int maxPending;

    @Option(names = "--connect-concurrency", defaultValue = "64", paramLabel = "N", description = "upgrades in flight per load process (default: ${DEFAULT-VALUE})")
    int connectConcurrency;

    @Option(names = "--account-threads", defaultValue = "8", paramLabel = "N", description = "sign-ups and logins in flight per load process (default: ${DEFAULT-VALUE})")
    int accountThreads;

    @Option(names = "--ping-interval", defaultValue = "30000", paramLabel = "MS", description = "WebSocket ping per socket; 0: none (default: ${DEFAULT-VALUE})")
    long pingMillis;

    @Option(names = "--resend-after", defaultValue = "10000", paramLabel = "MS", description = "an unacked send is written again after this long (default: ${DEFAULT-VALUE})")
    long resendMillis;

    @Option(names = "--no-node-lookup", description = "do not ask presence-service where each socket landed (pairs are then not arranged across nodes)")
    boolean noNodeLookup;

    private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private PrintStream out;
    private List<WorkerLink> workers = new ArrayList<>();
    private ExecutorService pool;
    private Servers servers = Servers.none();
    private final ObjectNode summary = json.createObjectNode();

    @Override
    public Integer call() throws Exception {
        out = System.out;
        validate();
        if (pidsDir != null) {
            servers = Servers.fromPidDir(pidsDir);
        }
        int p = procs > 0 ? procs : Math.max(1, (users + maxSocketsPerProc - 1) / maxSocketsPerProc);
        p = Math.min(p, users / 2);
        String run = Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36, 36L * 36 * 36 * 36 * 36), 36);
        String accountPrefix = prefix != null ? prefix : "b" + run + "-";
        String password = "bench-pw-" + (prefix != null ? prefix : run);
        summary.put("mode", mode.name()).put("url", url).put("users", users).put("procs", p).put("bodyBytes", bodyBytes).put("idChars", idChars)
                .put("cores", Proc.cores()).put("loadBefore", Proc.loadAverage());
        out.printf(Locale.ROOT, "bench %s: %d users through %s, %d load process%s, machine %d cores, load average %s%n",
                mode, users, url, p, p == 1 ? "" : "es", Proc.cores(), Proc.loadAverage());
        if (idChars > 0) {
            out.printf(Locale.ROOT, "  message IDs of %d characters, spread like random ones%n", idChars);
        }
        if (!servers.known()) {
            out.println("  (no --pids-dir: the servers' memory and CPU are not measured)");
        } else {
            jvmFlags();
        }

        pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "bench-call");
            t.setDaemon(true);
            return t;
        });
        int code;
        try {
            Map<String, Long> rssBefore = servers.known() ? servers.rss(!noGc) : Map.of();
            startWorkers(p, run);
            if (!setup(p, accountPrefix, password)) {
                code = 3;
            } else {
                memory(rssBefore);
                code = switch (mode) {
                    case steady -> steady();
                    case ramp -> ramp();
                    case idle -> idle(rssBefore);
                };
            }
        } catch (RuntimeException e) {
            out.println("bench: " + e.getMessage());
            summary.put("error", String.valueOf(e.getMessage()));
            code = 3;
        } finally {
            List<CompletableFuture<Void>> closing = new ArrayList<>();
            for (WorkerLink w : workers) {
                closing.add(CompletableFuture.runAsync(() -> {
                    try {
                        w.call(json.createObjectNode().put("op", "close"));
                    } catch (RuntimeException e) {
                        // closing anyway
                    }
                    w.close();
                }, pool));
            }
            closing.forEach(f -> f.exceptionally(e -> null).join());
            pool.shutdownNow();
        }
        summary.put("loadAfter", Proc.loadAverage()).put("exit", code);
        out.printf(Locale.ROOT, "machine load average after: %s%n", Proc.loadAverage());
        if (jsonFile != null) {
            try {
                Files.writeString(jsonFile, json.writeValueAsString(summary));
            } catch (IOException e) {
                out.println("bench: cannot write " + jsonFile + ": " + e.getMessage());
            }
        }
        return code;
    }

    private void validate() {
        if (users < 2 || users % 2 != 0) {
            throw new IllegalArgumentException("--users must be an even number of at least 2 (users come in pairs)");
        }
        if (rate < 0 || durationSeconds < 1 || warmupSeconds < 0 || bodyBytes < 1 || bodyBytes > 4000) {
            throw new IllegalArgumentException("--rate >= 0, --duration >= 1, --warmup >= 0, 1 <= --body <= 4000");
        }
        if (idChars != 0 && (idChars < 24 || idChars > 64)) {
            throw new IllegalArgumentException("--id-chars is 0 (short IDs) or from 24 to 64 (the protocol's limit)");
        }
        if (mode == Mode.ramp && (rampFrom <= 0 || rampStep <= 0 || rampTo < rampFrom)) {
            throw new IllegalArgumentException("ramp: --ramp-from > 0, --ramp-step > 0, --ramp-to >= --ramp-from");
        }
        if (prefix != null && !prefix.matches("[a-z0-9_.-]{1,24}")) {
            throw new IllegalArgumentException("--prefix: 1 to 24 characters of [a-z0-9_.-]");
        }
    }

    // ------------------------------------------------------------------ workers

    private void startWorkers(int p, String run) {
        if (p == 1) {
            workers.add(new WorkerLink.Local(new ObjectMapper(), url, caCert, "b" + run + "w0"));
            return;
        }
        for (int i = 0; i < p; i++) {
            workers.add(new WorkerLink.Remote(new ObjectMapper(), url, caCert, "b" + run + "w" + i));
        }
    }

    /** The same request to every load process at once; the answers in process order. */
    private List<JsonNode> callAll(Function<Integer, JsonNode> request) {
        List<CompletableFuture<JsonNode>> calls = new ArrayList<>();
        for (int i = 0; i < workers.size(); i++) {
            WorkerLink w = workers.get(i);
            JsonNode req = request.apply(i);
            calls.add(CompletableFuture.supplyAsync(() -> w.call(req), pool));
        }
        List<JsonNode> answers = new ArrayList<>();
        for (CompletableFuture<JsonNode> c : calls) {
            try {
                answers.add(c.join());
            } catch (java.util.concurrent.CompletionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
            }
        }
        return answers;
    }

    private List<JsonNode> callAll(String op) {
        return callAll(i -> json.createObjectNode().put("op", op));
    }

    private void rateAll(double perUser) {
        callAll(i -> json.createObjectNode().put("op", "rate").put("perUser", perUser));
    }

    private int markAll() {
        int w = -1;
        for (JsonNode a : callAll("mark")) {
            w = a.path("window").asInt();
        }
        return w;
    }

    // ------------------------------------------------------------------ setup

    private boolean setup(int p, String accountPrefix, String password) {
        int perProc = users / p / 2 * 2;
        int[] sizes = new int[p];
        int left = users;
        for (int i = 0; i < p; i++) {
            sizes[i] = i == p - 1 ? left : perProc;
            left -= sizes[i];
        }
        int[] firsts = new int[p];
        for (int i = 1; i < p; i++) {
            firsts[i] = firsts[i - 1] + sizes[i - 1];
        }
        long t0 = System.nanoTime();
        boolean twoSteps = mode == Mode.idle && servers.known();
        List<JsonNode> answers = callAll(i -> {
            ObjectNode s = json.createObjectNode().put("op", "setup").put("users", sizes[i]).put("firstIndex", firsts[i])
                    .put("prefix", accountPrefix).put("password", password).put("maxPending", maxPending)
                    .put("resendMs", resendMillis).put("bodyBytes", bodyBytes).put("idChars", idChars).put("pingMs", pingMillis)
                    .put("connectConcurrency", connectConcurrency).put("accountThreads", accountThreads)
                    .put("lookupNodes", !noNodeLookup && mode != Mode.idle);
            if (twoSteps) {
                s.put("connectCount", Math.max(1, sizes[i] / 10));
            }
            return s;
        });
        if (twoSteps) {
            // Memory per socket from the slope between a tenth of the sockets and all of them: one-time costs
            // (classes loaded, JIT, buffer pools) of the first sockets stay out of the figure.
            long first = 0;
            for (JsonNode a : answers) {
                first += a.path("open").asLong();
            }
            Engine.sleep(2000);
            rssAtFirst = servers.rss(!noGc);
            socketsAtFirst = first;
            if (heapHistogram) {
                heapAtFirst = servers.chatNodeHeap();
            }
            List<JsonNode> rest = callAll("connect");
            for (int i = 0; i < answers.size(); i++) {
                ((ObjectNode) answers.get(i)).setAll((ObjectNode) rest.get(i));
            }
        }
        long open = 0;
        long failures = 0;
        long pairs = 0;
        long cross = 0;
        long accountsMs = 0;
        long connectWallMs = 0;
        Histo connect = new Histo();
        Map<String, Integer> perNode = new TreeMap<>();
        Map<String, Long> failureReasons = new TreeMap<>();
        for (JsonNode a : answers) {
            open += a.path("open").asLong();
            failures += a.path("connectFailures").asLong();
            pairs += a.path("pairs").asLong();
            cross += a.path("crossNodePairs").asLong();
            accountsMs = Math.max(accountsMs, a.path("accountsMillis").asLong());
            connectWallMs = Math.max(connectWallMs, a.path("connectWallMillis").asLong());
            connect.merge(Histo.fromJson(a.path("connect")));
            a.path("perNode").fields().forEachRemaining(e -> perNode.merge(e.getKey(), e.getValue().asInt(), Integer::sum));
            a.path("connectFailureReasons").fields()
                    .forEachRemaining(e -> failureReasons.merge(e.getKey(), e.getValue().asLong(), Long::sum));
        }
        out.printf(Locale.ROOT, "accounts  %d signed up and logged in in %.1f s%n", users, accountsMs / 1000.0);
        out.printf(Locale.ROOT, "connect   %d of %d sockets open in %.1f s (%d upgrades in flight per process), %d failed attempts;"
                + " per socket %s%n", open, users, connectWallMs / 1000.0, connectConcurrency, failures, connect.summary());
        if (!failureReasons.isEmpty()) {
            out.printf("          failed attempts (each retried with backoff): %s%n", failureReasons);
        }
        if (mode != Mode.idle) {
            out.printf(Locale.ROOT, "pairs     %d (%d across nodes); sockets per node %s%n", pairs, cross, perNode);
        }
        ObjectNode c = summary.putObject("connect");
        c.put("open", open).put("failedAttempts", failures).put("wallSeconds", connectWallMs / 1000.0)
                .put("accountsSeconds", accountsMs / 1000.0).put("pairs", pairs).put("crossNodePairs", cross)
                .put("totalSeconds", (System.nanoTime() - t0) / 1e9);
        c.set("perSocket", connect.percentilesJson(json));
        c.set("perNode", json.valueToTree(perNode));
        c.set("failureReasons", json.valueToTree(failureReasons));
        if (open < users) {
            out.printf("bench: only %d of %d sockets connected%n", open, users);
            summary.put("pass", false);
            return false;
        }
        return true;
    }

    /**
     * What the services' JVMs run with, from their command lines, in the report: an exported CHAT_JAVA_OPTS or
     * CHAT_JAVA_EXTRA_OPTS reaches every stack scripts/up starts, both sides of an A/B alike, and would otherwise
     * go unseen beside the figures. One line when every service has the same options.
     */
    private void jvmFlags() {
        Map<String, List<String>> flags = servers.jvmFlags();
        ObjectNode json = summary.putObject("jvmFlags");
        flags.forEach((name, f) -> {
            ArrayNode each = json.putArray(name);
            f.forEach(each::add);
        });
        if (flags.values().stream().distinct().count() == 1) {
            out.printf(Locale.ROOT, "jvm       %s (every service: %s)%n",
                    String.join(" ", flags.values().iterator().next()), String.join(", ", flags.keySet()));
        } else {
            flags.forEach((name, f) -> out.printf(Locale.ROOT, "jvm       %s: %s%n", name, String.join(" ", f)));
        }
    }

    /** RSS of the chat nodes and HAProxy now, against before the sockets opened, per socket. */
    private void memory(Map<String, Long> before) {
        if (!servers.known()) {
            return;
        }
        Engine.sleep(2000);
        Map<String, Long> after = servers.rss(!noGc);
        long nodesBefore = 0;
        long nodesAfter = 0;
        StringBuilder per = new StringBuilder();
        ObjectNode m = summary.putObject("memory");
        for (Map.Entry<String, Long> e : after.entrySet()) {
            long b = before.getOrDefault(e.getKey(), 0L);
            m.putObject(e.getKey()).put("beforeKb", b).put("afterKb", e.getValue());
            if (e.getKey().startsWith("chat-node")) {
                nodesBefore += b;
                nodesAfter += e.getValue();
                per.append(String.format(Locale.ROOT, "%s %d→%d MiB, ", e.getKey(), b / 1024, e.getValue() / 1024));
            }
        }
        double nodesKb = (nodesAfter - nodesBefore) / (double) users;
        long hb = before.getOrDefault("haproxy", 0L);
        long ha = after.getOrDefault("haproxy", 0L);
        double haKb = (ha - hb) / (double) users;
        m.put("chatNodesKbPerSocket", nodesKb).put("haproxyKbPerSocket", haKb).put("gcBeforeReading", !noGc);
        out.printf(Locale.ROOT, "memory    chat nodes' RSS %+.1f MiB for %d sockets = %.1f KiB per socket (%s%s); haproxy %+.1f MiB = %.1f KiB per socket%n",
                (nodesAfter - nodesBefore) / 1024.0, users, nodesKb, per, noGc ? "no GC before reading" : "after a full GC",
                (ha - hb) / 1024.0, haKb);
        if (rssAtFirst != null && users > socketsAtFirst) {
            long n0 = 0;
            for (Map.Entry<String, Long> e : rssAtFirst.entrySet()) {
                if (e.getKey().startsWith("chat-node")) {
                    n0 += e.getValue();
                }
            }
            long added = users - socketsAtFirst;
            double slope = (nodesAfter - n0) / (double) added;
            double haSlope = (ha - rssAtFirst.getOrDefault("haproxy", 0L)) / (double) added;
            m.put("chatNodesKbPerSocketMarginal", slope).put("haproxyKbPerSocketMarginal", haSlope)
                    .put("socketsAtFirstReading", socketsAtFirst);
            out.printf(Locale.ROOT, "memory    marginal, from %d to %d sockets: chat nodes %.1f KiB per socket, haproxy %.1f KiB per socket"
                    + " (one-time costs of the first sockets left out)%n", socketsAtFirst, users, slope, haSlope);
        }
    }

    private Map<String, Long> rssAtFirst;
    private Map<String, Long> heapAtFirst;
    private long socketsAtFirst;

    /** The live heap added per socket between the two readings, in all and for the classes that grew most. */
    private void heapPerSocket() {
        if (heapAtFirst == null || heapAtFirst.isEmpty()) {
            return;
        }
        Map<String, Long> after = servers.chatNodeHeap();
        long added = users - socketsAtFirst;
        double total = (after.getOrDefault("(total)", 0L) - heapAtFirst.getOrDefault("(total)", 0L)) / 1024.0 / added;
        ObjectNode h = ((ObjectNode) summary.path("memory")).putObject("liveHeapPerSocket");
        h.put("totalKb", total);
        out.printf(Locale.ROOT, "heap      chat nodes' live heap (after full GC) %.2f KiB per socket, marginal from %d to %d sockets; by class (bytes per socket):%n",
                total, socketsAtFirst, users);
        after.entrySet().stream().filter(e -> !e.getKey().equals("(total)"))
                .map(e -> Map.entry(e.getKey(), e.getValue() - heapAtFirst.getOrDefault(e.getKey(), 0L)))
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(25).forEach(e -> {
                    double per = e.getValue() / (double) added;
                    h.put(e.getKey(), per);
                    out.printf(Locale.ROOT, "          %8.0f  %s%n", per, e.getKey());
                });
    }

    // ------------------------------------------------------------------ modes

    private int steady() {
        double offered = rate * users;
        out.printf(Locale.ROOT, "traffic   each user %.2f msgs/s to its partner = %.0f msgs/s offered, body %d B; warm-up %d s, measured %d s%n",
                rate, offered, bodyBytes, warmupSeconds, durationSeconds);
        summary.put("ratePerUser", rate).put("offered", offered).put("warmupSeconds", warmupSeconds)
                .put("durationSeconds", durationSeconds);
        callAll("monitor");
        rateAll(rate);
        Engine.sleep(warmupSeconds * 1000);
        // jcmd takes a while on a busy machine: recording starts before the window and stops after it.
        startJfr();
        Sample s0 = sample();
        int measured = markAll();
        Engine.sleep(durationSeconds * 1000);
        int tail = markAll();
        Sample s1 = sample();
        stopJfr();
        rateAll(0);
        Window w = report(measured);
        printWindow("measured", w, offered);
        printUsage(s0, s1);
        StoreCost cost = storeCost(s0, s1, w.arrivals);
        printStoreCost(cost, w.arrivals);
        summary.set("measured", w.toJson(offered));
        summary.set("usage", usageJson(s0, s1));
        summary.set("store", cost.toJson(json));
        summary.set("timeline", timeline(List.of(new Named("measured", measured))));
        return verdict(0, tail);
    }

    private int ramp() {
        out.printf(Locale.ROOT, "ramp      from %.0f to %.0f msgs/s in steps of %.0f; per step %d s at the rate, then %d s measured;"
                + " a step passes with p99 send->delivery < %.0f ms, nothing lost, everything acked and >= 95%% of the offered rate delivered;"
                + " the ramp goes on past a missed latency target until the rate is no longer delivered in full (saturated);"
                + " lost and unacked are counted after a wait of up to 15 s%n",
                rampFrom, rampTo, rampStep, stepWarmupSeconds, stepSeconds, p99TargetMillis);
        // Warmed up at the first rate: a first step measured seconds after the connects measured the services still
        // compiling (in the seventh round's A/B neither side kept p99 under 100 ms at any step, 1,000 msgs/s included).
        out.printf(Locale.ROOT, "warm-up   %d s at %.0f msgs/s before the first step%n", warmupSeconds, rampFrom);
        summary.put("warmupSeconds", warmupSeconds);
        rateAll(rampFrom / users);
        Engine.sleep(warmupSeconds * 1000);
        out.printf("%9s %9s %11s %8s %8s %8s %9s %8s %6s %7s %8s %8s %8s %9s %9s  %s%n", "offered/s", "sent/s", "delivered/s",
                "ack p99", "del p50", "del p99", "del p99.9", "del max", "lost", "unacked", "tool CPU", "lag p99", "machine",
                "WAL B/msg", "PG µs/msg", "");
        ArrayNode steps = summary.putArray("ramp");
        List<Named> stepWindows = new ArrayList<>();
        double best = 0;
        double keptUp = 0;
        int first = -1;
        for (double total = rampFrom; total <= rampTo + 1e-9; total += rampStep) {
            double perUser = total / users;
            rateAll(perUser);
            Engine.sleep(stepWarmupSeconds * 1000);
            Sample s0 = sample();
            int w = markAll();
            if (first < 0) {
                first = w;
            }
            stepWindows.add(new Named(String.format(Locale.ROOT, "%.0f/s", total), w));
            Engine.sleep(stepSeconds * 1000);
            markAll();
            Sample s1 = sample();
            Window r = report(w, Math.min(settleSeconds, 15));
            double secs = r.durationNanos / 1e9;
            double p99 = r.delivery.percentileMillis(0.99);
            boolean kept = r.settled && r.lost == 0 && r.unacked == 0 && r.arrivals / secs >= 0.95 * total
                    && r.sent / secs >= 0.95 * total;
            boolean pass = kept && p99 < p99TargetMillis;
            Usage u = usage(s0, s1);
            StoreCost cost = storeCost(s0, s1, r.arrivals);
            out.printf(Locale.ROOT, "%9.0f %9.0f %11.0f %8s %8s %8s %9s %8s %6d %7d %8.2f %8s %8.2f %9s %9s  %s%n", total,
                    r.sent / secs, r.arrivals / secs, Histo.fmt(r.ack.percentileMillis(0.99)),
                    Histo.fmt(r.delivery.percentileMillis(0.5)), Histo.fmt(p99), Histo.fmt(r.delivery.percentileMillis(0.999)),
                    Histo.fmt(r.delivery.maxMillis()), r.lost, r.unacked, u.toolCores, Histo.fmt(u.threadLag.percentileMillis(0.99)),
                    u.machineCores, fmt0(cost.walBytes()), fmt0(cost.pgCpuMicros()),
                    pass ? "pass" : kept ? "p99 over target" : "SATURATED");
            ObjectNode step = r.toJson(total);
            step.set("store", cost.toJson(json));
            step.put("pass", pass).put("keptUp", kept);
            step.set("usage", usageJson(s0, s1));
            steps.add(step);
            if (pass) {
                best = total;
            }
            if (kept) {
                keptUp = total;
            } else {
                // Saturated: the rate is no longer delivered in full (or the step did not settle); higher steps
                // would only pile up more backlog.
                break;
            }
        }
        rateAll(0);
        int last = markAll();
        summary.put("highestSustained", best).put("highestKeptUp", keptUp);
        summary.put("p99TargetMillis", p99TargetMillis);
        summary.set("timeline", timeline(stepWindows));
        out.printf(Locale.ROOT, "highest   %.0f msgs/s sustained with p99 send->delivery < %.0f ms and nothing lost%s%n", best,
                p99TargetMillis, best == 0 ? " (none: the first step missed it)" : "");
        out.printf(Locale.ROOT, "saturates %s%n", keptUp == 0 ? "at the first step"
                : String.format(Locale.ROOT, "above %.0f msgs/s: the highest step whose rate was delivered in full and settled, whatever its latency", keptUp));
        return verdict(0, last);
    }

    private int idle(Map<String, Long> rssBefore) {
        out.printf(Locale.ROOT, "idle      %d sockets open, sending nothing, for %d s%n", users, holdSeconds);
        callAll("monitor");
        Sample s0 = sample();
        Engine.sleep(holdSeconds * 1000);
        Sample s1 = sample();
        printUsage(s0, s1);
        summary.set("usage", usageJson(s0, s1));
        if (servers.known()) {
            // Again after the hold: the figure that counts once connection bursts are over.
            Map<String, Long> after = servers.rss(!noGc);
            long b = 0;
            long a = 0;
            for (Map.Entry<String, Long> e : after.entrySet()) {
                if (e.getKey().startsWith("chat-node")) {
                    b += rssBefore.getOrDefault(e.getKey(), 0L);
                    a += e.getValue();
                }
            }
            double kb = (a - b) / (double) users;
            ObjectNode m = (ObjectNode) summary.path("memory");
            m.put("chatNodesKbPerSocketAfterHold", kb);
            String marginal = "";
            if (rssAtFirst != null && users > socketsAtFirst) {
                long n0 = 0;
                for (Map.Entry<String, Long> e : rssAtFirst.entrySet()) {
                    if (e.getKey().startsWith("chat-node")) {
                        n0 += e.getValue();
                    }
                }
                double slope = (a - n0) / (double) (users - socketsAtFirst);
                m.put("chatNodesKbPerSocketMarginalAfterHold", slope);
                marginal = String.format(Locale.ROOT, "; marginal (from %d sockets) %.1f KiB per socket", socketsAtFirst, slope);
            }
            out.printf(Locale.ROOT, "memory    after %d s idle: chat nodes' RSS %+.1f MiB = %.1f KiB per socket%s%n", holdSeconds,
                    (a - b) / 1024.0, kb, marginal);
            heapPerSocket();
        }
        JsonNode counters = mergeCounters();
        long drops = counters.path("drops").asLong();
        boolean pass = drops == 0 && counters.path("open").asLong() == users;
        summary.put("pass", pass);
        out.printf("verdict   %s: %d of %d sockets still open, %d dropped%n", pass ? "PASS" : "FAIL",
                counters.path("open").asLong(), users, drops);
        return pass ? 0 : 1;
    }

    /** Whole-run correctness over windows first..last; prints and records the verdict. */
    private int verdict(int first, int last) {
        long sent = 0;
        long acked = 0;
        long delivered = 0;
        long lost = 0;
        long unacked = 0;
        long twice = 0;
        long again = 0;
        boolean settled = true;
        for (int w = first; w <= last; w++) {
            Window r = report(w, settleSeconds);
            sent += r.sent;
            acked += r.acked;
            delivered += r.delivered;
            lost += r.lost;
            unacked += r.unacked;
            twice += r.shownTwice;
            again += r.redelivered;
            settled &= r.settled;
        }
        JsonNode counters = mergeCounters();
        out.printf(Locale.ROOT, "whole run sent %d, acked %d, delivered %d, lost %d, unacked %d, shown twice %d, redelivered"
                + " (dropped by ID) %d; sockets dropped %d, sends written again %d, misrouted %d, error frames %s%n", sent, acked,
                delivered, lost, unacked, twice, again, counters.path("drops").asLong(), counters.path("resent").asLong(),
                counters.path("misrouted").asLong(), counters.path("errors"));
        boolean pass = lost == 0 && twice == 0 && unacked == 0 && counters.path("misrouted").asLong() == 0;
        ObjectNode whole = summary.putObject("whole");
        whole.put("sent", sent).put("acked", acked).put("delivered", delivered).put("lost", lost).put("unacked", unacked)
                .put("shownTwice", twice).put("redelivered", again).put("settled", settled);
        whole.set("counters", counters);
        summary.put("pass", pass);
        String verdict;
        if (pass) {
            verdict = "PASS: nothing lost, nothing shown twice, everything acked";
        } else if (!settled && twice == 0 && counters.path("misrouted").asLong() == 0) {
            // Still catching up: what is not shown yet may come later. Only a run that settled proves a loss.
            verdict = String.format(Locale.ROOT, "FAIL: the system had not caught up within --settle %d s after the load"
                    + " stopped: %d acked messages not shown yet, %d sends not acked yet (late, not proven lost:"
                    + " a longer --settle tells)", settleSeconds, lost, unacked);
        } else {
            verdict = "FAIL: " + (lost > 0 ? lost + " lost (acked, never shown) " : "") + (twice > 0 ? twice + " shown twice " : "")
                    + (unacked > 0 ? unacked + " never acked " : "")
                    + (counters.path("misrouted").asLong() > 0 ? counters.path("misrouted").asLong() + " misrouted" : "");
        }
        out.printf("verdict   %s%n", verdict);
        return pass ? 0 : 1;
    }

    private JsonNode mergeCounters() {
        ObjectNode o = json.createObjectNode();
        Map<String, Long> errors = new TreeMap<>();
        Map<String, Long> reasons = new TreeMap<>();
        for (JsonNode c : callAll("counters")) {
            for (String k : List.of("open", "connects", "connectFailures", "drops", "resent", "misrouted")) {
                o.put(k, o.path(k).asLong() + c.path(k).asLong());
            }
            c.path("errors").fields().forEachRemaining(e -> errors.merge(e.getKey(), e.getValue().asLong(), Long::sum));
            c.path("dropReasons").fields().forEachRemaining(e -> reasons.merge(e.getKey(), e.getValue().asLong(), Long::sum));
        }
        o.set("errors", json.valueToTree(errors));
        o.set("dropReasons", json.valueToTree(reasons));
        return o;
    }

    // ------------------------------------------------------------------ windows

    /** One window's figures, summed over the load processes. */
    private final class Window {
        long sent;
        long acked;
        long delivered;
        long lost;
        long unacked;
        long shownTwice;
        long redelivered;
        long arrivals;
        long skipped;
        long latencyUnknown;
        long durationNanos;
        boolean settled = true;
        final Histo ack = new Histo();
        final Histo delivery = new Histo();

        ObjectNode toJson(double offered) {
            double secs = durationNanos / 1e9;
            ObjectNode o = json.createObjectNode();
            o.put("offered", offered).put("seconds", secs).put("sent", sent).put("acked", acked).put("delivered", delivered)
                    .put("lost", lost).put("unacked", unacked).put("shownTwice", shownTwice).put("redelivered", redelivered)
                    .put("skipped", skipped).put("settled", settled).put("sentPerSecond", sent / secs)
                    .put("deliveredPerSecond", arrivals / secs).put("latencyUnknown", latencyUnknown);
            o.set("sendToAck", ack.percentilesJson(json));
            o.set("sendToDelivery", delivery.percentilesJson(json));
            ((ObjectNode) o.path("sendToAck")).set("curve", ack.curveJson(json));
            ((ObjectNode) o.path("sendToDelivery")).set("curve", delivery.curveJson(json));
            return o;
        }
    }

    /** A window with a name for the chart (the measured window, or a ramp step's). */
    private record Named(String name, int window) {
    }

    /**
     * The run second by second for the chart, every load process merged ({@link PerSecond#merge}), with where each
     * of {@code windows} began and ended on that clock (the first load process's).
     */
    private ObjectNode timeline(List<Named> windows) {
        List<JsonNode> parts = callAll("seconds");
        ObjectNode t = json.createObjectNode();
        t.set("seconds", PerSecond.merge(json, parts));
        ArrayNode named = t.putArray("windows");
        JsonNode starts = parts.get(0).path("windowStarts");
        for (Named n : windows) {
            double from = starts.path(n.window()).asDouble(Double.NaN);
            double to = starts.path(n.window() + 1).asDouble(Double.NaN);
            if (Double.isFinite(from) && Double.isFinite(to)) {
                named.addObject().put("name", n.name()).put("from", from).put("to", to);
            }
        }
        return t;
    }

    private Window report(int w) {
        return report(w, settleSeconds);
    }

    private Window report(int w, long settle) {
        Window r = new Window();
        for (JsonNode a : callAll(i -> json.createObjectNode().put("op", "report").put("window", w)
                .put("settleMillis", settle * 1000))) {
            r.sent += a.path("sent").asLong();
            r.acked += a.path("acked").asLong();
            r.delivered += a.path("delivered").asLong();
            r.lost += a.path("lost").asLong();
            r.unacked += a.path("unacked").asLong();
            r.shownTwice += a.path("shownTwice").asLong();
            r.redelivered += a.path("redelivered").asLong();
            r.arrivals += a.path("arrivals").asLong();
            r.skipped += a.path("skipped").asLong();
            r.latencyUnknown += a.path("latencyUnknown").asLong();
            r.durationNanos = Math.max(r.durationNanos, a.path("durationNanos").asLong());
            r.settled &= a.path("settled").asBoolean();
            r.ack.merge(Histo.fromJson(a.path("ack")));
            r.delivery.merge(Histo.fromJson(a.path("delivery")));
        }
        return r;
    }

    private void printWindow(String name, Window r, double offered) {
        double secs = r.durationNanos / 1e9;
        out.printf(Locale.ROOT, "%-9s %.1f s: sent %d (%.0f/s of %.0f/s offered; %d turns skipped at --max-pending), acked %d,"
                + " delivered %d (%.0f/s), lost %d, unacked %d, shown twice %d, redelivered %d%s%n", name, secs, r.sent,
                r.sent / secs, offered, r.skipped, r.acked, r.delivered, r.arrivals / secs, r.lost, r.unacked, r.shownTwice,
                r.redelivered, r.settled ? "" : " (not settled within --settle)");
        out.printf("send→ack       %s%n", r.ack.summary());
        out.printf("send→delivery  %s%n", r.delivery.summary());
    }

    // ------------------------------------------------------------------ resources

    private record Sample(long nanos, List<JsonNode> tool, Map<String, Long> cpu, Map<String, Long> jit,
            long[] machine, Map<String, Double> counters) {
    }

    private record Usage(double toolCores, long gcMillis, Histo threadLag, Histo loopLag, double machineCores,
            Map<String, Double> components, Map<String, Double> jit) {
    }

    /** A reading of the load processes (their intervals restart here), the components' CPU and the machine's. */
    private Sample sample() {
        List<JsonNode> tool = callAll("monitor");
        return new Sample(System.nanoTime(), tool, servers.cpu(), servers.jitCpu(), Proc.machineTicks(),
                Counters.read(countersCmd));
    }

    private Usage usage(Sample a, Sample b) {
        double secs = (b.nanos - a.nanos) / 1e9;
        JsonNode t = SelfMonitor.sum(json, b.tool);
        double toolCores = t.path("cpuNanos").asLong() / 1e9 / secs;
        long[] m0 = a.machine;
        long[] m1 = b.machine;
        double machine = m1[1] - m0[1] > 0 ? (double) (m1[0] - m0[0]) / (m1[1] - m0[1]) * Proc.cores() : Double.NaN;
        return new Usage(toolCores, t.path("gcMillis").asLong(), Histo.fromJson(t.path("threadLag")),
                Histo.fromJson(t.path("loopLag")), machine, cores(a.cpu, b.cpu, secs), cores(a.jit, b.jit, secs));
    }

    private static Map<String, Double> cores(Map<String, Long> before, Map<String, Long> after, double secs) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (Map.Entry<String, Long> e : after.entrySet()) {
            out.put(e.getKey(), (e.getValue() - before.getOrDefault(e.getKey(), 0L)) / 1e9 / secs);
        }
        return out;
    }

    private void printUsage(Sample a, Sample b) {
        Usage u = usage(a, b);
        out.printf(Locale.ROOT, "load tool CPU %.2f cores (%d process%s), GC %d ms; scheduling lag (1 ms sleeps) p50 %s p99 %s max %s ms;"
                + " event-loop lag p99 %s max %s ms%n", u.toolCores, workers.size(), workers.size() == 1 ? "" : "es", u.gcMillis,
                Histo.fmt(u.threadLag.percentileMillis(0.5)), Histo.fmt(u.threadLag.percentileMillis(0.99)),
                Histo.fmt(u.threadLag.maxMillis()), Histo.fmt(u.loopLag.percentileMillis(0.99)), Histo.fmt(u.loopLag.maxMillis()));
        StringBuilder sb = new StringBuilder();
        u.components.forEach((k, v) -> sb.append(String.format(Locale.ROOT, "%s %.2f, ", k, v)));
        out.printf(Locale.ROOT, "CPU       machine %.2f of %d cores busy%s%n", u.machineCores, Proc.cores(),
                sb.length() == 0 ? "" : "; " + sb.substring(0, sb.length() - 2) + " cores");
        if (!u.jit.isEmpty()) {
            StringBuilder jit = new StringBuilder();
            u.jit.forEach((k, v) -> jit.append(String.format(Locale.ROOT, "%s %.2f, ", k, v)));
            out.printf(Locale.ROOT, "          of which JIT compiler threads: %s cores%n",
                    jit.substring(0, jit.length() - 2));
            double share = chatNodesJitShare(u);
            if (share > STILL_COMPILING) {
                out.printf(Locale.ROOT, "note      the chat nodes' JIT compilers took %.0f %% of their CPU in this window: they were"
                        + " still compiling, so their CPU and the latencies include warm-up work (a longer --warmup measures"
                        + " them compiled)%n", share * 100);
            }
        }
    }

    /**
     * The share of the chat nodes' JIT compilers in the chat nodes' CPU above which a window counts as measured
     * while they were still compiling: once the hot path is compiled they take a few percent at most.
     */
    static final double STILL_COMPILING = 0.10;

    /** The chat nodes' JIT compilers' CPU over the chat nodes' CPU, 0 when not measured. */
    static double chatNodesJitShare(Map<String, Double> cores, Map<String, Double> jit) {
        double all = 0;
        double compiling = 0;
        for (Map.Entry<String, Double> e : cores.entrySet()) {
            if (e.getKey().startsWith("chat-node")) {
                all += e.getValue();
                compiling += jit.getOrDefault(e.getKey(), 0.0);
            }
        }
        return all > 0 ? compiling / all : 0;
    }

    private static double chatNodesJitShare(Usage u) {
        return chatNodesJitShare(u.components, u.jit);
    }

    private ObjectNode usageJson(Sample a, Sample b) {
        Usage u = usage(a, b);
        ObjectNode o = json.createObjectNode();
        o.put("loadToolCores", u.toolCores).put("loadToolGcMillis", u.gcMillis).put("machineBusyCores", u.machineCores);
        o.set("schedulingLag", u.threadLag.percentilesJson(json));
        o.set("eventLoopLag", u.loopLag.percentilesJson(json));
        o.set("componentCores", json.valueToTree(u.components));
        o.set("componentJitCores", json.valueToTree(u.jit));
        o.put("chatNodesJitShare", chatNodesJitShare(u));
        return o;
    }

    // ------------------------------------------------------------------ the store's cost per message

    /**
     * PostgreSQL's cost per delivered message over one window, NaN where not measured: WAL bytes (LSN difference),
     * WAL records and full-page images (pg_stat_wal), CPU of its processes (/proc, the postmaster's tree) and
     * statement execution time (pg_stat_statements), and the counter deltas themselves.
     */
    record StoreCost(long messages, double walBytes, double walRecords, double walFpi, double pgCpuMicros,
            double statementMicros, Map<String, Double> deltas) {
        ObjectNode toJson(ObjectMapper json) {
            ObjectNode o = json.createObjectNode();
            o.put("messages", messages);
            put(o, "walBytesPerMessage", walBytes);
            put(o, "walRecordsPerMessage", walRecords);
            put(o, "walFullPageImagesPerMessage", walFpi);
            put(o, "pgCpuMicrosPerMessage", pgCpuMicros);
            put(o, "statementMicrosPerMessage", statementMicros);
            ObjectNode d = o.putObject("counterDeltas");
            deltas.forEach((k, v) -> put(d, k, v));
            return o;
        }

        private static void put(ObjectNode o, String k, double v) {
            if (!Double.isNaN(v)) {
                o.put(k, v);
            }
        }
    }

    private static StoreCost storeCost(Sample a, Sample b, long messages) {
        Map<String, Double> deltas = Counters.deltas(a.counters, b.counters);
        double n = messages > 0 ? messages : Double.NaN;
        Long pg0 = postgresCpu(a.cpu);
        Long pg1 = postgresCpu(b.cpu);
        double pgCpu = pg0 == null || pg1 == null ? Double.NaN : (pg1 - pg0) / 1e3 / n;
        return new StoreCost(messages, deltas.getOrDefault("wal_lsn_bytes", Double.NaN) / n,
                deltas.getOrDefault("wal_records", Double.NaN) / n, deltas.getOrDefault("wal_fpi", Double.NaN) / n, pgCpu,
                deltas.getOrDefault("statement_ms", Double.NaN) * 1e3 / n, deltas);
    }

    /** A replicated member's components: Patroni and the PostgreSQL server it started. */
    static final String POSTGRES_MEMBER = "pg-[0-9]+(-server)?";

    /**
     * PostgreSQL's CPU nanoseconds: the single stack's postgres, or on the replicated one (scripts/bench --ha) both
     * members: Patroni (pg-N) and the server it started (pg-N-server: not Patroni's descendant, so scripts/bench
     * names it from its postmaster.pid); null when none is known.
     */
    static Long postgresCpu(Map<String, Long> cpu) {
        Long sum = null;
        for (Map.Entry<String, Long> e : cpu.entrySet()) {
            if (e.getKey().equals("postgres") || e.getKey().matches(POSTGRES_MEMBER)) {
                sum = (sum == null ? 0 : sum) + e.getValue();
            }
        }
        return sum;
    }

    private void printStoreCost(StoreCost c, long messages) {
        out.printf(Locale.ROOT, "store     per delivered message (%d in the window): WAL %s bytes (%s records, %s full-page images),"
                + " PostgreSQL CPU %s µs (its processes, /proc), statements %s µs (pg_stat_statements)%n", messages,
                fmt0(c.walBytes()), fmt2(c.walRecords()), fmt2(c.walFpi()), fmt0(c.pgCpuMicros()), fmt0(c.statementMicros()));
        if (!c.deltas().isEmpty()) {
            StringBuilder sb = new StringBuilder();
            c.deltas().forEach((k, v) -> sb.append(String.format(Locale.ROOT, "%s %+.0f, ", k, v)));
            out.printf("          counters over the window: %s%n", sb.substring(0, sb.length() - 2));
        }
    }

    private static String fmt0(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.0f", v);
    }

    private static String fmt2(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.2f", v);
    }

    // ------------------------------------------------------------------ profiling

    private void startJfr() {
        jfrFiles.clear();
        if (jfrDir == null) {
            return;
        }
        if (servers.chatNodes().isEmpty()) {
            out.println("  (--jfr needs --pids-dir to find the chat nodes: not recording)");
            return;
        }
        List<CompletableFuture<Void>> starts = new ArrayList<>();
        for (Servers.Component c : servers.chatNodes()) {
            starts.add(CompletableFuture.runAsync(() -> {
                JfrRecorder.Start s = JfrRecorder.start(c.pid(), c.name(), "profile", jfrDir);
                if (s.started()) {
                    synchronized (jfrFiles) {
                        jfrFiles.put(c, s.file());
                    }
                } else {
                    out.println("  (JFR not recording " + c.name() + ": " + s.refusal() + ")");
                }
            }, pool));
        }
        starts.forEach(CompletableFuture::join);
    }

    private void stopJfr() {
        if (jfrFiles.isEmpty()) {
            return;
        }
        List<CompletableFuture<Void>> stops = new ArrayList<>();
        for (Map.Entry<Servers.Component, Path> e : jfrFiles.entrySet()) {
            Servers.Component c = e.getKey();
            stops.add(CompletableFuture.runAsync(() -> {
                if (!JfrRecorder.stop(c.pid(), c.name())) {
                    out.println("  (JFR.stop failed for " + c.name() + ")");
                }
            }, pool));
        }
        stops.forEach(CompletableFuture::join);
        List<Path> files = jfrFiles.values().stream().filter(Files::isRegularFile).sorted().toList();
        if (files.isEmpty()) {
            out.println("profile   no JFR recording was written");
            return;
        }
        out.println("profile   JFR recordings of the measured window: " + files);
        try {
            JfrTop.print(files, 25, out);
        } catch (IOException | RuntimeException e) {
            out.println("  (could not read the recordings: " + e.getMessage() + ")");
        }
    }
}

package dev.chat.loadgen.scenario;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.chat.loadgen.client.Endpoint;
import dev.chat.loadgen.measure.AnswerWaits;
import dev.chat.loadgen.measure.ConnectionLog;
import dev.chat.loadgen.measure.Ledger;
import dev.chat.loadgen.measure.Timeline;
import dev.chat.loadgen.report.Facts;
import dev.chat.loadgen.report.StoreCheck;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The chaos run's clients (scripts/chaos). They chat in a ring through the entry point while faults are injected
 * into the stack behind it (kills, restarts, stops). With {@code --faults} this process runs the scenario itself
 * ({@link FaultSchedule}: steady first, then each fault injected, held for its time, restored, reported, and steady
 * again before the next), calling {@code --plumbing} only for what is done to the processes; status "faults done"
 * (or "faults failed", then the verdict at once). Otherwise, and for what follows the schedule, a controller tells
 * it on standard input, one command per line:
 * <pre>
 * fault NAME [EPOCH_MS]     the fault is injected now (or at EPOCH_MS, the controller's clock just before it):
 *                           its window opens; messages first sent from now on count as the fault's
 * end NAME [EPOCH_MS]       the fault is over (the component is back, the process continued): what was sent
 *                           until now and not yet acked is the backlog every client must clear to count as back
 * note NAME TEXT...         a line the controller saw, printed with the fault's figures ({@code @FROM..TO}, two
 *                           epoch-ms readings, becomes the seconds between them)
 * figure NAME KEY=VALUE...  the controller's figures of the fault (who was killed, when a write went through):
 *                           one JSON line in --figures-file and the fault's "facts" in the JSON report; a value
 *                           {@code @FROM..TO} becomes seconds, numbers stay numbers
 * say TEXT...               a line for the report (spans as in note)
 * presence-map USERS N...   the presence map after the last fault: its user keys and each node's socket count
 * settle                    stop sending, wait until every message is acked and shown, write --acked-file;
 *                           status "settled"
 * store-check ANSWER        the controller's look-up of the acked IDs in the message log, TOTAL|MISSING|TWICE
 *                           (anything else: the look-up failed); part of the verdict
 * answer-target NAME S      every send written while the fault lasts must get its first answer (ack or error
 *                           frame) within S seconds (a stopped store must be answered {@code unavailable}, not
 *                           leave the client hanging); judged at the report, part of the exit code
 * report NAME               once everything of the window is acked and shown and every client is back (bounded
 *                           by --settle), print the fault's figures
 * stop                      stop sending, settle, print the summary, exit
 * </pre>
 * End of input counts as stop. Progress goes to the status file: "ready", "reported NAME", "settled", "done CODE".
 * Each report also prints its figures as one JSON line ("   json {...}"), appended to --figures-file when given;
 * at the end the whole run, every fault with its figures, facts and notes, the checks and the verdict, goes to
 * the JSON report (--json-report). With --probes a probe account asks for a new socket, a login and a presence
 * lookup once a second from each fault's start to its report, and the answers are one of the fault's notes.
 *
 * <p>A client is <em>back</em> when its socket is open again (if the fault cut it) and every message it had sent
 * before the fault ended is acked (if the fault held its sends back: PostgreSQL down answers {@code unavailable},
 * which the client retries with the same ID, and a stopped node answers nothing). "Every client back" is the latest
 * of those moments over all clients, counted from the end of the fault; the target (--back-target, 10 s) applies
 * to it. Exit 0 when no message was lost (acked and never shown), none was shown twice, none is left unacked at
 * the end, and every client was back within the target after every fault; 1 otherwise; 3 when the clients never
 * got going.
 */
@Command(name = "chaos", mixinStandardHelpOptions = true,
        description = "The chaos run's clients: chat through the entry point, measure each fault announced on stdin.")
public final class ChaosCommand implements Callable<Integer> {
    @Mixin
    ClientOptions client;

    @Mixin
    ControllerLink link;

    @Mixin
    RunChecks checks;

    @Option(names = "--probes",
            description = "while each fault lasts, probe a new socket, a login and a presence lookup through the entry point once a second")
    boolean probing;

    @Option(names = "--settle", defaultValue = "60", paramLabel = "S",
            description = "bound on the wait for a fault's messages to be acked and shown and its clients back (default: ${DEFAULT-VALUE} s)")
    long settleSeconds;

    @Option(names = "--min-after-end", defaultValue = "3000", paramLabel = "MS",
            description = "a report waits at least this long after the fault's end, to see late effects (default: ${DEFAULT-VALUE} ms)")
    long minAfterEndMillis;

    @Option(names = "--back-target", defaultValue = "10", paramLabel = "S",
            description = "every client must be back within this long after a fault ends (default: ${DEFAULT-VALUE} s)")
    double backTargetSeconds;

    @Option(names = "--report-timings",
            description = "the timing targets (--back-target, answer targets) are printed and written to the report but do"
                    + " not decide the verdict; every client must still come back and nothing acked be lost or shown twice"
                    + " (the test command's runs: speed is measured, not asserted, on a shared machine)")
    boolean reportTimings;

    @Option(names = "--max-pending", defaultValue = "1000", paramLabel = "N",
            description = "a client with this many unacked sends skips its turn (default: ${DEFAULT-VALUE})")
    int maxPending;

    @Option(names = "--ready-timeout", defaultValue = "300", paramLabel = "S", description = "default: ${DEFAULT-VALUE} s")
    long readySeconds;

    @Option(names = "--figures-file", paramLabel = "FILE",
            description = "each fault's figures are also appended here, one JSON object a line")
    java.nio.file.Path figuresFile;

    @Option(names = "--acked-file", paramLabel = "FILE",
            description = "at the end, the ID of every acked message, one a line (for a check against the store)")
    java.nio.file.Path ackedFile;

    @Mixin
    SteadyChecks steady;

    @Option(names = "--faults", split = ",", paramLabel = "NAME",
            description = "run this fault schedule itself once the clients are ready (steady first; each fault injected, held,"
                    + " restored, reported, then steady again), calling --plumbing for what is done to the stack; without it"
                    + " the controller announces the faults on stdin")
    List<String> faultNames = new ArrayList<>();

    @Option(names = "--pause", defaultValue = "10", paramLabel = "S",
            description = "how long the stops of the schedule last (postgres-stop, node-stop, redis-down; default: ${DEFAULT-VALUE} s)")
    double pauseSeconds;

    @Option(names = "--plumbing", paramLabel = "COMMAND",
            description = "the shell command that acts on the stack, given --inject NAME [TARGET] or --restore NAME [TARGET]"
                    + " (scripts/chaos with its run dir and port base)")
    String plumbingCommand;

    @Option(names = "--faults-bound", defaultValue = "1500", paramLabel = "S",
            description = "bound on the whole fault schedule; past it the fault in progress is restored and the run fails"
                    + " (default: ${DEFAULT-VALUE} s)")
    long faultsBoundSeconds;

    @Option(names = "--ha",
            description = "the replicated topology's faults (scripts/chaos --ha): its nodes, the kills supervisord restarts"
                    + " and the data tier's takeovers")
    boolean ha;

    @Option(names = "--answer-target", defaultValue = "3", paramLabel = "S",
            description = "--ha: the bound on a send's first answer while pg-primary-stop, pg-primary-partition or"
                    + " redis-master-stop lasts (default: ${DEFAULT-VALUE} s)")
    double answerTargetSeconds;

    @Option(names = "--roles-file", paramLabel = "FILE",
            description = "pg-primary-partition's role samples of both members, one line each (EPOCH_MS pg-1=ROLE pg-2=ROLE)")
    java.nio.file.Path rolesFile;

    @Option(names = "--busiest", paramLabel = "NAME=URL",
            description = "a chat node and its metrics URL: node-kill and node-stop hit the one with the most sockets")
    List<String> nodeMetrics = new ArrayList<>();

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One fault's window and what was measured of it. */
    private static final class Fault {
        final int index;
        final String name;
        /** When the fault began: its window's opening, or the moment the plumbing did it when it said so (later). */
        long start;
        long end = -1;
        long reportedAt = -1;
        Map<String, Long> errorsAtStart = Map.of();
        Map<String, Long> errorsInWindow = Map.of();
        final List<String> notes = new ArrayList<>();
        // At the end of the fault:
        Ledger.Counts during;
        final List<Ledger.Entry> backlog = new ArrayList<>();
        final List<Ledger.Entry> undelivered = new ArrayList<>();
        int backlogSize;
        int undeliveredSize;
        long backlogClearedAt = -1;
        long undeliveredClearedAt = -1;
        java.util.concurrent.ScheduledFuture<?> poller;
        // At the report:
        String dropped = "-";
        String backAfterEnd = "-";
        double backSeconds = 0;
        boolean everyoneBack = true;
        boolean ok = true;
        /** The bound on a send's wait for its first answer while the fault lasts, seconds; NaN: none. */
        double answerTarget = Double.NaN;
        /** The schedule's (or the controller's) figures and loadgen's own, once reported. */
        final ObjectNode facts = JSON.createObjectNode();
        ObjectNode figures;

        Fault(int index, String name, long start) {
            this.index = index;
            this.name = name;
            this.start = start;
        }
    }

    private final List<Fault> faults = new ArrayList<>();
    private final Map<String, Fault> byName = new HashMap<>();
    private volatile int current;
    private Trace trace = Trace.NONE;
    private PrintStream out;
    private long t0;
    private ScheduledExecutorService timer;
    private Probes probes;
    private boolean settled;
    private StoreCheck storeCheck;
    private final ObjectNode report = JSON.createObjectNode();
    private FaultSchedule.Outcome scheduled;

    @Override
    public Integer call() throws IOException {
        client.validate();
        List<FaultSchedule.Fault> plan;
        try {
            plan = plan();
        } catch (IllegalArgumentException e) {
            System.err.println("loadgen chaos: " + e.getMessage());
            return 2;
        }
        out = link.out();
        t0 = System.nanoTime();
        link.startWatchdog("chaos");

        timer = Executors.newScheduledThreadPool(3, r -> {
            Thread t = new Thread(r, "loadgen-timer");
            t.setDaemon(true);
            return t;
        });
        Endpoint endpoint = client.endpoint();
        Ledger ledger = new Ledger();
        ConnectionLog log = new ConnectionLog();
        faults.add(new Fault(0, "steady", t0));
        say("clients: %d users through %s (run %s), one message each per %d ms; ping %d ms, silence %d ms, backoff %d..%d ms",
                client.clients, endpoint, client.runId, client.intervalMillis, client.pingMillis, client.silenceMillis,
                client.backoffMinMillis, client.backoffMaxMillis);
        trace = link.openTrace(t0);
        Crowd crowd;
        try {
            crowd = Crowd.create(endpoint, client.usersPrefix(), client.clients, client.sessionOptions(), timer, ledger,
                    log, Duration.ofSeconds(readySeconds), out, trace);
        } catch (RuntimeException e) {
            say("clients: could not create the accounts: %s", e.getMessage());
            status("done 3");
            return 3;
        }
        RingTraffic traffic = new RingTraffic(crowd, ledger, client.runId, Duration.ofMillis(client.intervalMillis),
                () -> current, timer, maxPending);
        try {
            if (probing) {
                try {
                    probes = Probes.create(endpoint);
                } catch (RuntimeException e) {
                    say("clients: could not make the probe account: %s", e.getMessage());
                    status("done 3");
                    return 3;
                }
            }
            if (!link.startFlowing(crowd, traffic, ledger, readySeconds)) {
                return 3;
            }
            say("clients: ready: %d sockets open, messages flowing (%.1f s after start)", crowd.openCount(),
                    (System.nanoTime() - t0) / 1e9);
            status("ready");
            if (!plan.isEmpty()) {
                scheduled = schedule(plan, crowd, ledger, log).run();
                if (!scheduled.ok()) {
                    status("faults failed");
                    return finish(traffic, crowd, ledger);
                }
                status("faults done");
            }

            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                String[] w = line.trim().split("\\s+", 3);
                String rest = w.length > 2 ? w[2] : "";
                if (w.length == 0 || w[0].isEmpty()) {
                    continue;
                }
                String name = w.length > 1 ? w[1] : "";
                switch (w[0]) {
                    case "fault" -> startFault(name, w.length > 2 ? epoch(w[2]) : -1, crowd);
                    case "end" -> endFault(name, w.length > 2 ? epoch(w[2]) : -1, ledger);
                    case "note" -> note(name, w.length > 2 ? w[2] : "");
                    case "answer-target" -> answerTarget(name, w.length > 2 ? w[2] : "");
                    case "report" -> report(name, crowd, ledger, log);
                    case "figure" -> figure(name, rest);
                    case "say" -> say("%s", Facts.spans(line.trim().substring(3).trim()));
                    case "presence-map" -> presenceMap(line.trim().split("\\s+"));
                    case "settle" -> settle(traffic, crowd, ledger);
                    case "store-check" -> storeCheck(line.trim().substring("store-check".length()).trim());
                    case "stop" -> {
                        return finish(traffic, crowd, ledger);
                    }
                    default -> say("clients: unknown command '%s'", line);
                }
            }
            say("clients: end of commands");
            return finish(traffic, crowd, ledger);
        } finally {
            if (probes != null) {
                probes.close();
            }
            traffic.close();
            crowd.close();
            timer.shutdownNow();
            trace.close();
        }
    }

    // ------------------------------------------------------------------ the fault schedule

    /**
     * The schedule of --faults (empty without it). IllegalArgumentException for an unknown fault, a schedule without
     * its plumbing or without what steady means, and a pause or bound that is not positive.
     */
    List<FaultSchedule.Fault> plan() {
        if (faultNames.isEmpty()) {
            return List.of();
        }
        if (plumbingCommand == null || plumbingCommand.isBlank()) {
            throw new IllegalArgumentException("--faults needs --plumbing (what acts on the stack)");
        }
        if (steady.isEmpty()) {
            throw new IllegalArgumentException("--faults needs what steady means: --ready, --haproxy-stats or --check");
        }
        if (!(pauseSeconds > 0) || faultsBoundSeconds <= 0 || !(answerTargetSeconds > 0)) {
            throw new IllegalArgumentException("--pause, --answer-target and --faults-bound must be positive");
        }
        steady.checks();
        return ChaosFaults.of(faultNames, Duration.ofMillis(Math.round(pauseSeconds * 1000)), ha,
                Duration.ofMillis(Math.round(answerTargetSeconds * 1000)));
    }

    private FaultSchedule schedule(List<FaultSchedule.Fault> plan, Crowd crowd, Ledger ledger, ConnectionLog log) {
        long left = faultsBoundSeconds - (System.nanoTime() - t0) / 1_000_000_000L;
        return schedule(plan, crowd, ledger, log, Duration.ofSeconds(Math.max(1, left)));
    }

    private FaultSchedule schedule(List<FaultSchedule.Fault> plan, Crowd crowd, Ledger ledger, ConnectionLog log,
            Duration bound) {
        FaultSchedule.Windows windows = new FaultSchedule.Windows() {
            @Override
            public void open(String fault) {
                startFault(fault, -1, crowd);
            }

            @Override
            public void end(String fault) {
                endFault(fault, -1, ledger);
            }

            @Override
            public void injectedAt(String fault, long epochMillis) {
                Fault f = byName.get(fault);
                if (f != null && f.end < 0) {
                    // Measured from the kill or the stop itself, as a controller's "fault NAME EPOCH_MS" would be.
                    long at = at(epochMillis);
                    if (at > f.start) {
                        f.start = at;
                        trace.event(at, "chaos", "injected " + fault);
                    }
                }
            }

            @Override
            public void note(String fault, String text) {
                ChaosCommand.this.note(fault, text);
            }

            @Override
            public void answerTarget(String fault, double seconds) {
                ChaosCommand.this.answerTarget(fault, Double.toString(seconds));
            }

            @Override
            public void facts(String fault, Map<String, Object> facts) {
                // As the controller's figure: into the fault's facts, the merged line into --figures-file.
                Fault f = byName.get(fault);
                ObjectNode line = JSON.createObjectNode().put("fault", fault);
                ObjectNode given = JSON.valueToTree(new java.util.TreeMap<>(facts));
                if (f != null) {
                    f.facts.setAll(given);
                    line.setAll(f.facts);
                } else {
                    line.setAll(given);
                }
                if (figuresFile != null) {
                    ControllerLink.append(figuresFile, line.toString());
                }
            }

            @Override
            public void report(String fault) {
                ChaosCommand.this.report(fault, crowd, ledger, log);
            }
        };
        FaultSchedule.Steady steadiness = (hold, within) -> {
            List<dev.chat.loadgen.measure.Steadiness.Check> cs = steady.checks();
            dev.chat.loadgen.measure.Steadiness.Outcome o = new dev.chat.loadgen.measure.Steadiness(cs, System::nanoTime,
                    Sleep::millis).await(hold, within, Duration.ofMillis(100));
            String line = SteadyChecks.describe(o, cs.size(), hold, within);
            if (o.steady()) {
                say("%s", line);
                return null;
            }
            return line;
        };
        FaultSchedule.Targets targets = () -> {
            Map<String, String> texts = new java.util.LinkedHashMap<>();
            for (String c : nodeMetrics) {
                int eq = c.indexOf('=');
                texts.put(c.substring(0, Math.max(eq, 0)), RunChecks.fetch(c.substring(eq + 1)));
            }
            return BusiestCommand.pick(texts, "chat_sockets_open");
        };
        Plumbing plumbing = new ShellPlumbing(plumbingCommand);
        return new FaultSchedule(plan, plumbing, windows, steadiness, targets, System::nanoTime, Sleep::millis, bound,
                l -> say("%s", l), new PlumbingRoleSampler(plumbing, rolesFile));
    }

    // ------------------------------------------------------------------ the commands

    private static long epoch(String s) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** nanoTime of an epoch-millisecond reading of the controller, or now when there is none or it is odd. */
    private static long at(long epochMillis) {
        long now = System.nanoTime();
        if (epochMillis > 0) {
            long ago = System.currentTimeMillis() - epochMillis;
            if (ago >= 0 && ago < 10_000) {
                return now - ago * 1_000_000L;
            }
        }
        return now;
    }

    private void startFault(String name, long epochMillis, Crowd crowd) {
        Fault f = new Fault(faults.size(), name, at(epochMillis));
        f.errorsAtStart = crowd.errors();
        faults.add(f);
        byName.put(name, f);
        current = f.index;
        if (probes != null) {
            probes.start();
        }
        trace.event(f.start, "chaos", "fault " + name);
        say("clients: %s: window opens at +%.2f s", name, secs(f.start - t0));
    }

    private void endFault(String name, long epochMillis, Ledger ledger) {
        Fault f = byName.get(name);
        if (f == null || f.end >= 0) {
            say("clients: no open fault named '%s'", name);
            return;
        }
        f.end = at(epochMillis);
        trace.event(f.end, "chaos", "end of " + name);
        // What happened while the fault lasted, and what it left behind: sends not yet acked (the backlog every
        // client must clear) and messages not yet shown.
        f.during = ledger.counts(e -> e.phase == f.index && e.sentAt <= f.end);
        ledger.counts(e -> {
            if (e.sentAt <= f.end) {
                if (!e.acked()) {
                    f.backlog.add(e);
                }
                if (!e.shown()) {
                    f.undelivered.add(e);
                }
            }
            return false;
        });
        f.backlogSize = f.backlog.size();
        f.undeliveredSize = f.undelivered.size();
        // Watched from now on, so the moment the backlog clears is known to 20 ms whenever the report comes.
        f.poller = timer.scheduleAtFixedRate(() -> poll(f), 0, 20, TimeUnit.MILLISECONDS);
        say("clients: %s: ends at +%.2f s (%.2f s after it began); %d sends waiting for their ack, %d messages not yet shown",
                name, secs(f.end - t0), secs(f.end - f.start), f.backlogSize, f.undeliveredSize);
    }

    private void note(String name, String words) {
        String text = Facts.spans(words);
        Fault f = byName.get(name);
        if (f != null) {
            f.notes.add(text);
        }
        trace.event(System.nanoTime(), "chaos", "note " + name + ": " + text);
    }

    private void answerTarget(String name, String seconds) {
        Fault f = byName.get(name);
        double s;
        try {
            s = Double.parseDouble(seconds.trim());
        } catch (NumberFormatException e) {
            s = Double.NaN;
        }
        if (f == null || !(s > 0)) {
            say("clients: answer-target needs an open fault and a positive number of seconds, not '%s %s'", name, seconds);
            return;
        }
        f.answerTarget = s;
    }

    /** Polls the fault's backlog until it is cleared; remembers when. */
    private static void poll(Fault f) {
        synchronized (f) {
            pollLocked(f);
        }
    }

    private static void pollLocked(Fault f) {
        long now = System.nanoTime();
        if (f.backlogClearedAt < 0) {
            f.backlog.removeIf(Ledger.Entry::acked);
            if (f.backlog.isEmpty()) {
                f.backlogClearedAt = now;
            }
        }
        if (f.undeliveredClearedAt < 0) {
            f.undelivered.removeIf(Ledger.Entry::shown);
            if (f.undelivered.isEmpty()) {
                f.undeliveredClearedAt = now;
            }
        }
    }

    private void report(String name, Crowd crowd, Ledger ledger, ConnectionLog log) {
        Fault f = byName.get(name);
        if (f == null) {
            say("clients: no fault named '%s'", name);
            status("reported " + name);
            return;
        }
        if (f.end < 0) {
            endFault(name, -1, ledger);
        }
        if (probes != null) {
            note(name, "probes through the entry point, one a second from the fault to its end (at least one): "
                    + probes.stop().summary());
        }
        long minEnd = f.end + minAfterEndMillis * 1_000_000L;
        while (System.nanoTime() < minEnd) {
            poll(f);
            Sleep.millis(20);
        }
        current = 0;
        long deadline = System.nanoTime() + settleSeconds * 1_000_000_000L;
        while (System.nanoTime() < deadline) {
            poll(f);
            if (f.backlogClearedAt >= 0 && f.undeliveredClearedAt >= 0 && crowd.openCount() == crowd.size()
                    && ledger.settled(f.index)) {
                break;
            }
            Sleep.millis(20);
        }
        poll(f);
        if (f.poller != null) {
            f.poller.cancel(false);
        }
        f.reportedAt = System.nanoTime();
        Map<String, Long> now = crowd.errors();
        Map<String, Long> diff = new TreeMap<>();
        now.forEach((k, v) -> {
            long d = v - f.errorsAtStart.getOrDefault(k, 0L);
            if (d > 0) {
                diff.put(k, d);
            }
        });
        f.errorsInWindow = diff;
        describe(f, crowd, ledger, log);
        status("reported " + name);
    }

    private void describe(Fault f, Crowd crowd, Ledger ledger, ConnectionLog log) {
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "== %s: figures (fault lasted %.1f s; window %.1f s)", f.name,
                secs(f.end - f.start), secs(f.reportedAt - f.start)));
        ConnectionLog.Outage o = log.window(f.start, f.reportedAt, crowd::isOpen);
        f.dropped = o.dropped() + "/" + o.clients();
        // When every client was back: its socket open again, and everything it had sent before the end acked.
        long back = -1;
        String clients;
        if (o.dropped() > 0 && !o.everyoneBack()) {
            f.everyoneBack = false;
            clients = String.format(Locale.ROOT, "%d/%d dropped; NOT BACK: %s", o.dropped(), o.clients(),
                    o.away().size() > 10 ? o.away().subList(0, 10) + "..." : o.away());
        } else {
            if (o.dropped() > 0) {
                back = o.allBackAt();
            }
            clients = o.dropped() == 0 ? String.format(Locale.ROOT, "0/%d dropped", o.clients())
                    : String.format(Locale.ROOT, "%d/%d dropped (%s), all reconnected %.2f s after the fault began; "
                            + "longest outage of a client %.2f s; %d failed attempts", o.dropped(), o.clients(),
                            reasons(o.reasons()), secs(o.allBackAt() - f.start), secs(o.longestNanos()), o.failedAttempts());
        }
        if (f.backlogSize > 0) {
            if (f.backlogClearedAt < 0) {
                f.everyoneBack = false;
            } else {
                back = Math.max(back, f.backlogClearedAt);
            }
        }
        lines.add("   clients   " + clients);
        if (!f.everyoneBack) {
            f.backAfterEnd = "never";
            f.backSeconds = Double.POSITIVE_INFINITY;
        } else {
            f.backSeconds = back < 0 ? 0 : Math.max(0, back - f.end) / 1e9;
            f.backAfterEnd = String.format(Locale.ROOT, "%.2f s", f.backSeconds);
        }
        boolean backOk = f.backSeconds <= backTargetSeconds;
        Ledger.Counts d = f.during;
        if (d != null) {
            lines.add(String.format(Locale.ROOT, "   during    %d sent while the fault lasted: %d acked and %d shown by its end; error frames %s",
                    d.sent(), d.acked(), d.delivered(), f.errorsInWindow.isEmpty() ? "none" : f.errorsInWindow));
        }
        lines.add(String.format(Locale.ROOT, "   recovery  %s; %s",
                f.backlogSize == 0 ? "no send was waiting for its ack at the end"
                        : f.backlogClearedAt < 0 ? f.backlogSize + " sends waiting at the end, NOT ALL ACKED"
                                : String.format(Locale.ROOT, "%d sends waiting at the end, all acked %.2f s after it",
                                        f.backlogSize, secs(Math.max(0, f.backlogClearedAt - f.end))),
                f.undeliveredSize == 0 ? "every message sent before the end was already shown"
                        : f.undeliveredClearedAt < 0 ? f.undeliveredSize + " messages not shown at the end, NOT ALL SHOWN YET"
                                : String.format(Locale.ROOT, "%d messages not yet shown at the end, all shown %.2f s after it",
                                        f.undeliveredSize, secs(Math.max(0, f.undeliveredClearedAt - f.end)))));
        Ledger.Counts c = ledger.phase(f.index);
        lines.add(String.format(Locale.ROOT,
                "   messages  sent %d, acked %d, delivered %d, lost %d, shown twice %d (unacked %d; redelivered, dropped by ID: %d)",
                c.sent(), c.acked(), c.delivered(), c.lost(), c.shownTwice(), c.unacked(), c.redelivered()));
        // Every send written while the fault lasted: how long it waited for its first answer.
        AnswerWaits.Window answers = crowd.answerWaits().window(f.start, f.end, crowd.openAnswerWaits(), System.nanoTime());
        boolean judged = !Double.isNaN(f.answerTarget);
        boolean answerOk = !judged || answers.longestSeconds() <= f.answerTarget;
        lines.add("   answers   first answer (ack or error frame) to a send written while the fault lasted: "
                + AnswerWaits.describe(answers)
                + (judged ? String.format(Locale.ROOT, "; target <= %s s: %s", fmt(f.answerTarget), answerOk ? "ok" : "MISSED") : ""));
        for (String n : f.notes) {
            lines.add("   observed  " + n);
        }
        boolean timingsOk = reportTimings ? f.everyoneBack : backOk && answerOk;
        f.ok = timingsOk && c.lost() == 0 && c.shownTwice() == 0;
        lines.add(String.format(Locale.ROOT, "   targets   lost 0: %s; shown twice 0: %s; every client back <= %s s after the end: %s",
                c.lost() == 0 ? "ok" : "MISSED (" + c.lost() + ")", c.shownTwice() == 0 ? "ok" : "MISSED (" + c.shownTwice() + ")",
                fmtTarget(), backOk ? "ok (" + f.backAfterEnd + ")" : "MISSED (" + f.backAfterEnd + ")"));
        ObjectNode figures = json(f, c, answers, judged, answerOk, backOk);
        f.figures = figures;
        String json = figures.toString();
        lines.add("   json      " + json);
        for (String l : lines) {
            say("%s", l);
        }
        if (figuresFile != null) {
            ControllerLink.append(figuresFile, json);
        }
    }

    /** The fault's figures as one JSON object (numbers in seconds; null where there is none). */
    private ObjectNode json(Fault f, Ledger.Counts c, AnswerWaits.Window answers, boolean judged, boolean answerOk,
            boolean backOk) {
        ObjectNode o = JSON.createObjectNode();
        o.put("fault", f.name);
        o.put("source", "loadgen");
        o.put("lasted_s", round(secs(f.end - f.start)));
        o.put("sent", c.sent());
        o.put("acked", c.acked());
        o.put("delivered", c.delivered());
        o.put("lost", c.lost());
        o.put("shown_twice", c.shownTwice());
        o.put("unacked", c.unacked());
        o.put("dropped", f.dropped);
        ObjectNode errors = o.putObject("error_frames");
        f.errorsInWindow.forEach(errors::put);
        if (Double.isFinite(f.backSeconds)) {
            o.put("every_client_back_after_end_s", round(f.backSeconds));
        } else {
            o.putNull("every_client_back_after_end_s");
        }
        o.put("back_within_target", backOk);
        o.put("timings_judged", !reportTimings);
        o.put("answer_waits", answers.waits());
        o.put("answer_waits_unanswered", answers.unanswered());
        o.put("longest_first_answer_s", round(answers.longestSeconds()));
        if (judged) {
            o.put("answer_target_s", f.answerTarget);
            o.put("answered_within_target", answerOk);
        }
        o.put("ok", f.ok);
        return o;
    }

    // ------------------------------------------------------------------ the controller's observations

    /** The controller's figures of a fault: merged into its facts, the merged line appended to --figures-file. */
    private void figure(String name, String words) {
        Fault f = byName.get(name);
        ObjectNode line = JSON.createObjectNode();
        line.put("fault", name);
        try {
            ObjectNode parsed = Facts.parseLine(words);
            if (f != null) {
                f.facts.setAll(parsed);
                line.setAll(f.facts);
            } else {
                line.setAll(parsed);
            }
        } catch (IllegalArgumentException e) {
            say("clients: figure %s: %s", name, e.getMessage());
            return;
        }
        if (figuresFile != null) {
            ControllerLink.append(figuresFile, line.toString());
        }
    }

    /** The presence map after the last fault: USERS and each node's sockets, summed. */
    private void presenceMap(String[] w) {
        long users;
        long sockets = 0;
        try {
            users = Long.parseLong(w[1]);
            for (int i = 2; i < w.length; i++) {
                sockets += Long.parseLong(w[i]);
            }
        } catch (RuntimeException e) {
            say("clients: presence-map needs USERS and socket counts, not '%s'", String.join(" ", w));
            return;
        }
        ObjectNode p = report.putObject("presence_map");
        p.put("sockets", sockets);
        p.put("users", users);
        p.put("clients", client.clients);
        say("   presence map in Redis after the last fault: %d sockets, %d users (the clients hold %d sockets)", sockets,
                users, client.clients);
    }

    /** Stops the traffic and waits (bounded by --settle) until every message is acked and shown; once. */
    private void settle(RingTraffic traffic, Crowd crowd, Ledger ledger) {
        if (!settled) {
            settled = true;
            traffic.close();
            current = 0;
            long deadline = System.nanoTime() + settleSeconds * 1_000_000_000L;
            while (System.nanoTime() < deadline && (!ledger.settled(-1) || crowd.openCount() < crowd.size())) {
                Sleep.millis(50);
            }
            if (ackedFile != null) {
                try {
                    java.nio.file.Files.write(ackedFile, ledger.ackedIds(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    say("clients: cannot write %s: %s", ackedFile, e.getMessage());
                }
            }
        }
        status("settled");
    }

    private void storeCheck(String answer) {
        storeCheck = StoreCheck.parse(answer);
        ObjectNode o = JSON.createObjectNode();
        o.put("fault", "store-check");
        o.put("acked", storeCheck.acked());
        o.put("missing", storeCheck.missing());
        o.put("stored_twice", storeCheck.storedTwice());
        o.put("ok", storeCheck.ok());
        if (storeCheck.error() != null) {
            o.put("error", storeCheck.error());
        }
        report.set("store_check", o.deepCopy().without("fault"));
        if (figuresFile != null) {
            ControllerLink.append(figuresFile, o.toString());
        }
        say("%s", storeCheck.describe());
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    private String fmtTarget() {
        return backTargetSeconds == Math.rint(backTargetSeconds) ? Long.toString((long) backTargetSeconds)
                : Double.toString(backTargetSeconds);
    }

    private int finish(RingTraffic traffic, Crowd crowd, Ledger ledger) {
        settle(traffic, crowd, ledger);
        checks.metrics(report, l -> say("%s", l));
        boolean logsClean = checks.logHygiene(report, l -> say("%s", l), List.of("pw-" + client.userPrefix));
        List<String> lines = new ArrayList<>();
        lines.add("== summary (every message checked once more after the last fault)");
        lines.add(String.format(Locale.ROOT, "   %-18s %8s %9s %10s %7s %7s %9s %5s %6s %6s  %s", "fault", "lasted",
                "dropped", "back-end", "sent", "acked", "delivered", "lost", "twice", "redel", "error frames"));
        boolean faultsOk = true;
        for (Fault f : faults) {
            Ledger.Counts c = ledger.phase(f.index);
            lines.add(String.format(Locale.ROOT, "   %-18s %8s %9s %10s %7d %7d %9d %5d %6d %6d  %s", f.name,
                    f.index == 0 ? "-" : f.end < 0 ? "?" : String.format(Locale.ROOT, "%.1f s", secs(f.end - f.start)),
                    f.dropped, f.backAfterEnd, c.sent(), c.acked(), c.delivered(), c.lost(), c.shownTwice(), c.redelivered(),
                    f.errorsInWindow.isEmpty() ? "-" : f.errorsInWindow));
            if (f.index > 0) {
                faultsOk &= f.ok && f.reportedAt >= 0;
            }
        }
        Ledger.Counts all = ledger.all();
        lines.add(String.format(Locale.ROOT, "   %-18s %8s %9s %10s %7d %7d %9d %5d %6d %6d", "total", "", "", "", all.sent(),
                all.acked(), all.delivered(), all.lost(), all.shownTwice(), all.redelivered()));
        lines.add("   send->ack        " + ledger.sendToAck().summary());
        lines.add("   send->delivered  " + ledger.sendToShown().summary());
        if (!crowd.errors().isEmpty()) {
            lines.add("   error frames     " + crowd.errors());
        }
        if (!crowd.otherFrames().isEmpty()) {
            lines.add("   other frames     " + crowd.otherFrames() + " (extensions beyond v1, ignored)");
        }
        boolean open = crowd.openCount() == crowd.size();
        boolean storeOk = storeCheck == null || storeCheck.ok();
        boolean scheduleOk = scheduled == null || scheduled.ok();
        boolean clean = all.clean() && ledger.misrouted() == 0 && open && faultsOk && storeOk && logsClean && scheduleOk;
        lines.add(String.format(Locale.ROOT,
                "   verdict          %s: lost %d, shown twice %d, unacked %d, misrouted %d, clients open %d/%d, every fault's targets met (%s): %s%s%s",
                clean ? "PASS" : "FAIL", all.lost(), all.shownTwice(), all.unacked(), ledger.misrouted(), crowd.openCount(),
                crowd.size(), reportTimings ? "every client back; timings reported above, not judged"
                        : "every client back <= " + fmtTarget() + " s after its end; answers in time where set",
                faultsOk ? "yes" : "NO",
                storeCheck == null ? "" : "; store check " + (storeOk ? "ok" : "FAILED"), logsClean ? "" : "; secrets in logs")
                + (scheduleOk ? "" : "; fault schedule FAILED: " + scheduled.failure()));
        for (String l : lines) {
            say("%s", l);
        }
        link.writeChart(timeline(ledger, crowd));
        report.put("command", "chaos");
        report.put("run", client.runId);
        report.put("clients", crowd.size());
        report.put("verdict", clean ? "PASS" : "FAIL");
        report.put("ok", clean);
        ObjectNode totals = RunChecks.putTotals(report, all, ledger.misrouted(), crowd.openCount());
        totals.put("faults_ok", faultsOk);
        if (scheduled != null) {
            report.set("schedule", scheduled.json());
        }
        var list = report.putArray("faults");
        for (Fault f : faults) {
            if (f.index > 0) {
                ObjectNode o = f.figures != null ? f.figures.deepCopy() : JSON.createObjectNode().put("fault", f.name).put("ok", false);
                o.set("facts", f.facts);
                f.notes.forEach(o.putArray("notes")::add);
                list.add(o);
            }
        }
        boolean written = link.writeJson(report);
        int code = clean && written ? 0 : 1;
        status("done " + code);
        return code;
    }

    /** The run second by second, each fault a band from its start to its end (to its report while open). */
    private Timeline timeline(Ledger ledger, Crowd crowd) {
        long now = System.nanoTime();
        List<Timeline.Band> bands = new ArrayList<>();
        for (Fault f : faults) {
            if (f.index > 0) {
                long end = f.end >= 0 ? f.end : f.reportedAt >= 0 ? f.reportedAt : now;
                bands.add(new Timeline.Band(f.name, secs(f.start - t0), secs(end - t0)));
            }
        }
        return Timeline.of("chaos run " + client.runId, t0, now, ledger, crowd.connections(), bands, null);
    }

    // ------------------------------------------------------------------ output

    private static double secs(long nanos) {
        return nanos / 1e9;
    }

    private static String reasons(Map<String, Integer> reasons) {
        List<String> l = new ArrayList<>();
        reasons.forEach((k, v) -> l.add(k + " x" + v));
        return String.join(", ", l);
    }

    private void say(String format, Object... args) {
        link.say(format, args);
    }

    private void status(String line) {
        link.status(line);
    }
}

package dev.chat.loadgen.scenario;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.chat.loadgen.client.Endpoint;
import dev.chat.loadgen.measure.ConnectionLog;
import dev.chat.loadgen.measure.Ledger;
import dev.chat.loadgen.measure.LoginLimitProbe;
import dev.chat.loadgen.measure.ProxyServers;
import dev.chat.loadgen.measure.Timeline;
import dev.chat.loadgen.measure.VipProbe;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The failover drill's clients. They chat in a ring through the virtual IP while a controller (scripts/drill)
 * injects faults and tells this process about them on standard input, one command per line:
 * <pre>
 * phase NAME [EPOCH_MS]                   a fault is about to be injected: its window starts now (or at
 *                                         EPOCH_MS, the controller's clock reading just before the fault)
 * report NAME TAKEOVER RESUME             close the window once everything of it is acked and shown (bounded),
 *                                         print its figures; TAKEOVER: target seconds for the VIP to answer
 *                                         from the other proxy, "stay" (it must not move) or "-";
 *                                         RESUME: target seconds until every dropped client is back (after the
 *                                         takeover when the VIP moved, else after its own drop), or "-"
 * limit arm                               from --login-probe-from, log in badly until the proxy answers 429
 *                                         (its login rate limit); status "limit armed"
 * limit check                             one more such attempt once another proxy answers the VIP (bounded):
 *                                         still 429 means the limit came over with the takeover (HAProxy peers);
 *                                         recorded with the phase opened last
 * stop                                    stop sending, settle, print the summary, exit
 * </pre>
 * End of input counts as stop. Progress goes to the status file: "ready", "reported NAME", "done CODE".
 * Each phase's figures also go, one JSON object a line, to --figures-file (what the system test asserts), with the
 * chat nodes each proxy routed to at the phase's start and end when --haproxy-stats names the proxies.
 * At the end it reads the components' metrics (--metrics), scans the logs for tokens and passwords
 * (--check-logs), asks Prometheus whether every scrape target was up and which VRRP transitions reached
 * Alertmanager's webhook receiver (--prometheus, --alert-webhook: {@link MonitoringChecks}), and writes the whole run
 * (with the stack's --topology), each fault's figures (the same objects as --figures-file), the checks and the verdict,
 * to the JSON report (--json-report).
 * Exit 0 when nothing was lost, shown twice or left unacked, every client came back, every limit check held, no
 * log holds a secret and the monitoring checks asked for passed; 1 otherwise; 2 when only a time target was missed and --strict-targets is set; 3 when the
 * clients never got going.
 */
@Command(name = "drill", mixinStandardHelpOptions = true,
        description = "The failover drill's clients: chat through the VIP, measure each fault announced on stdin.")
public final class DrillCommand implements Callable<Integer> {
    @Mixin
    ClientOptions client;

    @Mixin
    ControllerLink link;

    @Mixin
    RunChecks checks;

    @Mixin
    MonitoringChecks monitoring;

    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--probe", paramLabel = "URL",
            description = "plain-HTTP URL on the VIP whose responses name the proxy (header X-Proxy), polled on a new connection each time")
    URI probe;

    @Option(names = "--probe-interval", defaultValue = "20", paramLabel = "MS", description = "default: ${DEFAULT-VALUE} ms")
    long probeMillis;

    @Option(names = "--settle", defaultValue = "30", paramLabel = "S",
            description = "bound on the wait for a fault's messages to be acked and shown (default: ${DEFAULT-VALUE} s)")
    long settleSeconds;

    @Option(names = "--min-window", defaultValue = "3000", paramLabel = "MS",
            description = "a fault's window lasts at least this long, so that idle clients notice it (default: ${DEFAULT-VALUE} ms)")
    long minWindowMillis;

    @Option(names = "--ready-timeout", defaultValue = "180", paramLabel = "S", description = "default: ${DEFAULT-VALUE} s")
    long readySeconds;

    @Option(names = "--topology", defaultValue = "unnamed", paramLabel = "NAME",
            description = "the stack's topology as the controller started it (e.g. ha, single): recorded in the JSON report")
    String topology;

    @Option(names = "--strict-targets", description = "exit 2 when a time target was missed (default: report only)")
    boolean strictTargets;

    @Option(names = "--figures-file", paramLabel = "FILE",
            description = "each phase's figures are also appended here, one JSON object a line, then a summary line")
    Path figuresFile;

    @Option(names = "--haproxy-stats", paramLabel = "URL",
            description = "a proxy's stats CSV (repeatable), e.g. http://10.0.0.11:8084/stats;csv: the chat nodes it routes to are recorded at each phase's start and end")
    List<URI> haproxyStats = new ArrayList<>();

    @Option(names = "--login-probe-from", paramLabel = "ADDR",
            description = "source address of the login rate-limit probe (limit arm / limit check); not the chatting clients' one")
    String loginProbeFrom;

    @Option(names = "--login-probe-attempts", defaultValue = "5000", paramLabel = "N",
            description = "bound on the attempts of 'limit arm' (default: ${DEFAULT-VALUE})")
    int loginProbeAttempts;



    private static final class Phase {
        final int index;
        final String name;
        final long start;
        long end = -1;
        String takeoverTarget = "-";
        String resumeTarget = "-";
        String vipText = "";
        String takeover = "-";
        String backAfterFault = "-";
        String backAfterTakeover = "-";
        String dropped = "-";
        boolean targetsMet = true;
        boolean everyoneBack = true;
        List<ProxyServers.Snapshot> serversAtStart = List.of();
        List<ProxyServers.Snapshot> serversAtEnd = List.of();
        LimitCheck limit;
        ObjectNode figures;

        Phase(int index, String name, long start) {
            this.index = index;
            this.name = name;
            this.start = start;
        }
    }

    /** A login rate limit tripped on one proxy, and what the next proxy answered the same address. */
    private record LimitCheck(LoginLimitProbe.Tripped tripped, LoginLimitProbe.Answer after) {
        boolean held() {
            return tripped.last().limited() && after != null && after.limited() && after.proxy() != null
                    && !after.proxy().equals(tripped.last().proxy());
        }
    }

    private final List<Phase> phases = new ArrayList<>();
    private final List<ProxyServers> proxies = new ArrayList<>();
    private LoginLimitProbe loginProbe;
    private LoginLimitProbe.Tripped armed;
    private boolean limitsHeld = true;
    private Trace trace = Trace.NONE;
    private volatile int current;
    private PrintStream out;
    private long t0;
    private VipProbe vipProbe;

    @Override
    public Integer call() throws IOException {
        client.validate();
        out = link.out();
        t0 = System.nanoTime();
        link.startWatchdog("drill");
        monitoring.start();

        ScheduledExecutorService timer = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "loadgen-timer");
            t.setDaemon(true);
            return t;
        });
        Endpoint endpoint = client.endpoint();
        for (URI u : haproxyStats) {
            proxies.add(new ProxyServers(u));
        }
        if (loginProbeFrom != null) {
            loginProbe = new LoginLimitProbe(endpoint.base(),
                    client.caCert == null ? null : Endpoint.trusting(client.caCert), InetAddress.getByName(loginProbeFrom), 2000);
        }
        Ledger ledger = new Ledger();
        ConnectionLog log = new ConnectionLog();
        phases.add(new Phase(0, "steady", t0));
        VipProbe vip = vipProbe = probe == null ? null
                : new VipProbe(probe, "X-Proxy", probeMillis, 300).onChange((at, who) -> trace.event(at, "vip",
                        who == null ? "no answer" : "answered by " + who)).start();
        say("clients: %d users through %s (run %s), one message each per %d ms; ping %d ms, silence %d ms, backoff %d..%d ms",
                client.clients, endpoint, client.runId, client.intervalMillis, client.pingMillis, client.silenceMillis,
                client.backoffMinMillis, client.backoffMaxMillis);
        Crowd crowd;
        trace = link.openTrace(t0);
        try {
            crowd = Crowd.create(endpoint, client.usersPrefix(), client.clients, client.sessionOptions(), timer, ledger,
                    log, Duration.ofSeconds(readySeconds), out, trace);
        } catch (RuntimeException e) {
            say("clients: could not create the accounts: %s", e.getMessage());
            status("done 3");
            return 3;
        }
        RingTraffic traffic = new RingTraffic(crowd, ledger, client.runId, Duration.ofMillis(client.intervalMillis),
                () -> current, timer, 2000);
        try {
            if (!link.startFlowing(crowd, traffic, ledger, readySeconds)) {
                return 3;
            }
            say("clients: ready: %d sockets open, messages flowing%s", crowd.openCount(),
                    vip == null ? "" : ", VIP answered by " + vip.answeringBefore(System.nanoTime()));
            status("ready");

            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                String[] w = line.trim().split("\\s+");
                if (w.length == 0 || w[0].isEmpty()) {
                    continue;
                }
                switch (w[0]) {
                    case "phase" -> startPhase(w.length > 1 ? w[1] : "fault-" + phases.size(),
                            w.length > 2 ? Long.parseLong(w[2]) : -1);
                    case "report" -> report(w.length > 1 ? w[1] : "", w.length > 2 ? w[2] : "-", w.length > 3 ? w[3] : "-",
                            crowd, ledger, log, vip);
                    case "limit" -> limit(w.length > 1 ? w[1] : "");
                    case "stop" -> {
                        return finish(traffic, crowd, ledger, log);
                    }
                    default -> say("clients: unknown command '%s'", line);
                }
            }
            say("clients: end of commands");
            return finish(traffic, crowd, ledger, log);
        } finally {
            traffic.close();
            crowd.close();
            if (vip != null) {
                vip.close();
            }
            timer.shutdownNow();
        }
    }

    private void startPhase(String name, long epochMillis) {
        long start = System.nanoTime();
        if (epochMillis > 0) {
            long ago = System.currentTimeMillis() - epochMillis;
            if (ago >= 0 && ago < 10_000) {
                start -= ago * 1_000_000L;
            }
        }
        Phase p = new Phase(phases.size(), name, start);
        p.serversAtStart = servers();
        phases.add(p);
        current = p.index;
        trace.event(p.start, "drill", "fault " + name);
        say("clients: %s: window opens at +%.2f s", name, secs(p.start - t0));
    }

    private void report(String name, String takeoverTarget, String resumeTarget, Crowd crowd, Ledger ledger,
            ConnectionLog log, VipProbe vip) {
        Phase p = null;
        for (Phase q : phases) {
            if (q.name.equals(name) && q.index > 0) {
                p = q;
            }
        }
        if (p == null) {
            say("clients: no phase named '%s'", name);
            status("reported " + name);
            return;
        }
        p.takeoverTarget = takeoverTarget;
        p.resumeTarget = resumeTarget;
        // Messages sent during the first --min-window of the fault count as its own; later ones as steady
        // traffic again, while this window's own are waited for until acked and shown (bounded).
        long minEnd = p.start + minWindowMillis * 1_000_000L;
        while (System.nanoTime() < minEnd) {
            Sleep.millis(20);
        }
        current = 0;
        long deadline = System.nanoTime() + settleSeconds * 1_000_000_000L;
        while (System.nanoTime() < deadline && (!ledger.settled(p.index) || crowd.openCount() < crowd.size())) {
            Sleep.millis(50);
        }
        p.end = System.nanoTime();
        p.serversAtEnd = servers();
        describe(p, crowd, ledger, log, vip);
        status("reported " + name);
    }

    private void describe(Phase p, Crowd crowd, Ledger ledger, ConnectionLog log, VipProbe vip) {
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "== %s: figures (window %.1f s)", p.name, secs(p.end - p.start)));
        VipProbe.Takeover t = vip == null ? null : vip.window(p.start, p.end);
        if (t != null) {
            if (t.moved()) {
                p.takeover = fmt(t.movedAt() - p.start);
                p.vipText = String.format(Locale.ROOT, "%s -> %s: answered by %s %s after the fault (longest gap between answers %s)",
                        t.before(), t.after(), t.after(), p.takeover, fmt(t.longestSilenceNanos()));
            } else {
                p.vipText = String.format(Locale.ROOT, "stayed on %s (longest gap between answers %s)", t.before(),
                        fmt(t.longestSilenceNanos()));
            }
            lines.add("   VIP       " + p.vipText);
        }
        ConnectionLog.Outage o = log.window(p.start, p.end, crowd::isOpen);
        p.dropped = o.dropped() + "/" + o.clients();
        p.everyoneBack = o.everyoneBack();
        String clients;
        if (o.dropped() == 0) {
            clients = String.format(Locale.ROOT, "0/%d dropped", o.clients());
        } else if (!o.everyoneBack()) {
            clients = String.format(Locale.ROOT, "%d/%d dropped; NOT BACK: %s", o.dropped(), o.clients(), o.away());
            p.backAfterFault = "never";
        } else {
            p.backAfterFault = fmt(o.allBackAt() - p.start);
            clients = String.format(Locale.ROOT, "%d/%d dropped (%s); all back %s after the fault", o.dropped(),
                    o.clients(), reasons(o.reasons()), p.backAfterFault);
            if (t != null && t.moved()) {
                p.backAfterTakeover = fmt(Math.max(0, o.allBackAt() - t.movedAt()));
                clients += ", " + p.backAfterTakeover + " after the takeover";
            }
            clients += String.format(Locale.ROOT, "; longest outage of a client %s; %d failed attempts",
                    fmt(o.longestNanos()), o.failedAttempts());
        }
        lines.add("   clients   " + clients);
        Ledger.Counts c = ledger.phase(p.index);
        lines.add(String.format(Locale.ROOT,
                "   messages  sent %d, acked %d, delivered %d, lost %d, shown twice %d (unacked %d; redelivered, dropped by ID: %d)",
                c.sent(), c.acked(), c.delivered(), c.lost(), c.shownTwice(), c.unacked(), c.redelivered()));
        List<String> targets = new ArrayList<>();
        if (!"-".equals(p.takeoverTarget) && t != null) {
            if ("stay".equals(p.takeoverTarget)) {
                boolean ok = !t.moved();
                p.targetsMet &= ok;
                targets.add("VIP stays: " + (ok ? "ok" : "MISSED (it moved)"));
            } else {
                double target = Double.parseDouble(p.takeoverTarget);
                boolean ok = t.moved() && (t.movedAt() - p.start) / 1e9 <= target;
                p.targetsMet &= ok;
                targets.add(String.format(Locale.ROOT, "takeover <= %s s: %s", p.takeoverTarget,
                        ok ? "ok (" + p.takeover + ")" : "MISSED (" + (t.moved() ? p.takeover : "no takeover") + ")"));
            }
        }
        if (!"-".equals(p.resumeTarget)) {
            double target = Double.parseDouble(p.resumeTarget);
            double measured;
            String what;
            if (o.dropped() == 0) {
                measured = 0;
                what = "no client dropped";
            } else if (!o.everyoneBack()) {
                measured = Double.POSITIVE_INFINITY;
                what = "not all back";
            } else if (t != null && t.moved()) {
                measured = Math.max(0, o.allBackAt() - t.movedAt()) / 1e9;
                what = p.backAfterTakeover + " after the takeover";
            } else {
                measured = o.longestNanos() / 1e9;
                what = "longest outage " + fmt(o.longestNanos());
            }
            boolean ok = measured <= target;
            p.targetsMet &= ok;
            targets.add(String.format(Locale.ROOT, "every client back <= %s s: %s (%s)", p.resumeTarget,
                    ok ? "ok" : "MISSED", what));
        }
        if (!targets.isEmpty()) {
            lines.add("   targets   " + String.join("; ", targets));
        }
        if (!p.serversAtStart.isEmpty()) {
            lines.add("   nodes     before: " + p.serversAtStart.stream().map(Object::toString).reduce((a, b) -> a + "; " + b).orElse(""));
            lines.add("             after:  " + p.serversAtEnd.stream().map(Object::toString).reduce((a, b) -> a + "; " + b).orElse(""));
        }
        if (p.limit != null) {
            LimitCheck l = p.limit;
            lines.add(String.format(Locale.ROOT, "   limit     login limit tripped on %s after %d attempts from %s; after the takeover %s answered %d: %s",
                    l.tripped().last().proxy(), l.tripped().attempts(), loginProbeFrom,
                    l.after().proxy() == null ? "nobody" : l.after().proxy(), l.after().status(),
                    l.held() ? "still limited (peers carried the table over)" : "NOT LIMITED"));
        }
        for (String l : lines) {
            say("%s", l);
        }
        p.figures = phaseJson(p, c, t, o);
        figures(p.figures.toString());
    }

    /** The chat nodes of every proxy named by --haproxy-stats, as each says now. */
    private List<ProxyServers.Snapshot> servers() {
        List<ProxyServers.Snapshot> l = new ArrayList<>();
        for (ProxyServers s : proxies) {
            l.add(s.read());
        }
        return l;
    }

    /** "limit arm" and "limit check" (see the class comment). */
    private void limit(String what) {
        if (loginProbe == null) {
            say("clients: 'limit %s' needs --login-probe-from", what);
            status("limit " + what + " refused");
            limitsHeld = false;
            return;
        }
        switch (what) {
            case "arm" -> {
                armed = loginProbe.trip(loginProbeAttempts);
                say("clients: login limit from %s: %s after %d attempts (answered by %s)", loginProbeFrom,
                        armed.last().limited() ? "429" : "NOT REACHED, last " + armed.last().status(), armed.attempts(),
                        armed.last().proxy());
                if (!armed.last().limited()) {
                    limitsHeld = false;
                }
                status("limit armed");
            }
            case "check" -> {
                Phase p = phases.get(phases.size() - 1);
                if (armed == null || p.index == 0) {
                    say("clients: 'limit check' without 'limit arm' before it and a phase open");
                    limitsHeld = false;
                } else {
                    LoginLimitProbe.Answer after = loginProbe.askOther(armed.last().proxy(), System.nanoTime() + 10_000_000_000L);
                    p.limit = new LimitCheck(armed, after);
                    limitsHeld &= p.limit.held();
                    armed = null;
                }
                status("limit checked");
            }
            default -> say("clients: unknown 'limit %s' (arm or check)", what);
        }
    }

    /** One phase's figures as one JSON object (seconds as numbers; null where there is none). */
    private ObjectNode phaseJson(Phase p, Ledger.Counts c, VipProbe.Takeover t, ConnectionLog.Outage o) {
        ObjectNode j = JSON.createObjectNode();
        j.put("fault", p.name);
        j.put("source", "loadgen");
        j.put("takeover_target", p.takeoverTarget);
        j.put("resume_target", p.resumeTarget);
        j.put("window_s", round(secs(p.end - p.start)));
        if (t != null) {
            j.put("vip_moved", t.moved());
            j.put("vip_before", t.before());
            j.put("vip_after", t.after());
            if (t.moved()) {
                j.put("takeover_s", round(secs(t.movedAt() - p.start)));
            } else {
                j.putNull("takeover_s");
            }
        }
        j.put("clients", o.clients());
        j.put("dropped", o.dropped());
        j.put("everyone_back", o.everyoneBack());
        if (o.dropped() > 0 && o.everyoneBack()) {
            j.put("back_after_fault_s", round(secs(o.allBackAt() - p.start)));
            j.put("longest_outage_s", round(secs(o.longestNanos())));
        }
        j.put("sent", c.sent());
        j.put("acked", c.acked());
        j.put("delivered", c.delivered());
        j.put("lost", c.lost());
        j.put("shown_twice", c.shownTwice());
        j.put("unacked", c.unacked());
        j.put("redelivered", c.redelivered());
        j.put("targets_met", p.targetsMet);
        if (!p.serversAtStart.isEmpty()) {
            j.set("nodes_before", nodesJson(p.serversAtStart));
            j.set("nodes_after", nodesJson(p.serversAtEnd));
        }
        if (p.limit != null) {
            ObjectNode l = j.putObject("login_limit");
            l.put("from", loginProbeFrom);
            l.put("tripped_on", p.limit.tripped().last().proxy());
            l.put("attempts", p.limit.tripped().attempts());
            l.put("after_takeover_proxy", p.limit.after().proxy());
            l.put("after_takeover_status", p.limit.after().status());
            l.put("held", p.limit.held());
        }
        j.put("every_client_back", p.everyoneBack);
        j.put("ok", c.lost() == 0 && c.shownTwice() == 0 && o.everyoneBack() && (p.limit == null || p.limit.held()));
        return j;
    }

    /** {"proxy1": {"node-1": {"status": "UP", "sessions": 3}, ...}, ...} */
    private static ObjectNode nodesJson(List<ProxyServers.Snapshot> snapshots) {
        ObjectNode all = JSON.createObjectNode();
        for (ProxyServers.Snapshot s : snapshots) {
            ObjectNode proxy = all.putObject(s.proxy());
            s.nodes().forEach((n, srv) -> {
                ObjectNode o = proxy.putObject(n);
                o.put("status", srv.status());
                o.put("sessions", srv.sessions());
            });
        }
        return all;
    }

    private void figures(String json) {
        if (figuresFile != null) {
            ControllerLink.append(figuresFile, json);
        }
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private int finish(RingTraffic traffic, Crowd crowd, Ledger ledger, ConnectionLog log) {
        traffic.close();
        current = 0;
        long deadline = System.nanoTime() + settleSeconds * 1_000_000_000L;
        while (System.nanoTime() < deadline && (!ledger.settled(-1) || crowd.openCount() < crowd.size())) {
            Sleep.millis(50);
        }
        ObjectNode report = JSON.createObjectNode();
        checks.metrics(report, l -> say("%s", l));
        boolean logsClean = checks.logHygiene(report, l -> say("%s", l), List.of("pw-" + client.userPrefix));
        boolean monitored = monitoring.judge(report, l -> say("%s", l));
        List<String> lines = new ArrayList<>();
        lines.add("== summary (every message checked once more after the last fault)");
        lines.add(String.format(Locale.ROOT, "   %-18s %9s %9s %9s %9s %7s %7s %9s %6s %6s %6s", "phase", "takeover",
                "back", "back-tko", "dropped", "sent", "acked", "delivered", "lost", "twice", "redel"));
        boolean everyoneBack = true;
        boolean targets = true;
        for (Phase p : phases) {
            Ledger.Counts c = ledger.phase(p.index);
            lines.add(String.format(Locale.ROOT, "   %-18s %9s %9s %9s %9s %7d %7d %9d %6d %6d %6d", p.name, p.takeover,
                    p.backAfterFault, p.backAfterTakeover, p.dropped, c.sent(), c.acked(), c.delivered(), c.lost(),
                    c.shownTwice(), c.redelivered()));
            everyoneBack &= p.everyoneBack;
            targets &= p.targetsMet;
        }
        Ledger.Counts all = ledger.all();
        lines.add(String.format(Locale.ROOT, "   %-18s %9s %9s %9s %9s %7d %7d %9d %6d %6d %6d", "total", "", "", "", "",
                all.sent(), all.acked(), all.delivered(), all.lost(), all.shownTwice(), all.redelivered()));
        lines.add("   send->ack        " + ledger.sendToAck().summary());
        lines.add("   send->delivered  " + ledger.sendToShown().summary());
        Map<String, Long> errors = crowd.errors();
        if (!errors.isEmpty()) {
            lines.add("   error frames     " + errors);
        }
        if (!crowd.otherFrames().isEmpty()) {
            lines.add("   other frames     " + crowd.otherFrames() + " (extensions beyond v1, ignored)");
        }
        boolean clean = all.clean() && ledger.misrouted() == 0 && crowd.openCount() == crowd.size() && everyoneBack
                && limitsHeld && logsClean && monitored;
        int code = !clean ? 1 : (strictTargets && !targets) ? 2 : 0;
        lines.add(String.format(Locale.ROOT, "   verdict          %s: lost %d, shown twice %d, unacked %d, misrouted %d, clients back %s%s%s%s%s",
                clean ? "PASS" : "FAIL", all.lost(), all.shownTwice(), all.unacked(), ledger.misrouted(),
                everyoneBack && crowd.openCount() == crowd.size() ? "all" : "NOT ALL",
                limitsHeld ? "" : ", a login limit check FAILED",
                targets ? "; every time target met" : "; some time target MISSED" + (strictTargets ? " (strict)" : " (reported only)"),
                logsClean ? "" : "; secrets in logs", monitored ? "" : "; a monitoring check FAILED",
                "; topology " + topology));
        for (String l : lines) {
            say("%s", l);
        }
        ObjectNode summary = JSON.createObjectNode();
        summary.put("fault", "summary");
        summary.put("sent", all.sent());
        summary.put("acked", all.acked());
        summary.put("delivered", all.delivered());
        summary.put("lost", all.lost());
        summary.put("shown_twice", all.shownTwice());
        summary.put("unacked", all.unacked());
        summary.put("misrouted", ledger.misrouted());
        summary.put("clients_back", everyoneBack && crowd.openCount() == crowd.size());
        summary.put("login_limits_held", limitsHeld);
        summary.put("monitoring_ok", monitored);
        summary.put("targets_met", targets);
        summary.put("verdict", clean ? "PASS" : "FAIL");
        figures(summary.toString());
        link.writeChart(timeline(ledger, log));
        report.put("command", "drill");
        report.put("topology", topology);
        report.put("run", client.runId);
        report.put("clients", crowd.size());
        report.put("verdict", code == 0 ? "PASS" : "FAIL");
        report.put("ok", code == 0);
        report.put("exit", code);
        report.put("targets_met", targets);
        RunChecks.putTotals(report, all, ledger.misrouted(), crowd.openCount());
        var list = report.putArray("faults");
        for (Phase p : phases) {
            if (p.index > 0) {
                list.add(p.figures != null ? p.figures : JSON.createObjectNode().put("fault", p.name).put("ok", false));
            }
        }
        if (!link.writeJson(report) && code == 0) {
            code = 1;
        }
        status("done " + code);
        return code;
    }

    /** The run second by second, each fault a band from its start to the end of its window, and the VIP's owner. */
    private Timeline timeline(Ledger ledger, ConnectionLog log) {
        long now = System.nanoTime();
        List<Timeline.Band> bands = new ArrayList<>();
        for (Phase p : phases) {
            if (p.index > 0) {
                bands.add(new Timeline.Band(p.name, secs(p.start - t0), secs((p.end >= 0 ? p.end : now) - t0)));
            }
        }
        return Timeline.of("failover drill run " + client.runId, t0, now, ledger, log, bands, vipProbe);
    }

    // ------------------------------------------------------------------ output

    private static double secs(long nanos) {
        return nanos / 1e9;
    }

    private static String fmt(long nanos) {
        return String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
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

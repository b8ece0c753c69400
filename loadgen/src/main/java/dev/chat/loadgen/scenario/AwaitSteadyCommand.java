package dev.chat.loadgen.scenario;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;

import dev.chat.loadgen.measure.Steadiness;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Waits, up to a deadline, until the system is steady ({@link Steadiness}): every service answers its readiness
 * check, every server in HAProxy is UP, every {@code --check} command succeeds, all of it without a break for
 * {@code --hold}, and every {@code --vrrp-pair} reports one MASTER holding the VIP and BACKUPs ({@link
 * dev.chat.loadgen.measure.VrrpPair}). scripts/chaos and scripts/drill ask it after restoring each fault and before
 * the first, so that when the next fault may start is decided here and not by waits in the scripts. Exit 0 when steady; 1, naming what was not
 * steady, when the deadline passed first; 2 on bad options.
 */
@Command(name = "await-steady", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Wait until every service is ready, every HAProxy server UP, every --check passes and every --vrrp-pair "
                + "has one MASTER holding the VIP, without a break "
                + "for --hold seconds; give up at --deadline.", "Exit 0 steady, 1 not steady by the deadline (what was not is printed)."})
public final class AwaitSteadyCommand implements Callable<Integer> {
    @Option(names = "--ready", paramLabel = "NAME=URL", description = "a service and its readiness URL (2xx: ready)")
    List<String> ready = new ArrayList<>();

    @Option(names = "--haproxy-stats", paramLabel = "URL", description = "an HAProxy's stats page in CSV (/stats;csv): every server UP")
    List<URI> haproxy = new ArrayList<>();

    @Option(names = "--ignore-backends", paramLabel = "REGEX", description = "backends left out of the HAProxy check, e.g. pg_.*")
    Pattern ignoreBackends;

    @Option(names = "--check", paramLabel = "NAME=COMMAND", description = "a shell command (bash -c) that exits 0 when its part is steady")
    List<String> commands = new ArrayList<>();

    @Option(names = "--vrrp-pair", paramLabel = "NAME=COMMAND", description = "a shell command (bash -c) printing one line a "
            + "keepalived host, NAME STATE vip|-: steady when one MASTER holds the VIP and every other host is BACKUP without it")
    List<String> vrrpPairs = new ArrayList<>();

    @Option(names = "--hold", defaultValue = "5", paramLabel = "S", description = "seconds every check must hold without a break (default: ${DEFAULT-VALUE})")
    double holdSeconds;

    @Option(names = "--deadline", defaultValue = "95", paramLabel = "S", description = "seconds before giving up (default: ${DEFAULT-VALUE})")
    double deadlineSeconds;

    @Option(names = "--poll", defaultValue = "100", paramLabel = "MS", description = "between readings (default: ${DEFAULT-VALUE})")
    long pollMillis;

    @Override
    public Integer call() {
        List<Steadiness.Check> checks = new ArrayList<>();
        try {
            if (holdSeconds < 0 || deadlineSeconds <= 0 || pollMillis < 1) {
                throw new IllegalArgumentException("--hold >= 0, --deadline > 0, --poll >= 1");
            }
            for (String r : ready) {
                String[] nv = nameValue(r, "--ready");
                checks.add(Steadiness.ready(nv[0], URI.create(nv[1])));
            }
            for (URI h : haproxy) {
                checks.add(Steadiness.haproxy(h, ignoreBackends));
            }
            for (String c : commands) {
                String[] nv = nameValue(c, "--check");
                checks.add(Steadiness.command(nv[0], nv[1], Duration.ofSeconds(30)));
            }
            for (String c : vrrpPairs) {
                String[] nv = nameValue(c, "--vrrp-pair");
                checks.add(Steadiness.vrrpPair(nv[0], nv[1], Duration.ofSeconds(30)));
            }
            if (checks.isEmpty()) {
                throw new IllegalArgumentException("nothing to wait for: give --ready, --haproxy-stats, --check or --vrrp-pair");
            }
        } catch (IllegalArgumentException e) {
            System.err.println("loadgen await-steady: " + e.getMessage());
            return 2;
        }
        Steadiness.Outcome o = new Steadiness(checks, System::nanoTime, Sleep::millis).await(seconds(holdSeconds),
                seconds(deadlineSeconds), Duration.ofMillis(pollMillis));
        if (o.steady()) {
            System.out.printf(Locale.ROOT, "steady after %.1f s (%d check%s held for %s s)%n", o.seconds(), checks.size(),
                    checks.size() == 1 ? "" : "s", fmt(holdSeconds));
            return 0;
        }
        System.out.printf(Locale.ROOT, "not steady within %s s: %s%n", fmt(deadlineSeconds),
                o.notSteady().isEmpty() ? "every check held at the end, but not yet for " + fmt(holdSeconds) + " s"
                        : String.join("; ", o.notSteady()));
        return 1;
    }

    private static String[] nameValue(String s, String option) {
        int eq = s.indexOf('=');
        if (eq <= 0 || eq == s.length() - 1) {
            throw new IllegalArgumentException(option + " must be NAME=VALUE, not '" + s + "'");
        }
        return new String[] {s.substring(0, eq), s.substring(eq + 1)};
    }

    private static Duration seconds(double s) {
        return Duration.ofMillis(Math.round(s * 1000));
    }

    private static String fmt(double s) {
        return s == Math.rint(s) ? Long.toString((long) s) : String.format(Locale.ROOT, "%.1f", s);
    }
}

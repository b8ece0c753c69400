package dev.chat.loadgen.scenario;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import dev.chat.loadgen.measure.Steadiness;
import picocli.CommandLine.Option;

/**
 * What "the system is steady" means for a run, as options: services' readiness URLs, HAProxy stats pages, shell
 * checks and keepalived pairs ({@link Steadiness}). Shared by {@code await-steady} (one wait, for the scripts) and
 * {@code chaos} (a wait before the first fault and after each restore, in its {@link FaultSchedule}), so both read
 * the same options the same way.
 */
public final class SteadyChecks {
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

    /** True when no check was given. */
    boolean isEmpty() {
        return ready.isEmpty() && haproxy.isEmpty() && commands.isEmpty() && vrrpPairs.isEmpty();
    }

    /** The checks the options name; IllegalArgumentException for one that is not NAME=VALUE. */
    List<Steadiness.Check> checks() {
        List<Steadiness.Check> checks = new ArrayList<>();
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
        return checks;
    }

    /**
     * One line for the outcome of a wait: "steady after S s (N checks held for H s)" or "not steady within D s:
     * what was not".
     */
    static String describe(Steadiness.Outcome o, int checks, Duration hold, Duration deadline) {
        double h = hold.toMillis() / 1000.0;
        if (o.steady()) {
            return String.format(Locale.ROOT, "steady after %.1f s (%d check%s held for %s s)", o.seconds(), checks,
                    checks == 1 ? "" : "s", fmt(h));
        }
        return String.format(Locale.ROOT, "not steady within %s s: %s", fmt(deadline.toMillis() / 1000.0),
                o.notSteady().isEmpty() ? "every check held at the end, but not yet for " + fmt(h) + " s"
                        : String.join("; ", o.notSteady()));
    }

    private static String[] nameValue(String s, String option) {
        int eq = s.indexOf('=');
        if (eq <= 0 || eq == s.length() - 1) {
            throw new IllegalArgumentException(option + " must be NAME=VALUE, not '" + s + "'");
        }
        return new String[] {s.substring(0, eq), s.substring(eq + 1)};
    }

    private static String fmt(double s) {
        return s == Math.rint(s) ? Long.toString((long) s) : String.format(Locale.ROOT, "%.1f", s);
    }
}

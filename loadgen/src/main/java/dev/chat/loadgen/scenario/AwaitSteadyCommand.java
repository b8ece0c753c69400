package dev.chat.loadgen.scenario;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

import dev.chat.loadgen.measure.Steadiness;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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
    @Mixin
    SteadyChecks steady;

    @Option(names = "--hold", defaultValue = "5", paramLabel = "S", description = "seconds every check must hold without a break (default: ${DEFAULT-VALUE})")
    double holdSeconds;

    @Option(names = "--deadline", defaultValue = "95", paramLabel = "S", description = "seconds before giving up (default: ${DEFAULT-VALUE})")
    double deadlineSeconds;

    @Option(names = "--poll", defaultValue = "100", paramLabel = "MS", description = "between readings (default: ${DEFAULT-VALUE})")
    long pollMillis;

    @Override
    public Integer call() {
        List<Steadiness.Check> checks;
        try {
            if (holdSeconds < 0 || deadlineSeconds <= 0 || pollMillis < 1) {
                throw new IllegalArgumentException("--hold >= 0, --deadline > 0, --poll >= 1");
            }
            checks = steady.checks();
            if (checks.isEmpty()) {
                throw new IllegalArgumentException("nothing to wait for: give --ready, --haproxy-stats, --check or --vrrp-pair");
            }
        } catch (IllegalArgumentException e) {
            System.err.println("loadgen await-steady: " + e.getMessage());
            return 2;
        }
        Steadiness.Outcome o = new Steadiness(checks, System::nanoTime, Sleep::millis).await(seconds(holdSeconds),
                seconds(deadlineSeconds), Duration.ofMillis(pollMillis));
        System.out.println(SteadyChecks.describe(o, checks.size(), seconds(holdSeconds), seconds(deadlineSeconds)));
        return o.steady() ? 0 : 1;
    }

    private static Duration seconds(double s) {
        return Duration.ofMillis(Math.round(s * 1000));
    }
}

package dev.chat.loadgen.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;

/** The command scripts/chaos and scripts/drill call: its exit codes and what it says, with checks that answer at once. */
class AwaitSteadyCommandTest {
    private record Run(int exit, String out, String err) {
    }

    private static Run run(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int code = new CommandLine(new AwaitSteadyCommand()).execute(args);
            return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void steadyExitsZeroAndSaysWhen() {
        Run r = run("--check", "ok=true", "--hold", "0", "--deadline", "10");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().startsWith("steady after "), r.out());
    }

    @Test
    void notSteadyByTheDeadlineExitsOneNamingWhatWasNot() {
        Run r = run("--check", "ok=true", "--check", "pg pair=echo no sync standby; exit 1", "--hold", "0", "--deadline",
                "0.3", "--poll", "50");
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.out().contains("not steady within 0.3 s: pg pair: exit 1 (no sync standby)"), r.out());
    }

    @Test
    void theDrillsPairIsJudgedFromTheStatesItsCommandPrints() {
        Run steady = run("--vrrp-pair", "keepalived pair=echo proxy1 MASTER vip; echo proxy2 BACKUP -", "--hold", "0", "--deadline", "10");
        assertEquals(0, steady.exit(), steady.toString());
        Run not = run("--vrrp-pair", "keepalived pair=echo proxy1 MASTER vip; echo proxy2 MASTER vip", "--hold", "0", "--deadline",
                "0.3", "--poll", "50");
        assertEquals(1, not.exit(), not.toString());
        assertTrue(not.out().contains("not steady within 0.3 s: keepalived pair: the VIP on proxy1 and proxy2"), not.out());
        Run bad = run("--vrrp-pair", "nameless");
        assertEquals(2, bad.exit());
        assertTrue(bad.err().contains("--vrrp-pair must be NAME=VALUE"), bad.err());
    }

    @Test
    void refusesNothingToWaitForAndMalformedChecks() {
        Run none = run("--deadline", "5");
        assertEquals(2, none.exit());
        assertTrue(none.err().contains("nothing to wait for"), none.err());
        Run bad = run("--check", "no-equals-sign");
        assertEquals(2, bad.exit());
        assertTrue(bad.err().contains("--check must be NAME=VALUE"), bad.err());
    }
}

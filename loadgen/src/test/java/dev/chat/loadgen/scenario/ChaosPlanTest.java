package dev.chat.loadgen.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;

/** The chaos command's fault schedule as its options give it (no clients are started). */
class ChaosPlanTest {
    private static List<FaultSchedule.Fault> plan(String... args) {
        ChaosCommand c = new ChaosCommand();
        String[] all = java.util.Arrays.copyOf(args, args.length + 2);
        all[args.length] = "--url";
        all[args.length + 1] = "http://127.0.0.1:1";
        new CommandLine(c).parseArgs(all);
        return c.plan();
    }

    @Test
    void theFaultsRunInTheOrderGivenWithThePauseAsTheStopsHold() {
        List<FaultSchedule.Fault> p = plan("--faults", "node-stop,node-kill,postgres-stop", "--pause", "7", "--plumbing",
                "bash scripts/chaos", "--ready", "chat-node-1=http://127.0.0.1:1/q/health/ready");
        assertEquals(List.of("node-stop", "node-kill", "postgres-stop"), p.stream().map(FaultSchedule.Fault::name).toList());
        assertEquals(Duration.ofSeconds(7), p.get(0).hold());
        assertEquals(ChaosFaults.KILL_HOLD, p.get(1).hold());
        assertEquals(FaultSchedule.Ends.AT_RESTORE, p.get(2).ends());
    }

    @Test
    void withoutFaultsTheControllerDrivesAndAScheduleWithoutItsPartsIsRefused() {
        assertEquals(List.of(), plan());
        IllegalArgumentException noPlumbing = assertThrows(IllegalArgumentException.class,
                () -> plan("--faults", "node-kill", "--ready", "a=http://127.0.0.1:1/"));
        assertTrue(noPlumbing.getMessage().contains("--faults needs --plumbing"), noPlumbing.getMessage());
        IllegalArgumentException noSteady = assertThrows(IllegalArgumentException.class,
                () -> plan("--faults", "node-kill", "--plumbing", "true"));
        assertTrue(noSteady.getMessage().contains("what steady means"), noSteady.getMessage());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> plan("--faults", "node-kill,meteor", "--plumbing", "true", "--ready", "a=http://127.0.0.1:1/"));
        assertTrue(unknown.getMessage().startsWith("unknown fault 'meteor'"), unknown.getMessage());
    }
}

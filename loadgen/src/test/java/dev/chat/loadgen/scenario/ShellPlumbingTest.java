package dev.chat.loadgen.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The plumbing as a shell command: its words reach the script intact, and a call that hangs is cut off. */
class ShellPlumbingTest {
    @Test
    void theArgumentsReachTheCommandAsWordsAndItsOutputAndExitComeBack() {
        Plumbing.Call c = new ShellPlumbing("printf '%s|' fixed").run(List.of("--inject", "node-stop", "it's two words"),
                Duration.ofSeconds(20));
        assertTrue(c.ok(), c.toString());
        assertEquals(List.of("fixed|--inject|node-stop|it's two words|"), c.lines());
    }

    @Test
    void aFailingCallAnswersItsExitAndItsLastLineSaysWhy() {
        Plumbing.Call c = new ShellPlumbing("echo trying; echo 'scripts/chaos: chat-node-2 is not running' >&2; exit 1")
                .run(List.of(), Duration.ofSeconds(20));
        assertFalse(c.ok());
        assertEquals(1, c.exit());
        assertEquals("scripts/chaos: chat-node-2 is not running", c.last());
    }

    @Test
    void aCallThatOutlivesItsLimitIsKilledAndSaysSo() {
        Plumbing.Call c = new ShellPlumbing("echo started; sleep 60").run(List.of(), Duration.ofMillis(500));
        assertEquals(-1, c.exit());
        assertEquals("started", c.lines().get(0));
        assertTrue(c.last().startsWith("no answer within "), c.toString());
    }
}

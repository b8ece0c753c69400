package dev.chat.node.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.chat.node.testing.FakeTime;
import dev.chat.node.testing.MemorySockets;
import dev.chat.node.testing.Settings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** Pushes to a user's sockets here: tracked until acked, never doubled within the delay, held past the limit. */
class PusherTest {
    private final FakeTime time = new FakeTime();
    private final MemorySockets sockets = new MemorySockets().connect("bob", 2);
    private final InFlight inFlight = new InFlight(Settings.delivery(Duration.ofSeconds(5)), time);
    private final Pusher pusher = new Pusher(sockets, inFlight, Settings.limits(20, 60, 2), new SimpleMeterRegistry());

    @Test
    void aMessageGoesToEverySocketOfTheUserAndIsTracked() {
        assertEquals(2, pusher.push("bob", "m1", "{m1}"));
        assertEquals(List.of("{m1}", "{m1}"), sockets.frames("bob"));
        assertTrue(inFlight.tracked("bob", "m1"));
    }

    @Test
    void theSameMessageIsNotPushedAgainWithinTheRedeliveryDelay() {
        pusher.push("bob", "m1", "{m1}");
        assertEquals(0, pusher.push("bob", "m1", "{m1}"), "a publish arriving after the sweep pushed it");
        time.advance(Duration.ofSeconds(5));
        assertEquals(2, pusher.push("bob", "m1", "{m1}"));
        assertEquals(4, sockets.frames("bob").size());
    }

    @Test
    void pastTheUnackedLimitNewMessagesWaitUntilAnAck() {
        pusher.push("bob", "m1", "{m1}");
        pusher.push("bob", "m2", "{m2}");
        assertEquals(0, pusher.push("bob", "m3", "{m3}"), "held: two in flight already");
        assertFalse(inFlight.tracked("bob", "m3"));
        inFlight.acked("bob", "m1");
        assertEquals(2, pusher.push("bob", "m3", "{m3}"));
    }

    @Test
    void aMessageNoSocketHadRoomForStaysDueForTheSweep() {
        sockets.full("bob", true);
        assertEquals(0, pusher.push("bob", "m1", "{m1}"));
        pusher.pushTo(null, "bob", "m1", "{m1}"); // the in-memory sockets do not look at the connection
        assertEquals(List.of(), sockets.frames("bob"));
        assertTrue(inFlight.due("bob", "m1"));
        assertFalse(inFlight.tracked("bob", "m1"));
    }

    @Test
    void aNoticeIsWrittenButNotTracked() {
        pusher.notice("bob", "{typing}");
        assertEquals(List.of("{typing}", "{typing}"), sockets.frames("bob"));
        assertEquals(0, inFlight.count("bob"));
    }

    @Test
    void aUserWithNoSocketHereGetsNothing() {
        assertEquals(0, pusher.push("ann", "m1", "{m1}"));
        assertFalse(inFlight.tracked("ann", "m1"));
    }
}

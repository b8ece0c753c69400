package dev.chat.node.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.LinkedHashSet;
import java.util.List;

import org.junit.jupiter.api.Test;

class RoutingTest {
    @Test
    void oneTargetPerNodeAndTheLocalOneMarked() {
        List<RouteTarget> targets = RouteTarget.of(new LinkedHashSet<>(List.of("node-1", "node-2", "node-3")), "node-2");
        assertEquals(List.of(new RouteTarget("node-1", false), new RouteTarget("node-2", true),
                new RouteTarget("node-3", false)), targets);
    }

    @Test
    void anOfflineUserHasNoTarget() {
        assertEquals(List.of(), RouteTarget.of(List.of(), "node-1"));
    }

    @Test
    void envelopeRoundTripKeepsTheFrameByteForByte() {
        String frame = "{\"type\":\"msg\",\"id\":\"m1\",\"body\":\"line1\\nline2 \\u00e9\"}";
        Envelope e = Envelope.decode(new Envelope("bob", "m1", frame).encode());
        assertEquals(new Envelope("bob", "m1", frame), e);
    }

    @Test
    void envelopeRefusesPayloadsOfOtherShapes() {
        assertNull(Envelope.decode("no newline"));
        assertNull(Envelope.decode("\nid\n{}"));
        assertEquals(new Envelope("bob", "", "{}"), Envelope.decode("bob\n\n{}"), "a notice: no ID, no ack");
        assertNull(Envelope.decode("bob\nid\n"));
    }
}

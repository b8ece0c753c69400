package dev.chat.node.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

class RoutingTest {
    @Test
    void oneTargetPerNodeAndTheLocalOneMarked() {
        List<RouteTarget> targets = RouteTarget.plan("bob", new LinkedHashSet<>(List.of("node-1", "node-2", "node-3")),
                "node-2");
        assertEquals(List.of(new RouteTarget("node-1", false, List.of("bob")), new RouteTarget("node-2", true,
                List.of("bob")), new RouteTarget("node-3", false, List.of("bob"))), targets);
    }

    @Test
    void anOfflineUserHasNoTarget() {
        assertEquals(List.of(), RouteTarget.plan("bob", Set.of(), "node-1"));
    }

    @Test
    void aGroupGoesOncePerNodeWithItsMembersThere() {
        Map<String, Set<String>> byUser = new LinkedHashMap<>();
        byUser.put("ann", Set.of("node-1"));
        byUser.put("ben", Set.of("node-2"));
        byUser.put("cat", Set.of("node-1"));
        byUser.put("dan", new LinkedHashSet<>(List.of("node-2", "node-3")));
        List<RouteTarget> targets = RouteTarget.plan(byUser, "node-3");
        assertEquals(3, targets.size(), "one publish per node, not per member: " + targets);
        Map<String, RouteTarget> byNode = new HashMap<>();
        targets.forEach(t -> byNode.put(t.node(), t));
        assertEquals(List.of("ann", "cat"), byNode.get("node-1").recipients());
        assertEquals(List.of("ben", "dan"), byNode.get("node-2").recipients());
        assertEquals(List.of("dan"), byNode.get("node-3").recipients());
        assertTrue(byNode.get("node-3").local());
    }

    @Test
    void envelopeCarriesSeveralRecipients() {
        Envelope e = new Envelope(List.of("ann", "cat"), "m1", "{}");
        assertEquals(e, Envelope.decode(e.encode()));
        assertEquals("ann,cat\nm1\n{}", e.encode());
    }

    @Test
    void envelopeRoundTripKeepsTheFrameByteForByte() {
        String frame = "{\"type\":\"msg\",\"id\":\"m1\",\"body\":\"line1\\nline2 \\u00e9\"}";
        Envelope e = Envelope.decode(new Envelope("bob", "m1", frame).encode());
        assertEquals(new Envelope("bob", "m1", frame), e);
        assertTrue(e.tracked());
    }

    @Test
    void envelopeRefusesPayloadsOfOtherShapes() {
        assertNull(Envelope.decode("no newline"));
        assertNull(Envelope.decode("\nid\n{}"));
        assertEquals(new Envelope("bob", "", "{}"), Envelope.decode("bob\n\n{}"), "a notice: no ID, no ack");
        assertNull(Envelope.decode("bob\nid\n"));
    }
}

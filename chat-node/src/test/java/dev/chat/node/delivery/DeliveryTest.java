package dev.chat.node.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.chat.node.protocol.ClientFrame;
import dev.chat.node.testing.FakeTime;
import dev.chat.node.testing.MemoryBroker;
import dev.chat.node.testing.MemoryMessageLog;
import dev.chat.node.testing.MemoryPresence;
import dev.chat.node.testing.Settings;

/**
 * The hot path across two nodes in one JVM, on in-memory seams: store, ack the sender, route to the recipient's
 * node; a retry is acked again and not delivered again; refusals and a store that is away answer errors and lose
 * nothing; an ack tells the sender; what routing lost the sweep delivers.
 */
class DeliveryTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final FakeTime time = new FakeTime();
    private final MemoryMessageLog log = new MemoryMessageLog().accounts("ann", "bob", "cat")
            .group(7, "ann", "bob", "cat");
    private final MemoryBroker.Hub hub = new MemoryBroker.Hub();
    private final MemoryPresence.PresenceMap map = new MemoryPresence.PresenceMap();
    private final TestNode node1 = new TestNode("node-1", log, hub, map, time, Settings.limits(1, 2, 2000))
            .connect("ann", 1).connect("cat", 1);
    private final TestNode node2 = new TestNode("node-2", log, hub, map, time, Settings.limits(1, 2, 2000))
            .connect("bob", 1);

    private JsonNode send(TestNode node, String from, String id, String to) {
        return json(node.delivery.send(from, new ClientFrame.Send(id, to, "hello " + to)).await().indefinitely());
    }

    private static JsonNode json(String frame) {
        try {
            return JSON.readTree(frame);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static List<String> types(List<String> frames) {
        return frames.stream().map(f -> json(f).get("type").asText()).toList();
    }

    @Test
    void aSendIsStoredAckedAndPushedToTheRecipientsNode() {
        JsonNode ack = send(node1, "ann", "m1", "bob");
        assertEquals("ack", ack.get("type").asText());
        assertEquals("m1", ack.get("id").asText());
        assertTrue(log.unackedBy("bob", "ann", "m1"));
        List<String> got = node2.sockets.frames("bob");
        assertEquals(1, got.size());
        JsonNode msg = json(got.get(0));
        assertEquals("msg", msg.get("type").asText());
        assertEquals("ann", msg.get("from").asText());
        assertEquals("hello bob", msg.get("body").asText());
    }

    @Test
    void aRetryIsAckedAgainAndNotDeliveredAgain() {
        send(node1, "ann", "m1", "bob");
        JsonNode again = send(node1, "ann", "m1", "bob");
        assertEquals("ack", again.get("type").asText());
        assertEquals(1, log.size());
        assertEquals(1, node2.sockets.frames("bob").size());
    }

    @Test
    void anUnknownRecipientIsRefusedAndNothingIsStored() {
        JsonNode error = send(node1, "ann", "m1", "nobody");
        assertEquals("error", error.get("type").asText());
        assertEquals("unknown_recipient", error.get("code").asText());
        assertEquals(0, log.size());
    }

    @Test
    void aStoreThatIsAwayAnswersUnavailableAndTheRetryIsAccepted() {
        log.failures().failNext(1);
        JsonNode error = send(node1, "ann", "m1", "bob");
        assertEquals("unavailable", error.get("code").asText());
        assertEquals(0, log.size());
        assertEquals(List.of(), node2.sockets.frames("bob"), "nothing delivered that was not acked");
        assertEquals("ack", send(node1, "ann", "m1", "bob").get("type").asText());
        assertEquals(1, node2.sockets.frames("bob").size());
    }

    @Test
    void sendsBeyondTheBurstAreRefusedUntilATokenIsFree() {
        send(node1, "ann", "m1", "bob");
        send(node1, "ann", "m2", "bob");
        JsonNode refused = send(node1, "ann", "m3", "bob");
        assertEquals("rate_limited", refused.get("code").asText());
        assertTrue(refused.get("retryAfterMs").asLong() > 0);
        assertEquals(2, log.size(), "a refused send is not stored");
        time.advance(Duration.ofSeconds(1));
        assertEquals("ack", send(node1, "ann", "m3", "bob").get("type").asText());
    }

    /**
     * A group send costs a row per recipient (issue 19: groups as a write amplifier): at 2 rows a second with
     * bursts of 4, sends to a group of three (two recipients) go two at once, then one a second.
     */
    @Test
    void groupSendsAreLimitedByTheRowsTheyWrite() {
        TestNode node = new TestNode("node-3", log, hub, map, time, Settings.limits(100, 100, 2000, 2, 4));
        java.util.function.Function<String, JsonNode> toGroup = id -> json(
                node.delivery.send("ann", new ClientFrame.SendToGroup(id, 7, "hi all")).await().indefinitely());
        assertEquals("ack", toGroup.apply("g1").get("type").asText());
        assertEquals("ack", toGroup.apply("g2").get("type").asText());
        assertEquals("ack", toGroup.apply("g3").get("type").asText(), "the bucket at 0, not in debt: let through");
        JsonNode refused = toGroup.apply("g4");
        assertEquals("rate_limited", refused.get("code").asText());
        assertEquals(1000, refused.get("retryAfterMs").asLong(), "two rows owed at two a second");
        assertEquals(3, log.size(), "a refused group send is not stored");
        assertEquals("ack", send(node, "ann", "one-to-one", "bob").get("type").asText(), "one-to-one sends still go");
        time.advance(Duration.ofSeconds(1));
        assertEquals("ack", toGroup.apply("g4").get("type").asText());
        assertEquals("rate_limited", toGroup.apply("g5").get("code").asText());
    }

    @Test
    void theRecipientsAckEndsRedeliveryAndTellsTheSender() {
        send(node1, "ann", "m1", "bob");
        node2.delivery.ack("bob", "m1").await().indefinitely();
        assertFalse(log.unackedBy("bob", "ann", "m1"));
        assertFalse(node2.inFlight.tracked("bob", "m1"));
        List<String> annGot = node1.sockets.frames("ann");
        // Her own send echoed to her sockets (her other devices), then bob's receipt.
        assertEquals(List.of("sent", "delivered"), types(annGot));
        assertEquals("m1", json(annGot.get(0)).get("frame").get("id").asText());
        assertEquals("bob", json(annGot.get(1)).get("to").asText());
        node2.delivery.ack("bob", "m1").await().indefinitely();
        assertEquals(2, node1.sockets.frames("ann").size(), "a second ack changes nothing");
    }

    @Test
    void anIdPendingForTheRecipientFromSomeoneElseIsRefusedUntilAcked() {
        assertEquals("ack", send(node1, "ann", "same", "bob").get("type").asText());
        JsonNode refused = send(node1, "cat", "same", "bob");
        assertEquals("id_in_use", refused.get("code").asText());
        assertEquals(1, log.size(), "the refused send is not stored");
        node2.delivery.ack("bob", "same").await().indefinitely();
        assertFalse(log.unackedBy("bob", "ann", "same"));
        assertEquals("ack", send(node1, "cat", "same", "bob").get("type").asText(), "free again once acked");
        assertTrue(log.unackedBy("bob", "cat", "same"), "the earlier ack did not settle the later message");
    }

    @Test
    void anIdReusedForAnotherRecipientIsRefusedNeverAcked() {
        send(node1, "ann", "r1", "bob");
        JsonNode refused = send(node1, "ann", "r1", "cat");
        assertEquals("error", refused.get("type").asText());
        assertEquals("id_reused", refused.get("code").asText());
        assertEquals(1, log.size());
        assertEquals(List.of(), node1.sockets.frames("cat"));
    }

    @Test
    void aGroupMessageReachesEveryOtherMemberOnTheirNodes() {
        JsonNode ack = json(node1.delivery.send("ann", new ClientFrame.SendToGroup("g1", 7, "hi all"))
                .await().indefinitely());
        assertEquals("ack", ack.get("type").asText());
        assertEquals(List.of("msg"), types(node2.sockets.frames("bob")));
        assertEquals(List.of("msg"), types(node1.sockets.frames("cat")));
        assertEquals(List.of("sent"), types(node1.sockets.frames("ann")), "no msg to the sender: her own send echoed");
        assertEquals(1, hub.published().size(), "one publish, to node-2");
    }

    @Test
    void aMessageWhosePublishWasLostIsDeliveredByTheSweep() {
        node1.broker.failures().failAll();
        assertEquals("ack", send(node1, "ann", "m1", "bob").get("type").asText());
        assertEquals(List.of(), node2.sockets.frames("bob"));
        time.advance(Duration.ofMillis(1_001));
        node2.sweeper.sweep().await().indefinitely();
        assertEquals(List.of("msg"), types(node2.sockets.frames("bob")));
    }

    @Test
    void aResubscriptionSweepsForWhatWasMissedMeanwhile() {
        node1.broker.failures().failAll();
        send(node1, "ann", "m1", "bob");
        time.advance(Duration.ofSeconds(2));
        hub.resubscribe("node-2");
        assertEquals(List.of("msg"), types(node2.sockets.frames("bob")));
    }
}

package dev.chat.node.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

import dev.chat.node.config.NodeIdentity;
import dev.chat.node.testing.MemoryBroker;
import dev.chat.node.testing.MemoryPresence;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The router on in-memory seams, two nodes in one JVM: a frame for a user here is handed up at once, one for a user
 * elsewhere crosses the broker once per node holding any recipient, and a failed lookup or publish loses only what
 * the sweep finds again.
 */
class RouterTest {
    private final MemoryBroker.Hub hub = new MemoryBroker.Hub();
    private final MemoryPresence.PresenceMap map = new MemoryPresence.PresenceMap();
    private final MemoryPresence presence1 = map.node("node-1");
    private final Recorded here = new Recorded();
    private final Recorded there = new Recorded();
    private final Router node1 = router("node-1", presence1, here);
    private final Router node2 = router("node-2", map.node("node-2"), there);

    /** What the router handed up to delivery on one node. */
    static final class Recorded implements LocalRecipients {
        final List<String> pushes = new CopyOnWriteArrayList<>();
        final List<String> notices = new CopyOnWriteArrayList<>();

        @Override
        public int push(String user, String id, String frame) {
            pushes.add(user + " " + id + " " + frame);
            return 1;
        }

        @Override
        public void notice(String user, String frame) {
            notices.add(user + " " + frame);
        }
    }

    private Router router(String node, MemoryPresence presence, LocalRecipients local) {
        MemoryBroker broker = hub.broker(node);
        Router r = new Router(presence, broker, local, new NodeIdentity(node), new SimpleMeterRegistry());
        broker.listen(r::onPayload, () -> {
        });
        return r;
    }

    @Test
    void aUserHereGetsTheFrameWithoutThePublish() {
        map.put("bob", "node-1", 1);
        node1.route("bob", "m1", "{F}");
        assertEquals(List.of("bob m1 {F}"), here.pushes);
        assertEquals(List.of(), hub.published());
    }

    @Test
    void aUserElsewhereGetsItThroughOnePublishToTheirNode() {
        map.put("bob", "node-2", 2);
        node1.route("bob", "m1", "{F}");
        assertEquals(List.of("bob m1 {F}"), there.pushes);
        assertEquals(List.of(), here.pushes);
        assertEquals(List.of("node-2:bob\nm1\n{F}"), hub.published());
    }

    @Test
    void aGroupCrossesTheBrokerOncePerNodeNotOncePerMember() {
        map.put("ann", "node-2", 1);
        map.put("cat", "node-2", 1);
        map.put("dan", "node-1", 1);
        node1.route(List.of("ann", "cat", "dan", "eve"), "g1", "{G}");
        assertEquals(1, hub.published().size(), "one publish for node-2's two members: " + hub.published());
        assertEquals(List.of("ann g1 {G}", "cat g1 {G}"), there.pushes.stream().sorted().toList());
        assertEquals(List.of("dan g1 {G}"), here.pushes);
    }

    @Test
    void aNoticeIsNotTrackedAndGoesToSocketsOpenNow() {
        map.put("bob", "node-2", 1);
        node1.notify("bob", "{T}");
        node1.notify(List.of("bob", "nobody"), "{T2}");
        assertEquals(List.of("bob {T}", "bob {T2}"), there.notices);
        assertEquals(List.of(), there.pushes);
    }

    @Test
    void anOfflineUserCostsNoPublish() {
        node1.route("bob", "m1", "{F}");
        assertEquals(List.of(), hub.published());
        assertEquals(List.of(), here.pushes);
    }

    @Test
    void aFailedLookupOrPublishIsLeftToTheSweepWithoutFailingTheCaller() {
        map.put("bob", "node-2", 1);
        presence1.failures().failNext(1);
        node1.route("bob", "m1", "{F}");
        assertEquals(List.of(), there.pushes, "nothing routed while the lookup fails");

        hub.broker("node-1").failures().failNext(1);
        node1.route("bob", "m2", "{F}");
        assertEquals(List.of(), there.pushes, "nothing routed while the publish fails");

        node1.route("bob", "m3", "{F}");
        assertEquals(List.of("bob m3 {F}"), there.pushes, "the next message goes again");
    }

    @Test
    void aPayloadThatIsNotAnEnvelopeIsDropped() {
        node2.onPayload("not an envelope");
        assertEquals(List.of(), there.pushes);
        assertEquals(List.of(), there.notices);
    }
}

package dev.chat.node.delivery;

import java.time.Duration;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.chat.node.config.NodeIdentity;
import dev.chat.node.protocol.ServerFrames;
import dev.chat.node.routing.Router;
import dev.chat.node.sockets.LocalSockets;
import dev.chat.node.sockets.SocketRegistry;
import dev.chat.node.testing.FakeTime;
import dev.chat.node.testing.MemoryBroker;
import dev.chat.node.testing.MemoryMessageLog;
import dev.chat.node.testing.MemoryPresence;
import dev.chat.node.testing.MemorySockets;
import dev.chat.node.testing.Settings;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * One chat node's delivery, wired by hand as CDI wires it, on in-memory seams shared with the other nodes of a test
 * (one message log, one broker hub, one presence map, one clock): several nodes in one JVM, nothing started.
 */
public final class TestNode {
    final String id;
    public final MemorySockets sockets = new MemorySockets();
    final MemoryPresence presence;
    final MemoryBroker broker;
    final InFlight inFlight;
    final Sweeper sweeper;
    public final Delivery delivery;

    public TestNode(String id, MemoryMessageLog log, MemoryBroker.Hub hub, MemoryPresence.PresenceMap map, FakeTime time,
            DeliveryLimits limits) {
        this.id = id;
        MeterRegistry registry = new SimpleMeterRegistry();
        ServerFrames frames = new ServerFrames(new ObjectMapper());
        NodeIdentity identity = new NodeIdentity(id);
        this.presence = map.node(id);
        this.broker = hub.broker(id);
        this.inFlight = new InFlight(Settings.delivery(Duration.ofSeconds(5)), time);
        Pusher pusher = new Pusher(sockets, inFlight, limits, registry);
        Router router = new Router(presence, broker, pusher, identity, registry);
        this.sweeper = new Sweeper(log, sockets, inFlight, pusher, frames, Runnable::run, identity, registry, time);
        SocketRegistry registry1 = new SocketRegistry(new LocalSockets(registry, Settings.sockets()), presence, inFlight);
        this.delivery = new Delivery(log, router, broker, registry1, inFlight, pusher, sweeper, frames,
                new SendLimiter(limits, time), Settings.delivery(Duration.ofSeconds(5)), registry, time);
        delivery.listen();
    }

    /** {@code user} has {@code count} sockets here, and the presence map says so. */
    public TestNode connect(String user, int count) {
        sockets.connect(user, count);
        presence.opened(user, user + "-socket", count).await().indefinitely();
        return this;
    }
}

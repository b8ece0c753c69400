package dev.chat.node.testing;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import dev.chat.node.routing.Broker;
import io.smallrye.mutiny.Uni;

/**
 * {@link Broker} in memory, for several nodes in one JVM (after centrifuge's {@code broker_memory.go}): each node
 * gets its own broker from one {@link Hub}; a publish reaches the node's listener at once, on the caller's thread,
 * if it is listening (at most once, as on Redis). {@link #failures()} makes publishes fail on demand;
 * {@link Hub#resubscribe} replays a reconnect.
 */
public final class MemoryBroker implements Broker {
    private final Hub hub;
    private final String node;
    private final Failures failures = new Failures("publish");
    private volatile Consumer<String> onPayload;
    private volatile Runnable onSubscribed;

    private MemoryBroker(Hub hub, String node) {
        this.hub = hub;
        this.node = node;
    }

    /** The channels of every node of one test. */
    public static final class Hub {
        private final Map<String, MemoryBroker> nodes = new ConcurrentHashMap<>();
        private final List<String> published = new CopyOnWriteArrayList<>();

        public MemoryBroker broker(String node) {
            return nodes.computeIfAbsent(node, n -> new MemoryBroker(this, n));
        }

        /** Every payload published so far, as {@code node:payload}, in order. */
        public List<String> published() {
            return List.copyOf(published);
        }

        /** {@code node} loses and regains its subscription: its listener hears {@code onSubscribed} again. */
        public void resubscribe(String node) {
            MemoryBroker b = nodes.get(node);
            if (b != null && b.onSubscribed != null) {
                b.onSubscribed.run();
            }
        }
    }

    public Failures failures() {
        return failures;
    }

    @Override
    public Uni<Long> publish(String to, String payload) {
        return failures.orFail(() -> {
            hub.published.add(to + ":" + payload);
            MemoryBroker target = hub.nodes.get(to);
            Consumer<String> listener = target == null ? null : target.onPayload;
            if (listener == null) {
                return Uni.createFrom().item(0L);
            }
            listener.accept(payload);
            return Uni.createFrom().item(1L);
        });
    }

    @Override
    public void listen(Consumer<String> onPayload, Runnable onSubscribed) {
        this.onPayload = onPayload;
        this.onSubscribed = onSubscribed;
        onSubscribed.run();
    }

    @Override
    public boolean isListening() {
        return onPayload != null;
    }

    @Override
    public String toString() {
        return "MemoryBroker(" + node + ")";
    }
}

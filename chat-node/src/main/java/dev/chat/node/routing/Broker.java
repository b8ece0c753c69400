package dev.chat.node.routing;

import java.util.function.Consumer;

import io.smallrye.mutiny.Uni;

/**
 * Carries payloads between chat nodes, addressed to a node (never to a user, never to every node).
 *
 * <p>At most once: a payload reaches a node only if that node is subscribed when it is published;
 * nothing is stored or retried here. That is enough because every payload is a message PostgreSQL
 * already holds: a lost one is found by the recipient node's sweep. Payloads published by one node to
 * one node arrive in the order published.
 */
public interface Broker {
    /** Publishes to {@code node}'s channel; answers how many subscribers got it (0 when the node is gone). */
    Uni<Long> publish(String node, String payload);

    /**
     * Subscribes this node to its own channel. {@code onPayload} gets every payload addressed here;
     * {@code onSubscribed} runs after every (re)subscription, when payloads may have been missed.
     */
    void listen(Consumer<String> onPayload, Runnable onSubscribed);

    /** Whether this node currently receives what others publish to it. */
    boolean isListening();
}

package dev.chat.node.delivery;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Delivery's settings, under {@code chat.delivery.*}. ({@code chat.delivery.max-body-chars} keeps its name but
 * belongs to the protocol: {@code protocol.ProtocolConfig}.)
 */
@ConfigMapping(prefix = "chat.delivery")
public interface DeliveryConfig {
    /** How long a pushed message may stay unacked on an open socket before it is pushed again. */
    @WithDefault("5s")
    Duration redeliverAfter();

    /** How often the node looks in PostgreSQL for unacked messages of its users. */
    @WithDefault("2s")
    Duration sweepInterval();

    /** How many unacked messages one look fetches for a user; the rest follow as acks arrive. */
    @WithDefault("500")
    int pendingBatch();

    /**
     * How long a recipient's ack may wait for others to share its statement. It delays only the sender's
     * delivered receipt; an ack lost meanwhile (a crash) means the message is delivered again, and dropped.
     */
    @WithDefault("30ms")
    Duration ackLinger();

    /**
     * How long an append may wait for others to share its statement and its commit (0: it goes at once when a slot
     * is free). It delays the sender's ack and the delivery by up to this much (and a timer's tick); at 1,000 msgs/s
     * most appends would otherwise go alone, a statement, a commit and a flush each.
     */
    @WithDefault("2ms")
    Duration appendLinger();

    /**
     * How often a node's {@link PendingKeeper} runs a pass (a duration, or {@code off}: the module's tests run
     * passes by hand).
     */
    @WithDefault("2s")
    String pendingKeepInterval();

    /** A keeper pass (a rebuild of pending included) answers within this, or is rolled back. */
    @WithDefault("30s")
    Duration pendingKeepTimeout();
}

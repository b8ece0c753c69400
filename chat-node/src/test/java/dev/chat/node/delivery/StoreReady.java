package dev.chat.node.delivery;

import java.time.Duration;

import dev.chat.node.delivery.MessageLog.Appended.Outcome;
import dev.chat.testing.Poll;

/** The wait of the tests that append through the node's own {@link MessageLog} before they set anything up. */
final class StoreReady {
    private StoreReady() {
    }

    /**
     * Until the store takes appends: pending_epoch is set once the node has rebuilt pending, and until then every
     * append is refused UNAVAILABLE. Probes with one message from {@code from} to {@code to} under the ID "ready".
     */
    static void await(MessageLog log, String from, String to, Duration wait) {
        Poll.until(wait, () -> log.append(from, "ready", to, "ready", 1).await().atMost(wait).outcome(),
                o -> o != Outcome.UNAVAILABLE, o -> "not within " + wait + ": the store takes appends (last: " + o + ")");
    }
}

package dev.chat.system;

import static dev.chat.testing.ChatClient.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

import dev.chat.system.Accounts.Account;
import dev.chat.testing.ChatClient;

/**
 * A few thousand messages between users on different nodes, through HAProxy: every one must arrive (at
 * least once on the wire; a client shows each ID once, and the redelivered frames it drops are counted). Send-to-delivery latency is printed (never asserted: these machines are shared and noisy); the
 * benchmark proper is its own command.
 */
@ResourceLock(Lanes.SHARED_STACK)
class CrossNodeLatencyTest {
    private static final int PAIRS = 10;
    /** Measured messages per sender; more with -Dlatency.per-sender=N (CI keeps the default). */
    private static final int PER_SENDER = Integer.getInteger("latency.per-sender", 300);
    /** Unmeasured messages per sender first: JIT-cold JVMs are several times slower. */
    private static final int WARM_UP_PER_SENDER = Integer.getInteger("latency.warm-up-per-sender", 150);
    /** Each sender sends every 20 ms: 500 msgs/s in all, a moderate load. */
    private static final long PERIOD_NANOS = Duration.ofMillis(20).toNanos();

    @Test
    void thousandsOfCrossNodeMessagesArriveExactlyOnce() {
        LocalStack stack = LocalStack.shared();
        URI ws = URI.create(stack.wsUrl());
        List<ChatClient> senders = new ArrayList<>();
        List<ChatClient> receivers = new ArrayList<>();
        List<Account> receiverAccounts = new ArrayList<>();
        try {
            for (int p = 0; p < PAIRS; p++) {
                Account from = Accounts.create(stack, "lat_a");
                Account to = Accounts.create(stack, "lat_b");
                ChatClient s = ChatClient.connect(ws, from.token());
                senders.add(s);
                Set<String> fromNodes = ChatThroughProxyTest.nodesOf(from, from.name(), 1);
                receivers.add(ChatThroughProxyTest.connectAvoiding(to, fromNodes, 1));
                receiverAccounts.add(to);
            }
            // A first, unmeasured pass warms the JITs of five service JVMs and this one.
            run(senders, receivers, receiverAccounts, WARM_UP_PER_SENDER, new HashMap<>(), new HashMap<>());
            Map<String, Long> sentAt = new HashMap<>();
            Map<String, Integer> pairOf = new HashMap<>();
            run(senders, receivers, receiverAccounts, PER_SENDER, sentAt, pairOf);
            long[] micros = new long[sentAt.size()];
            long[] ackMicros = new long[sentAt.size()];
            int redelivered = 0;
            int i = 0;
            for (Map.Entry<String, Long> e : sentAt.entrySet()) {
                ChatClient sender = senders.get(pairOf.get(e.getKey()));
                sender.await(frame("ack", e.getKey()), Duration.ofSeconds(10));
                ackMicros[i] = (sender.arrival("ack", e.getKey()) - e.getValue()) / 1_000;
                micros[i++] = (receivers.get(pairOf.get(e.getKey())).arrival("msg", e.getKey()) - e.getValue()) / 1_000;
                // At least once on the wire; a client shows each ID once. Extra frames are redeliveries.
                redelivered += receivers.get(pairOf.get(e.getKey())).count(frame("msg", e.getKey())) - 1;
            }
            Arrays.sort(micros);
            Arrays.sort(ackMicros);
            System.out.printf("LATENCY send-to-ack: p50=%.2f ms p90=%.2f ms p99=%.2f ms max=%.2f ms%n",
                    pct(ackMicros, 50), pct(ackMicros, 90), pct(ackMicros, 99), ackMicros[ackMicros.length - 1] / 1000.0);
            System.out.printf("LATENCY cross-node send-to-delivery through HAProxy: n=%d rate=%d msg/s "
                    + "p50=%.2f ms p90=%.2f ms p99=%.2f ms max=%.2f ms; redelivered frames (dropped by dedup): %d%n",
                    micros.length,
                    PAIRS * 1_000_000_000L / PERIOD_NANOS, pct(micros, 50), pct(micros, 90), pct(micros, 99),
                    micros[micros.length - 1] / 1000.0, redelivered);
            for (int n = 1; n <= LocalStack.CHAT_NODES; n++) {
                String metrics = io.restassured.RestAssured.get(stack.managementUrl(LocalStack.node(n)) + "/q/metrics").asString();
                System.out.println("node-" + n + " " + metrics.lines()
                        .filter(l -> l.startsWith("chat_send_to_ack_seconds_count") || l.startsWith("chat_send_to_ack_seconds_sum")
                                || l.startsWith("chat_send_to_ack_seconds_max"))
                        .toList());
            }
            for (ChatClient s : senders) {
                assertEquals(WARM_UP_PER_SENDER + PER_SENDER, s.count(ChatClient.type("ack")), "every send acked");
            }
        } finally {
            senders.forEach(ChatClient::close);
            receivers.forEach(ChatClient::close);
        }
    }

    /** Sends {@code perSender} messages from every sender at the fixed rate, then waits for every one. */
    private static void run(List<ChatClient> senders, List<ChatClient> receivers, List<Account> to, int perSender,
            Map<String, Long> sentAt, Map<String, Integer> pairOf) {
        long start = System.nanoTime();
        for (int round = 0; round < perSender; round++) {
            for (int p = 0; p < senders.size(); p++) {
                String id = UUID.randomUUID().toString();
                sentAt.put(id, System.nanoTime());
                pairOf.put(id, p);
                senders.get(p).sendMessage(id, to.get(p).name(), "latency probe " + round);
            }
            long wait = start + (round + 1) * PERIOD_NANOS - System.nanoTime();
            if (wait > 0) {
                ChatThroughProxyTest.pause(wait / 1_000_000);
            }
        }
        Instant deadline = Instant.now().plusSeconds(60);
        for (Map.Entry<String, Integer> e : pairOf.entrySet()) {
            receivers.get(e.getValue()).await(frame("msg", e.getKey()),
                    Duration.between(Instant.now(), deadline).plusMillis(1));
        }
    }

    private static double pct(long[] sorted, int p) {
        int idx = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, idx)] / 1000.0;
    }
}

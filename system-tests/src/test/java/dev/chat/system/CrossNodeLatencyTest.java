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

import dev.chat.system.Accounts.Account;
import dev.chat.testing.ChatClient;

/**
 * A few thousand messages between users on different nodes, through HAProxy: every one must arrive exactly
 * once. Send-to-delivery latency is printed (never asserted: these machines are shared and noisy); the
 * benchmark proper is its own command.
 */
class CrossNodeLatencyTest {
    private static final int PAIRS = 10;
    private static final int PER_SENDER = 300;
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
            Map<String, Long> sentAt = new HashMap<>();
            Map<String, Integer> pairOf = new HashMap<>();
            long start = System.nanoTime();
            for (int round = 0; round < PER_SENDER; round++) {
                for (int p = 0; p < PAIRS; p++) {
                    String id = UUID.randomUUID().toString();
                    sentAt.put(id, System.nanoTime());
                    pairOf.put(id, p);
                    senders.get(p).sendMessage(id, receiverAccounts.get(p).name(), "latency probe " + round);
                }
                long next = start + (round + 1) * PERIOD_NANOS;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    ChatThroughProxyTest.pause(wait / 1_000_000);
                }
            }
            Instant deadline = Instant.now().plusSeconds(60);
            for (Map.Entry<String, Integer> e : pairOf.entrySet()) {
                ChatClient r = receivers.get(e.getValue());
                r.await(frame("msg", e.getKey()), Duration.between(Instant.now(), deadline).plusMillis(1));
            }
            long[] micros = new long[sentAt.size()];
            int i = 0;
            for (Map.Entry<String, Long> e : sentAt.entrySet()) {
                micros[i++] = (receivers.get(pairOf.get(e.getKey())).arrival(e.getKey()) - e.getValue()) / 1_000;
                assertEquals(1, receivers.get(pairOf.get(e.getKey())).count(frame("msg", e.getKey())),
                        "message " + e.getKey() + " shown twice");
            }
            Arrays.sort(micros);
            System.out.printf("LATENCY cross-node send-to-delivery through HAProxy: n=%d rate=%d msg/s "
                    + "p50=%.2f ms p90=%.2f ms p99=%.2f ms max=%.2f ms%n", micros.length,
                    PAIRS * 1_000_000_000L / PERIOD_NANOS, pct(micros, 50), pct(micros, 90), pct(micros, 99),
                    micros[micros.length - 1] / 1000.0);
            for (ChatClient s : senders) {
                assertEquals(PER_SENDER, s.count(ChatClient.type("ack")), "every send acked");
            }
        } finally {
            senders.forEach(ChatClient::close);
            receivers.forEach(ChatClient::close);
        }
    }

    private static double pct(long[] sorted, int p) {
        int idx = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, idx)] / 1000.0;
    }
}

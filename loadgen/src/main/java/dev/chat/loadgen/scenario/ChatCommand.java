package dev.chat.loadgen.scenario;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import dev.chat.loadgen.client.Endpoint;
import dev.chat.loadgen.measure.ConnectionLog;
import dev.chat.loadgen.measure.Ledger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Steady chat for a while: the base a benchmark builds on. Exit 0 when nothing was lost or shown twice. */
@Command(name = "chat", mixinStandardHelpOptions = true,
        description = "Clients chat in a ring for a while; prints counts and latencies; exit 0 when nothing was lost or shown twice.")
public final class ChatCommand implements Callable<Integer> {
    @Mixin
    ClientOptions client;

    @Option(names = "--duration", defaultValue = "10", paramLabel = "S", description = "seconds of traffic (default: ${DEFAULT-VALUE})")
    long durationSeconds;

    @Option(names = "--settle", defaultValue = "30", paramLabel = "S",
            description = "bound on the wait for the last acks and deliveries (default: ${DEFAULT-VALUE})")
    long settleSeconds;

    @Override
    public Integer call() {
        client.validate();
        PrintStream out = System.out;
        ScheduledExecutorService timer = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "loadgen-timer");
            t.setDaemon(true);
            return t;
        });
        Endpoint endpoint = client.endpoint();
        Ledger ledger = new Ledger();
        ConnectionLog log = new ConnectionLog();
        out.printf("chat: %d clients through %s, one message each per %d ms, for %d s%n", client.clients, endpoint,
                client.intervalMillis, durationSeconds);
        try (Crowd crowd = Crowd.create(endpoint, client.usersPrefix(), client.clients, client.sessionOptions(), timer,
                ledger, log, Duration.ofSeconds(60), out)) {
            crowd.start();
            if (!crowd.awaitAllOpen(Duration.ofSeconds(60))) {
                out.printf("chat: only %d of %d clients connected within 60 s%n", crowd.openCount(), crowd.size());
                return 3;
            }
            try (RingTraffic traffic = new RingTraffic(crowd, ledger, client.runId, Duration.ofMillis(client.intervalMillis),
                    () -> 0, timer, 1000)) {
                traffic.start();
                Sleep.millis(durationSeconds * 1000);
            }
            Instant deadline = Instant.now().plusSeconds(settleSeconds);
            while (!ledger.settled(-1) && Instant.now().isBefore(deadline)) {
                Sleep.millis(100);
            }
            Ledger.Counts c = ledger.all();
            out.printf("messages  sent %d, acked %d, delivered %d, lost %d, unacked %d, shown twice %d (redelivered, dropped by ID: %d)%n",
                    c.sent(), c.acked(), c.delivered(), c.lost(), c.unacked(), c.shownTwice(), c.redelivered());
            out.printf("send->ack       %s%n", ledger.sendToAck().summary());
            out.printf("send->delivered %s%n", ledger.sendToShown().summary());
            if (!crowd.errors().isEmpty()) {
                out.printf("error frames    %s%n", crowd.errors());
            }
            return c.clean() && ledger.misrouted() == 0 ? 0 : 1;
        } finally {
            timer.shutdownNow();
        }
    }
}

package dev.chat.node.delivery;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.chat.node.config.ChatLog;
import dev.chat.node.config.NodeIdentity;
import dev.chat.node.config.TimeSource;
import dev.chat.node.protocol.ServerFrames;
import dev.chat.node.sockets.UserSockets;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;

/**
 * Looks in PostgreSQL, every {@code chat.delivery.sweep-interval}, for unacked messages of the users
 * connected here and pushes those that are due (see {@link InFlight}). This is what makes pub/sub's
 * at-most-once enough: a lost publish, a publish to a node that died, or an ack that never came all end
 * here, within a sweep and the redelivery delay. Each read is shared out among its users in turns
 * ({@link MessageLog#unacked(java.util.Collection, long, int)}), so one user's backlog delays no one else's.
 */
@Singleton
public class Sweeper {
    private static final Logger LOG = Logger.getLogger(Sweeper.class);
    private static final ChatLog CLOG = ChatLog.of(Sweeper.class);
    /** A message younger than this may still be on its way through Redis; pushing it now would double it. */
    private static final long IN_TRANSIT_MS = 1_000;
    private static final int USERS_PER_QUERY = 1_000;
    private static final int ROWS_PER_QUERY = 5_000;

    private final MessageLog log;
    private final UserSockets sockets;
    private final InFlight inFlight;
    private final Pusher pusher;
    private final ServerFrames frames;
    private final Executor soon;
    private final TimeSource time;
    private final String node;
    private final Counter redelivered;
    private final Counter sweeps;
    private final AtomicBoolean running = new AtomicBoolean();

    @Inject
    Sweeper(MessageLog log, UserSockets sockets, InFlight inFlight, Pusher pusher, ServerFrames frames, Vertx vertx,
            NodeIdentity identity, MeterRegistry registry, TimeSource time) {
        this(log, sockets, inFlight, pusher, frames, vertx::runOnContext, identity, registry, time);
    }

    /** {@code soon}: where {@link #sweepSoon} runs the sweep (on the node, a Vert.x context). */
    Sweeper(MessageLog log, UserSockets sockets, InFlight inFlight, Pusher pusher, ServerFrames frames, Executor soon,
            NodeIdentity identity, MeterRegistry registry, TimeSource time) {
        this.log = log;
        this.sockets = sockets;
        this.inFlight = inFlight;
        this.pusher = pusher;
        this.frames = frames;
        this.soon = soon;
        this.time = time;
        this.node = identity.id();
        this.redelivered = Counter.builder("chat.messages.redelivered")
                .description("unacked messages pushed again by the sweep").register(registry);
        // A sweep that stops running is a silent loss of redelivery: operators (and tests) see it here.
        this.sweeps = Counter.builder("chat.delivery.sweeps")
                .description("sweeps over this node's connected users completed (with or without a failure)")
                .register(registry);
    }

    @Scheduled(every = "${chat.delivery.sweep-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> sweep() {
        List<String> users = new ArrayList<>(sockets.users());
        if (users.isEmpty() || !running.compareAndSet(false, true)) {
            return Uni.createFrom().voidItem();
        }
        long before = time.millis() - IN_TRANSIT_MS;
        List<List<String>> chunks = new ArrayList<>();
        for (int i = 0; i < users.size(); i += USERS_PER_QUERY) {
            chunks.add(users.subList(i, Math.min(users.size(), i + USERS_PER_QUERY)));
        }
        return Multi.createFrom().iterable(chunks)
                .onItem().transformToUniAndConcatenate(chunk -> log.unacked(chunk, before, ROWS_PER_QUERY))
                .invoke(this::pushDue)
                .collect().last()
                .onFailure().invoke(e -> LOG.warnf("node=%s sweep failed: %s", node, e.getMessage()))
                .onFailure().recoverWithNull()
                .eventually(() -> {
                    running.set(false);
                    sweeps.increment();
                })
                .replaceWithVoid();
    }

    private void pushDue(List<Message> messages) {
        for (Message m : messages) {
            if (inFlight.due(m.to(), m.id()) && pusher.push(m.to(), m.id(), m.frame(frames)) > 0) {
                redelivered.increment();
                CLOG.debug(m.to(), m.id(), "user=%s msg=%s pushed again", m.to(), m.id());
            }
        }
    }

    /** After a gap in the subscription: sweep now rather than at the next tick. */
    public void sweepSoon() {
        soon.execute(() -> sweep().subscribe().with(x -> {
        }, e -> {
        }));
    }
}

package dev.chat.system;

import java.net.URI;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.chat.client.ChatSession;
import dev.chat.client.Connector;

/**
 * A client that behaves as the contract asks of real ones: it reconnects when its socket drops, re-sends
 * every send not yet acked (same ID), acks what it receives, and shows each message ID once. What it has
 * shown is {@link #shown()}; raw redeliveries it dropped are counted in {@link #dropped()}.
 *
 * <p>A façade over the project's one Java client ({@link ChatSession}, module chat-client), kept for the tests
 * written against it: the session does the reconnecting, retrying and acking on its own event loop, so
 * {@link #poll()} has nothing left to do.
 */
final class ReconnectingClient implements AutoCloseable {
    private static final Duration FIRST_CONNECT = Duration.ofSeconds(30);

    private final Set<String> shown = ConcurrentHashMap.newKeySet();
    private final AtomicInteger dropped = new AtomicInteger();
    private final AtomicInteger connects = new AtomicInteger();
    private final CountDownLatch opened = new CountDownLatch(1);
    private final Connector connector;
    private final ScheduledExecutorService timer;
    private final ChatSession session;

    /** Opens the socket at {@code uri} ({@code ws://.../ws/chat}) with {@code token}; waits (bounded) until it is open. */
    ReconnectingClient(URI uri, String token) {
        connector = Connector.of(uri, null, Duration.ofSeconds(10));
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "reconnecting-client");
            t.setDaemon(true);
            return t;
        });
        session = new ChatSession("test", connector, fresh -> token, ChatSession.Options.defaults(), timer,
                new ChatSession.Listener() {
                    @Override
                    public void onConnected(ChatSession s, long at) {
                        connects.incrementAndGet();
                        opened.countDown();
                    }

                    @Override
                    public void onMessage(ChatSession s, ChatSession.Incoming m, boolean first, long at) {
                        if (!shown.add(m.id())) {
                            dropped.incrementAndGet();
                        }
                    }
                });
        session.start();
        try {
            if (!opened.await(FIRST_CONNECT.toMillis(), TimeUnit.MILLISECONDS)) {
                close();
                throw new IllegalStateException("could not connect to " + uri + " within " + FIRST_CONNECT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Sends {@code frameJson} (a send frame with ID {@code id}), kept and re-sent with the same ID until acked; an ID
     * still pending is already being re-sent, so sending it again changes nothing.
     */
    void send(String id, String frameJson) {
        try {
            session.sendFrame(id, frameJson);
        } catch (IllegalArgumentException alreadyPending) {
            // kept and retried by the session already
        }
    }

    /** Nothing to take in: the session acks, re-sends and reconnects as frames and drops come. Kept for callers. */
    void poll() {
    }

    Set<String> shown() {
        return Set.copyOf(shown);
    }

    int unackedCount() {
        return session.pendingCount();
    }

    int dropped() {
        return dropped.get();
    }

    /** Sockets opened after the first one. */
    int reconnects() {
        return Math.max(0, connects.get() - 1);
    }

    @Override
    public void close() {
        session.stop();
        connector.close();
        timer.shutdownNow();
    }
}

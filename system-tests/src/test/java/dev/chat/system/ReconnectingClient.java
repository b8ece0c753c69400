package dev.chat.system;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;

import dev.chat.testing.ChatClient;

/**
 * A client that behaves as the contract asks of real ones: it reconnects when its socket drops, re-sends
 * every send not yet acked (same ID), acks what it receives, and shows each message ID once. What it has
 * shown is {@link #shown()}; raw redeliveries it dropped are counted in {@link #dropped()}.
 */
final class ReconnectingClient implements AutoCloseable {
    private final URI uri;
    private final String token;
    private final Map<String, String> unacked = new LinkedHashMap<>();
    private final Set<String> shown = ConcurrentHashMap.newKeySet();
    /** How many of the current socket's frames have been taken in. */
    private int taken;
    private int dropped;
    private int reconnects;
    private ChatClient socket;

    ReconnectingClient(URI uri, String token) {
        this.uri = uri;
        this.token = token;
        this.socket = ChatClient.connect(uri, token);
    }

    synchronized void send(String id, String frameJson) {
        unacked.put(id, frameJson);
        if (socket.isOpen()) {
            try {
                socket.send(frameJson);
            } catch (IllegalStateException e) {
                // The socket died under us: poll() reconnects and re-sends.
            }
        }
    }

    /** Takes in what arrived, and reconnects (re-sending what is unacked) when the socket is gone. */
    synchronized void poll() {
        java.util.List<JsonNode> frames = socket.frames();
        for (JsonNode f : frames.subList(taken, frames.size())) {
            String type = f.path("type").asText();
            String id = f.path("id").asText();
            if ("ack".equals(type)) {
                unacked.remove(id);
            } else if ("msg".equals(type) && !shown.add(id)) {
                dropped++;
            }
        }
        taken = frames.size();
        if (!socket.isOpen()) {
            reconnect();
        }
    }

    private void reconnect() {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (true) {
            try {
                socket = ChatClient.connect(uri, token);
                taken = 0;
                reconnects++;
                break;
            } catch (IllegalStateException e) {
                if (Instant.now().isAfter(deadline)) {
                    throw e;
                }
                ChatThroughProxyTest.pause(200);
            }
        }
        for (String frame : unacked.values()) {
            socket.send(frame);
        }
    }

    synchronized Set<String> shown() {
        return Set.copyOf(shown);
    }

    synchronized int unackedCount() {
        return unacked.size();
    }

    synchronized int dropped() {
        return dropped;
    }

    synchronized int reconnects() {
        return reconnects;
    }

    @Override
    public synchronized void close() {
        socket.close();
    }
}

package dev.chat.client;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.ServerWebSocket;

/**
 * An in-process server that speaks the contract on loopback, for the client's tests: the upgrade needs
 * {@code Authorization: Bearer good:USER}; a send is accepted once per (sender, ID) and acked on every write; a msg
 * goes to every socket of the recipient and again on each new socket until the recipient acks it. Knobs make it
 * misbehave on demand: swallow sends, answer them with an error, close every socket, stop reading a user's
 * sockets, ignore acks. State is kept on its event loop and read under the lock by the tests.
 */
final class FakeChatServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Vertx vertx = Vertx.vertx();
    private final HttpServer server;
    private final Object lock = new Object();
    private final Map<String, List<ServerWebSocket>> sockets = new HashMap<>();
    /** Per recipient: messages not acked yet, by ID (the frame as sent to them). */
    private final Map<String, LinkedHashMap<String, String>> inbox = new HashMap<>();
    /** Per sender: every ID accepted. */
    private final Map<String, List<String>> accepted = new HashMap<>();
    /** Every send frame written to the server, by ID (retries included). */
    private final Map<String, Integer> writes = new HashMap<>();
    /** When each send frame was read (System.nanoTime()), by ID. */
    private final Map<String, List<Long>> writeTimes = new HashMap<>();
    private int upgrades;
    private int refusals;
    private int swallow;
    private int errors;
    private String errorCode;
    private boolean ignoreAcks;

    FakeChatServer() {
        server = vertx.createHttpServer().webSocketHandler(this::upgrade);
        server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
    }

    java.net.URI uri() {
        return java.net.URI.create("ws://127.0.0.1:" + server.actualPort() + "/ws/chat");
    }

    private void upgrade(ServerWebSocket ws) {
        String auth = ws.headers().get("Authorization");
        if (!"/ws/chat".equals(ws.path()) || auth == null || !auth.startsWith("Bearer good:")) {
            synchronized (lock) {
                refusals++;
            }
            ws.reject(401);
            return;
        }
        String user = auth.substring("Bearer good:".length());
        List<String> again;
        synchronized (lock) {
            upgrades++;
            sockets.computeIfAbsent(user, u -> new ArrayList<>()).add(ws);
            again = new ArrayList<>(inbox.getOrDefault(user, new LinkedHashMap<>()).values());
        }
        ws.closeHandler(v -> {
            synchronized (lock) {
                sockets.getOrDefault(user, new ArrayList<>()).remove(ws);
            }
        });
        ws.textMessageHandler(text -> frame(user, ws, text));
        again.forEach(ws::writeTextMessage);
    }

    private void frame(String user, ServerWebSocket ws, String text) {
        JsonNode f;
        try {
            f = JSON.readTree(text);
        } catch (Exception e) {
            ws.writeTextMessage("{\"type\":\"error\",\"id\":null,\"code\":\"bad_json\",\"message\":\"not JSON\"}");
            return;
        }
        String id = f.path("id").asText();
        if ("ack".equals(f.path("type").asText())) {
            synchronized (lock) {
                if (!ignoreAcks) {
                    inbox.getOrDefault(user, new LinkedHashMap<>()).remove(id);
                }
            }
            return;
        }
        List<ServerWebSocket> to = List.of();
        String msg = null;
        synchronized (lock) {
            writes.merge(id, 1, Integer::sum);
            writeTimes.computeIfAbsent(id, k -> new ArrayList<>()).add(System.nanoTime());
            if (swallow > 0) {
                swallow--;
                return;
            }
            if (errors > 0) {
                errors--;
                ws.writeTextMessage("{\"type\":\"error\",\"id\":\"" + id + "\",\"code\":\"" + errorCode
                        + "\",\"message\":\"try again\",\"retryAfterMs\":100}");
                return;
            }
            List<String> mine = accepted.computeIfAbsent(user, u -> new ArrayList<>());
            if (!mine.contains(id)) {
                mine.add(id);
                String recipient = f.path("to").asText();
                msg = JSON.createObjectNode().put("type", "msg").put("id", id).put("from", user).put("to", recipient)
                        .put("body", f.path("body").asText()).put("ts", System.currentTimeMillis()).toString();
                inbox.computeIfAbsent(recipient, u -> new LinkedHashMap<>()).put(id, msg);
                to = new ArrayList<>(sockets.getOrDefault(recipient, List.of()));
            }
        }
        ws.writeTextMessage(Frames.ack(id));
        for (ServerWebSocket s : to) {
            s.writeTextMessage(msg);
        }
    }

    /** The next {@code n} sends get no answer at all (as if lost on the way). */
    void swallowSends(int n) {
        synchronized (lock) {
            swallow = n;
        }
    }

    /** The next {@code n} sends are answered with an error frame of {@code code}. */
    void failSends(int n, String code) {
        synchronized (lock) {
            errors = n;
            errorCode = code;
        }
    }

    /** Acks from recipients are dropped: their messages come again on each new socket. */
    void ignoreAcks(boolean ignore) {
        synchronized (lock) {
            ignoreAcks = ignore;
        }
    }

    /** Closes every socket with {@code code}, as a draining node does. */
    void closeAll(short code) {
        List<ServerWebSocket> all = new ArrayList<>();
        synchronized (lock) {
            sockets.values().forEach(all::addAll);
        }
        vertx.runOnContext(v -> all.forEach(s -> s.close(code, "test")));
    }

    /** Stops reading {@code user}'s sockets: no frame of theirs is answered, not even a ping (a silent path). */
    void mute(String user) {
        List<ServerWebSocket> all;
        synchronized (lock) {
            all = new ArrayList<>(sockets.getOrDefault(user, List.of()));
        }
        all.forEach(ServerWebSocket::pause);
    }

    int upgrades() {
        synchronized (lock) {
            return upgrades;
        }
    }

    int refusals() {
        synchronized (lock) {
            return refusals;
        }
    }

    int writesOf(String id) {
        synchronized (lock) {
            return writes.getOrDefault(id, 0);
        }
    }

    /** When each write of {@code id} was read, in ms from the first. */
    List<Long> writeMillisOf(String id) {
        synchronized (lock) {
            List<Long> at = writeTimes.getOrDefault(id, List.of());
            return at.stream().map(t -> (t - at.get(0)) / 1_000_000).toList();
        }
    }

    List<String> acceptedFrom(String user) {
        synchronized (lock) {
            return List.copyOf(accepted.getOrDefault(user, List.of()));
        }
    }

    int unackedFor(String user) {
        synchronized (lock) {
            return inbox.getOrDefault(user, new LinkedHashMap<>()).size();
        }
    }

    @Override
    public void close() {
        vertx.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS)
                .exceptionally(e -> null).join();
    }
}

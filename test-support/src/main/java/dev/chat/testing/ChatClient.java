package dev.chat.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.chat.client.Frames;

/**
 * A contract client for tests, on the JDK's WebSocket: it carries the JWT in the Authorization header,
 * records every frame it receives, and (unless told otherwise) acks every msg frame, as a real client does.
 * Waits poll with a deadline.
 *
 * <p>It is the raw probe of one socket, not the project's client: tests use it to write what a well-behaved
 * client never would (text that is not JSON, binary frames, a token in the subprotocols, a drop without a close
 * handshake) and to see every frame as it came, with no reconnect, retry or dedup in between. The frames it
 * writes for the contract ({@code send}, {@code ack}) come from the one client's codec (module chat-client,
 * {@link Frames}); a client that reconnects, retries and dedups as the contract asks is chat-client's
 * {@code ChatSession}.
 */
public final class ChatClient implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final List<JsonNode> frames = new ArrayList<>();
    /** When each msg ID first arrived (System.nanoTime), for latency figures. */
    private final java.util.Map<String, Long> arrivals = new java.util.concurrent.ConcurrentHashMap<>();
    private final boolean autoAck;
    private volatile WebSocket socket;
    private volatile Integer closeCode;
    /** The JDK socket allows one outstanding send: every send chains after the previous one. */
    private CompletableFuture<?> lastSend = CompletableFuture.completedFuture(null);

    private ChatClient(boolean autoAck) {
        this.autoAck = autoAck;
    }

    public static ChatClient connect(URI uri, String token) {
        return connect(uri, token, true);
    }

    public static ChatClient connect(URI uri, String token, boolean autoAck) {
        return connect(uri, autoAck, b -> {
            if (token != null) {
                b.header("Authorization", "Bearer " + token);
            }
        });
    }

    /**
     * Connects as the web page does: browsers cannot set Authorization on a WebSocket, so the token travels in
     * the offered subprotocols, URL-encoded as the page encodes it (docs/protocol.md).
     */
    public static ChatClient connectAsBrowser(URI uri, String token) {
        String carrier = java.net.URLEncoder.encode("quarkus-http-upgrade#Authorization#Bearer " + token,
                java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
        return connect(uri, true, b -> b.subprotocols("bearer-token-carrier", carrier));
    }

    /** The subprotocol the server agreed on; empty if none. */
    public String subprotocol() {
        return socket.getSubprotocol();
    }

    private static ChatClient connect(URI uri, boolean autoAck, java.util.function.Consumer<WebSocket.Builder> auth) {
        ChatClient c = new ChatClient(autoAck);
        try {
            WebSocket.Builder b = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
            auth.accept(b);
            c.socket = b.buildAsync(uri, c.new Listener()).get(15, TimeUnit.SECONDS);
            return c;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not connect to " + uri + ": " + e.getMessage(), e);
        }
    }

    /** The HTTP status an upgrade attempt was refused with, or empty when the upgrade succeeded. */
    public static Optional<Integer> refusal(URI uri, String authorizationHeader) {
        return refusal(uri, authorizationHeader, java.util.Map.of());
    }

    /** The same, with more headers on the upgrade (e.g. Origin). */
    public static Optional<Integer> refusal(URI uri, String authorizationHeader, java.util.Map<String, String> headers) {
        try {
            WebSocket.Builder b = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
            if (authorizationHeader != null) {
                b.header("Authorization", authorizationHeader);
            }
            headers.forEach(b::header);
            WebSocket ws = b.buildAsync(uri, new WebSocket.Listener() {
            }).get(15, TimeUnit.SECONDS);
            ws.abort();
            return Optional.empty();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException h) {
                return Optional.of(h.getResponse().statusCode());
            }
            throw new IllegalStateException("upgrade failed without an HTTP answer", e);
        } catch (InterruptedException | TimeoutException e) {
            throw new IllegalStateException(e);
        }
    }

    private synchronized CompletableFuture<?> enqueue(String text) {
        lastSend = lastSend.handle((x, e) -> null).thenCompose(x -> socket.sendText(text, true));
        return lastSend;
    }

    public void send(String text) {
        try {
            enqueue(text).get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("send failed: " + e.getMessage(), e);
        }
    }

    public synchronized void sendBinary(byte[] data) {
        lastSend = lastSend.handle((x, e) -> null).thenCompose(x -> socket.sendBinary(ByteBuffer.wrap(data), true));
        lastSend.join();
    }

    public void sendMessage(String id, String to, String body) {
        send(Frames.send(id, to, body));
    }

    public void ack(String id) {
        send(Frames.ack(id));
    }

    /** The first received frame matching {@code p}, waiting up to {@code timeout}. */
    public JsonNode await(Predicate<JsonNode> p, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            synchronized (frames) {
                for (JsonNode f : frames) {
                    if (p.test(f)) {
                        return f;
                    }
                }
                long left = Duration.between(Instant.now(), deadline).toMillis();
                if (left <= 0) {
                    throw new AssertionError("no matching frame within " + timeout + "; got " + lastFrames(20));
                }
                try {
                    frames.wait(Math.min(left, 100));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    /** Waits until at least {@code n} received frames match. */
    public void awaitCount(Predicate<JsonNode> p, int n, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (count(p) < n) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("expected " + n + " matching frames within " + timeout + ", got "
                        + count(p) + "; the last frames: " + lastFrames(20));
            }
            synchronized (frames) {
                try {
                    frames.wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    public int count(Predicate<JsonNode> p) {
        synchronized (frames) {
            return (int) frames.stream().filter(p).count();
        }
    }

    /**
     * The last {@code n} frames received, each cut to 300 characters: for failure messages (a test that received
     * thousands of 4-KB frames once wrote 6 MB of them into the build log).
     */
    public String lastFrames(int n) {
        List<JsonNode> all = frames();
        StringBuilder b = new StringBuilder("[");
        if (all.size() > n) {
            b.append("... ").append(all.size() - n).append(" earlier, ");
        }
        for (JsonNode f : all.subList(Math.max(0, all.size() - n), all.size())) {
            String t = f.toString();
            b.append(t.length() > 300 ? t.substring(0, 300) + "...(" + t.length() + " chars)" : t).append(", ");
        }
        return b.append(']').toString();
    }

    public List<JsonNode> frames() {
        synchronized (frames) {
            return List.copyOf(frames);
        }
    }

    /** System.nanoTime() of the first frame of this type (msg or ack) and ID, or null when none came yet. */
    public Long arrival(String type, String id) {
        return arrivals.get(type + ":" + id);
    }

    public static Predicate<JsonNode> type(String type) {
        return f -> type.equals(f.path("type").asText());
    }

    public static Predicate<JsonNode> frame(String type, String id) {
        return f -> type.equals(f.path("type").asText()) && id.equals(f.path("id").asText());
    }

    public boolean isOpen() {
        return closeCode == null && !socket.isInputClosed();
    }

    /** The code of the close seen (-1 when the connection failed without one), or null while none was seen. */
    public Integer closeCode() {
        return closeCode;
    }

    /**
     * Waits until the close is seen and returns its code (-1: the connection failed without one). Not
     * {@code !isOpen()} then {@link #closeCode()}: {@link #isOpen()} is false as soon as the JDK's client reports its
     * input closed, which can come before its listener has recorded the close code, so a test reading the code
     * then may find none (SessionsThroughProxyTest failed on that once: "expected: <1008> but was: <null>").
     */
    public int awaitClose(Duration timeout) {
        return Poll.until(timeout, () -> closeCode, c -> c != null, c -> "the socket is still open after " + timeout);
    }

    /** Drops the connection without a close handshake, as a crashed client or a cut network would. */
    public void abort() {
        socket.abort();
    }

    @Override
    public void close() {
        if (socket != null && !socket.isOutputClosed()) {
            try {
                // After every frame already queued (an auto-ack may still wait its turn), as a client closing
                // after its last write means.
                CompletableFuture<?> closing;
                synchronized (this) {
                    closing = lastSend.handle((x, e) -> null)
                            .thenCompose(x -> socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye"));
                    lastSend = closing;
                }
                closing.get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                socket.abort();
            }
        }
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        /**
         * Takes the socket here, before any frame: a node pushes what a user is owed as soon as the socket opens, so
         * {@link #onText} can run before {@code buildAsync(..).get()} returns, and an ack written to a socket not
         * yet stored was lost (MessageIdsThroughProxyTest, stop 23: bob's ack never sent, his message still owed).
         */
        @Override
        public void onOpen(WebSocket ws) {
            socket = ws;
            ws.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                JsonNode node;
                try {
                    node = JSON.readTree(text);
                } catch (JsonProcessingException e) {
                    node = JSON.createObjectNode().put("type", "unparseable").put("text", text);
                }
                String kind = node.path("type").asText();
                if ("msg".equals(kind) || "ack".equals(kind)) {
                    arrivals.putIfAbsent(kind + ":" + node.path("id").asText(), System.nanoTime());
                }
                if (autoAck && "msg".equals(node.path("type").asText())) {
                    enqueue(Frames.ack(node.path("id").asText()));
                }
                synchronized (frames) {
                    frames.add(node);
                    frames.notifyAll();
                }
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            closeCode = statusCode;
            synchronized (frames) {
                frames.notifyAll();
            }
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            closeCode = -1;
            synchronized (frames) {
                frames.notifyAll();
            }
        }
    }
}

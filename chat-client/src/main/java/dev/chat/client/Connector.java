package dev.chat.client;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.net.PemTrustOptions;

/**
 * Opens chat sockets ({@code ws://HOST:PORT/ws/chat} or {@code wss://}) to one system, on one Vert.x event loop
 * that all its sockets share: thousands of sockets cost one thread. With a CA file, TLS trusts only the
 * certificates in it (a self-signed proxy certificate is its own CA); host names are verified as usual.
 * {@link #close()} closes every socket it opened and stops the loop.
 */
public final class Connector implements AutoCloseable {
    private final URI socket;
    private final Vertx vertx;
    private final WebSocketClient client;

    private Connector(URI socket, Vertx vertx, WebSocketClient client) {
        this.socket = socket;
        this.vertx = vertx;
        this.client = client;
    }

    /**
     * A connector for the socket URI {@code socket} (scheme ws or wss, path {@code /ws/chat}); {@code caCert} may
     * be null (the JDK's trust store).
     */
    public static Connector of(URI socket, Path caCert, Duration connectTimeout) {
        String scheme = socket.getScheme();
        if (!"ws".equals(scheme) && !"wss".equals(scheme)) {
            throw new IllegalArgumentException("the socket URL must be ws:// or wss://, not " + socket);
        }
        boolean tls = "wss".equals(scheme);
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1)
                .setInternalBlockingPoolSize(1).setBlockedThreadCheckInterval(60_000)
                .setMaxEventLoopExecuteTime(10).setMaxEventLoopExecuteTimeUnit(TimeUnit.SECONDS));
        WebSocketClientOptions o = new WebSocketClientOptions().setDefaultHost(socket.getHost())
                .setDefaultPort(socket.getPort() > 0 ? socket.getPort() : tls ? 443 : 80)
                .setMaxConnections(1_000_000).setConnectTimeout((int) Math.max(1, connectTimeout.toMillis()))
                .setMaxFrameSize(65536).setMaxMessageSize(1 << 20).setTryUsePerMessageCompression(false)
                .setTryUsePerFrameCompression(false).setClosingTimeout(2).setSsl(tls);
        if (tls && caCert != null) {
            o.setTrustOptions(new PemTrustOptions().addCertPath(caCert.toString()));
        }
        return new Connector(socket, vertx, vertx.createWebSocketClient(o));
    }

    /** The socket URI this connector opens. */
    public URI uri() {
        return socket;
    }

    /** The event loop's Vert.x, for timers that must run beside the sockets. */
    public Vertx vertx() {
        return vertx;
    }

    /**
     * Starts an upgrade carrying {@code Authorization: Bearer TOKEN} and {@code headers}; the future fails with
     * {@link io.vertx.core.http.UpgradeRejectedException} (its status, e.g. 401) when the server refuses it.
     */
    public Future<WebSocket> open(String token, Map<String, String> headers) {
        String path = socket.getRawPath() == null || socket.getRawPath().isEmpty() ? "/" : socket.getRawPath();
        if (socket.getRawQuery() != null) {
            path += "?" + socket.getRawQuery();
        }
        WebSocketConnectOptions o = new WebSocketConnectOptions().setURI(path);
        if (token != null) {
            o.addHeader("Authorization", "Bearer " + token);
        }
        headers.forEach(o::addHeader);
        return client.connect(o);
    }

    @Override
    public void close() {
        vertx.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS)
                .exceptionally(e -> null).join();
    }

    @Override
    public String toString() {
        return socket.toString();
    }
}

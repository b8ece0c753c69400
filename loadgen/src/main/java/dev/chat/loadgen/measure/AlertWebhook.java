package dev.chat.loadgen.measure;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpServer;

/**
 * A webhook receiver for Alertmanager (its {@code webhook_configs} URL): every POST body is kept as it came, answered
 * 200 (so Alertmanager does not send it again); anything else is answered 405. What the bodies say is read elsewhere
 * ({@code report.AlertPosts}). Listens until closed, on one daemon thread.
 */
public final class AlertWebhook implements AutoCloseable {
    private final HttpServer server;
    private final List<String> posts = new ArrayList<>();

    private AlertWebhook(HttpServer server) {
        this.server = server;
    }

    /** Listens on {@code host:port} (port 0: any free one). */
    public static AlertWebhook listen(String host, int port) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(host, port), 16);
        AlertWebhook hook = new AlertWebhook(s);
        s.createContext("/", exchange -> {
            try (exchange; InputStream in = exchange.getRequestBody()) {
                if (!"POST".equals(exchange.getRequestMethod())) {
                    exchange.sendResponseHeaders(405, -1);
                    return;
                }
                String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                hook.add(body);
                exchange.sendResponseHeaders(200, -1);
            }
        });
        s.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "alert-webhook");
            t.setDaemon(true);
            return t;
        }));
        s.start();
        return hook;
    }

    private synchronized void add(String body) {
        posts.add(body);
    }

    /** Every post's body received so far, in order of arrival. */
    public synchronized List<String> posts() {
        return List.copyOf(posts);
    }

    /** The address it listens on, e.g. 10.0.0.30:9095. */
    public String address() {
        InetSocketAddress a = server.getAddress();
        return a.getHostString() + ":" + a.getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

package dev.chat.loadgen.measure;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The chat nodes one HAProxy routes to, as its stats page says ({@code /stats;csv}: backend {@code chat_nodes}):
 * each server's status and current sessions. The drill reads it from both proxies at the start and the end of a
 * step, so a scale step's figures show which nodes were in rotation and where the sockets were.
 */
public final class ProxyServers {
    /** One server of backend chat_nodes: HAProxy's status (UP, DOWN, DRAIN, MAINT, ...) and its current sessions. */
    public record Server(String status, long sessions) {
    }

    /** One proxy's answer: its name (header X-Proxy, else the URL's host) and its chat nodes in HAProxy's order. */
    public record Snapshot(String proxy, Map<String, Server> nodes) {
        public long sessions() {
            return nodes.values().stream().mapToLong(Server::sessions).sum();
        }

        @Override
        public String toString() {
            StringBuilder b = new StringBuilder(proxy).append(':');
            nodes.forEach((n, s) -> b.append(' ').append(n).append(' ').append(s.status()).append(' ').append(s.sessions()));
            return b.toString();
        }
    }

    private static final String BACKEND = "chat_nodes";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final URI stats;
    /** The name the proxy gave last (a dead proxy is still called by it), else the URL's host. */
    private volatile String name;

    /** {@code statsCsv}: the proxy's stats page in CSV, e.g. {@code http://10.0.0.11:8084/stats;csv}. */
    public ProxyServers(URI statsCsv) {
        this.stats = statsCsv;
        this.name = statsCsv.getHost();
    }

    /**
     * Reads the proxy's stats now; a proxy that does not answer (killed, say) gives an empty snapshot under the
     * name it gave before, never throws.
     */
    public Snapshot read() {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(stats).timeout(Duration.ofSeconds(2)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            r.headers().firstValue("X-Proxy").ifPresent(n -> name = n);
            return new Snapshot(name, r.statusCode() == 200 ? parse(r.body()) : Map.of());
        } catch (IOException e) {
            return new Snapshot(name, Map.of());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Snapshot(name, Map.of());
        }
    }

    /**
     * The servers of backend chat_nodes in HAProxy's stats CSV (header line "# pxname,svname,...": columns by
     * name, so a version that adds columns still reads); lines of other backends and the BACKEND summary ignored.
     */
    public static Map<String, Server> parse(String csv) {
        Map<String, Server> nodes = new LinkedHashMap<>();
        int name = 1;
        int status = 17;
        int scur = 4;
        for (String line : csv.split("\n")) {
            if (line.startsWith("# ")) {
                String[] h = line.substring(2).split(",", -1);
                for (int i = 0; i < h.length; i++) {
                    switch (h[i].trim().toLowerCase(Locale.ROOT)) {
                        case "svname" -> name = i;
                        case "status" -> status = i;
                        case "scur" -> scur = i;
                        default -> {
                        }
                    }
                }
                continue;
            }
            String[] f = line.split(",", -1);
            if (f.length <= Math.max(name, Math.max(status, scur)) || !BACKEND.equals(f[0])
                    || "BACKEND".equals(f[name]) || "FRONTEND".equals(f[name])) {
                continue;
            }
            long sessions;
            try {
                sessions = f[scur].isEmpty() ? 0 : Long.parseLong(f[scur].trim());
            } catch (NumberFormatException e) {
                sessions = 0;
            }
            nodes.put(f[name], new Server(f[status].trim(), sessions));
        }
        return nodes;
    }
}

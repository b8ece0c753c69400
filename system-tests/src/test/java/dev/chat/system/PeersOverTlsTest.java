package dev.chat.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.parallel.ResourceLock;

import dev.chat.testing.Poll;
import dev.chat.testing.SocketDirs;

/**
 * The keepalived pair's shared stick tables over a TLS peers link, with the shipped haproxy/haproxy.cfg and
 * certificates made as scripts/drill makes them ({@code ensure_peers_certs}): two HAProxies on loopback, no service
 * behind them. An address over the login limit on one proxy is over it on its twin (the count travelled over a
 * session that {@code show peers} reports as TLS), and a twin whose certificate another CA signed learns nothing.
 * The drill checks the same across a real takeover.
 */
@ResourceLock(Lanes.SHARED_STACK)
class PeersOverTlsTest {
    private static final Path ROOT = LocalStack.projectRoot();
    private static final int LOGIN_LIMIT = 3;
    private static final Pattern LOGIN_RATE = Pattern.compile("key=::ffff:127\\.0\\.0\\.1 .*http_req_rate\\(60000\\)=(\\d+)");

    private final List<ShippedHaproxy> proxies = new ArrayList<>();
    private Path sockets;
    private Socket nowhere;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @AfterEach
    void stopProxies() throws IOException {
        proxies.forEach(ShippedHaproxy::close);
        if (nowhere != null) {
            nowhere.close();
        }
        if (sockets != null) {
            SocketDirs.delete(sockets);
        }
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void aLoginCountCrossesToTheTwinOverTlsAndNotToAPeerOfAnotherCa() throws Exception {
        assumeTrue(ShippedHaproxy.installed(), "haproxy is not installed");
        Path dir = Files.createTempDirectory(Files.createDirectories(ROOT.resolve("system-tests/target")), "peers-tls-");
        Path pair = dir.resolve("pair");
        Path stranger = dir.resolve("stranger");
        run("bash", "-c", "source scripts/lib/common.sh && ensure_peers_certs \"$1\" proxy1 proxy2", "peers-test", pair.toString());
        run("bash", "-c", "source scripts/lib/common.sh && ensure_peers_certs \"$1\" proxy2", "peers-test", stranger.toString());
        sockets = SocketDirs.create("peers-tls");
        // The services' address: a port this test holds, bound and never listening, so nothing answers there.
        nowhere = new Socket();
        nowhere.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        int closed = nowhere.getLocalPort();
        String peer1 = "127.0.0.1:" + freePort();
        String peer2 = "127.0.0.1:" + freePort();
        Proxy p1 = start(dir, "proxy1", pair, peer1, peer2, closed);
        Proxy p2 = start(dir, "proxy2", pair, peer1, peer2, closed);

        // Over the limit on proxy1 ...
        int status = 0;
        for (int i = 0; i <= LOGIN_LIMIT && status != 429; i++) {
            status = login(p1);
        }
        assertEquals(429, status, "proxy1 did not limit logins");
        // ... is over it on proxy2, learnt over a TLS session.
        Poll.until(Duration.ofSeconds(20), () -> loginRate(p2), n -> n > LOGIN_LIMIT,
                n -> "proxy2's table never held 127.0.0.1 over the limit (last " + n + "): " + admin(p2, "show peers"));
        // Both ends established; HAProxy 2.6 names the session's transport on the end that accepted it only.
        String peers = admin(p1, "show peers") + admin(p2, "show peers");
        assertTrue(Pattern.compile("id=proxy2\\(remote[^\\n]*last_status=ESTA").matcher(peers).find(), peers);
        assertTrue(Pattern.compile("id=proxy1\\(remote[^\\n]*last_status=ESTA").matcher(peers).find(), peers);
        assertTrue(peers.contains("xprt=SSL") && !Pattern.compile("xprt=(?!SSL)").matcher(peers).find(), peers);
        assertEquals(429, login(p2), "the twin gave 127.0.0.1 a fresh allowance");

        // proxy2 again, with a certificate of another CA: proxy1 tries to teach it its table and is refused.
        p2.haproxy().close();
        assertFalse(p2.haproxy().process().isAlive());
        Proxy foreign = start(dir, "proxy2", stranger, peer1, peer2, closed);
        // Its attempts to reach proxy1 fail and are retried: a second new connection means the first came to nothing.
        String seen = Poll.until(Duration.ofSeconds(30), () -> admin(foreign, "show peers"),
                s -> Pattern.compile("id=proxy1\\(remote[^\\n]*\\n[^\\n]*new_conn=([2-9]|\\d\\d)").matcher(s).find(),
                s -> "the foreign proxy2 never tried proxy1 twice: " + s);
        assertFalse(Pattern.compile("id=proxy1\\(remote[^\\n]*last_status=ESTA").matcher(seen).find(), seen);
        assertEquals(0, loginRate(foreign), "a peer of another CA learnt the table: " + admin(foreign, "show table st_login_per_src"));
    }

    private record Proxy(ShippedHaproxy haproxy, int front) {
    }

    private Proxy start(Path dir, String name, Path certs, String peer1, String peer2, int closed) throws IOException {
        int front = freePort();
        Map<String, String> env = ShippedHaproxy.env(front, freePort(), sockets.resolve(name + "-" + proxies.size() + ".sock"),
                "127.0.0.1:" + closed);
        env.putAll(Map.of("CHAT_LOGIN_RATE_LIMIT", Integer.toString(LOGIN_LIMIT),
                "CHAT_PEERS_LOCAL", name, "CHAT_PEER_1_NAME", "proxy1", "CHAT_PEER_1_ADDR", peer1,
                "CHAT_PEER_2_NAME", "proxy2", "CHAT_PEER_2_ADDR", peer2,
                "CHAT_PEERS_CERT", certs.resolve("peers-" + name + ".pem").toString(),
                "CHAT_PEERS_CA", certs.resolve("peers-ca.pem").toString()));
        ShippedHaproxy h = ShippedHaproxy.start(name, env, dir.resolve(name + "-" + proxies.size() + ".log"));
        proxies.add(h);
        return new Proxy(h, front);
    }

    private int login(Proxy p) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + p.front() + "/api/auth/login"))
                    .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** 127.0.0.1's login rate in the proxy's table (0 when it has no entry). */
    private static int loginRate(Proxy p) {
        Matcher m = LOGIN_RATE.matcher(admin(p, "show table st_login_per_src"));
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    /** One command on the proxy's runtime API. */
    private static String admin(Proxy p, String command) {
        return p.haproxy().admin(command);
    }

    private static void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError("failed: " + List.of(cmd) + "\n" + out);
        }
    }

    /** A port nobody uses now, for a listener this test starts (never for "nobody listens here"). */
    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}

package dev.chat.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

import dev.chat.testing.SocketDirs;

/**
 * The shipped haproxy/haproxy.cfg at the edge, with no service behind it (every backend points at a closed
 * port): HTTPS with the certificate the scripts generate, the plain-HTTP listener that only redirects, the
 * plain loopback front end that does not, the X-Proxy header, JSON error bodies, and both per-source rate
 * limits, made tight here through their environment variables so that a few requests reach them. Each
 * limit is exercised from its own loopback source address (127.0.0.2, 127.0.0.3), so they do not mix.
 */
@ResourceLock(Lanes.SHARED_STACK)
class ProxyEdgeTest {
    private static final Path ROOT = LocalStack.projectRoot();
    private static final int LOGIN_LIMIT = 3;
    private static final int CONN_LIMIT = 6;

    private static Path dir;
    private static ShippedHaproxy haproxy;
    private static Socket nowhere;
    private static final Map<String, Integer> PORTS = new LinkedHashMap<>();

    @BeforeAll
    static void startHaproxy() throws Exception {
        assumeTrue(ShippedHaproxy.installed(), "haproxy is not installed");
        dir = Files.createTempDirectory(Files.createDirectories(ROOT.resolve("system-tests/target")), "edge-");
        // The certificate exactly as scripts/up makes it.
        run(List.of("bash", "-c", "source scripts/lib/common.sh && ensure_tls_cert \"$1\" IP:127.0.0.1 DNS:localhost",
                "edge-test", dir.toString()));
        for (String name : List.of("front", "tls", "stats", "redirect")) {
            PORTS.put(name, freePort());
        }
        // The services' address: a port this test holds, bound and never listening, so nothing answers there.
        nowhere = new Socket();
        nowhere.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        String closed = "127.0.0.1:" + nowhere.getLocalPort();
        Map<String, String> env = ShippedHaproxy.env(PORTS.get("front"), PORTS.get("stats"),
                SocketDirs.create("edge").resolve("haproxy.sock"), closed);
        env.putAll(Map.of("CHAT_TLS_PORT", PORTS.get("tls").toString(), "CHAT_HTTP_PORT", PORTS.get("redirect").toString(),
                "CHAT_TLS_CERT", dir.resolve("tls.pem").toString(), "CHAT_PROXY_NAME", "edge-test",
                "CHAT_LOGIN_RATE_LIMIT", Integer.toString(LOGIN_LIMIT), "CHAT_CONN_RATE_LIMIT", Integer.toString(CONN_LIMIT)));
        haproxy = ShippedHaproxy.start("HAProxy", env, dir.resolve("haproxy.log"));
    }

    @AfterAll
    static void stopHaproxy() throws IOException {
        if (haproxy != null) {
            haproxy.close();
        }
        if (nowhere != null) {
            nowhere.close();
        }
    }

    @Test
    void httpsTerminatesWithTheGeneratedCertificateAndErrorsAreJson() throws Exception {
        HttpClient https = HttpClient.newBuilder().sslContext(trusting(dir.resolve("tls-cert.pem")))
                .connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> r = https.send(HttpRequest.newBuilder(
                URI.create("https://127.0.0.1:" + PORTS.get("tls") + "/")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(503, r.statusCode(), r.body());
        assertTrue(r.body().contains("\"error\":\"unavailable\""), r.body());
        assertEquals("edge-test", r.headers().firstValue("x-proxy").orElse(""));
        // Service internals stay hidden at the edge.
        HttpResponse<String> q = https.send(HttpRequest.newBuilder(
                URI.create("https://127.0.0.1:" + PORTS.get("tls") + "/q/health/ready")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(404, q.statusCode());
    }

    @Test
    void thePublicHttpListenerRedirectsToHttpsButTheLoopbackFrontEndDoesNot() throws IOException {
        Raw redirect = raw("127.0.0.1", PORTS.get("redirect"),
                "GET /ws/chat?x=1 HTTP/1.1\r\nHost: 127.0.0.1:" + PORTS.get("redirect") + "\r\nConnection: close\r\n\r\n");
        assertEquals(301, redirect.status(), redirect.toString());
        assertEquals("https://127.0.0.1:" + PORTS.get("tls") + "/ws/chat?x=1", redirect.headers().get("location"));
        assertEquals("edge-test", redirect.headers().get("x-proxy"));
        Raw plain = raw("127.0.0.1", PORTS.get("front"), "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertEquals(503, plain.status(), "the plain front end serves (no redirect): " + plain);
    }

    @Test
    void loginAttemptsOverTheLimitGet429WithAJsonBody() throws IOException {
        String login = "POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Content-Length: 2\r\nConnection: close\r\n\r\n{}";
        for (int i = 1; i <= LOGIN_LIMIT; i++) {
            Raw r = raw("127.0.0.2", PORTS.get("front"), login);
            assertEquals(503, r.status(), "attempt " + i + " is within the limit: " + r);
        }
        Raw over = raw("127.0.0.2", PORTS.get("front"), login);
        assertEquals(429, over.status(), over.toString());
        assertEquals("application/json", over.headers().get("content-type"));
        assertEquals("60", over.headers().get("retry-after"));
        assertTrue(over.body().contains("\"error\":\"rate_limited\"") && over.body().contains("login"), over.body());
        // Other paths from the same address are not login attempts.
        assertEquals(503, raw("127.0.0.2", PORTS.get("front"), "GET /api/users HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                .status());
    }

    /**
     * HAProxy's rules see the path after {@code http-request normalize-uri}: the spellings the services' router
     * decodes and merges to {@code /q/...} are refused like {@code /q/...} itself (before, they reached a service,
     * which answered 200 with its metrics or health details). Each request comes from its own source address so
     * the connection limit does not mix in.
     */
    @Test
    void serviceInternalsAreRefusedWhenThePercentEncodingHidesThem() throws IOException {
        assertRefused404("127.0.1.1", "/%71/metrics");
        assertRefused404("127.0.1.2", "/%71/health/ready");
    }

    @Test
    void serviceInternalsAreRefusedBehindADoubledSlash() throws IOException {
        assertRefused404("127.0.1.3", "//q/health");
        assertRefused404("127.0.1.4", "/api/presence/../../q/metrics");
    }

    @Test
    void loginWithAPercentEncodedLetterIsRateLimited() throws IOException {
        assertLoginLimited("127.0.2.1", "/api/auth/%6cogin");
    }

    @Test
    void loginWithADoubledSlashIsRateLimited() throws IOException {
        assertLoginLimited("127.0.2.2", "/api/auth//login");
    }

    @Test
    void loginThroughADotDotSegmentIsRateLimited() throws IOException {
        assertLoginLimited("127.0.2.3", "/api/users/../auth/login");
    }

    @Test
    void httpsResponsesCarryStrictTransportSecurityButPlainHttpOnesDoNot() throws Exception {
        HttpClient https = HttpClient.newBuilder().sslContext(trusting(dir.resolve("tls-cert.pem")))
                .connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> r = https.send(HttpRequest.newBuilder(
                URI.create("https://127.0.0.1:" + PORTS.get("tls") + "/")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        String hsts = r.headers().firstValue("strict-transport-security").orElse("");
        assertTrue(hsts.matches("max-age=[1-9][0-9]{6,}.*"), "HSTS on HTTPS, at least a few months: '" + hsts + "'");
        // Over plain HTTP the header means nothing to a browser (RFC 6797 8.1): it is left out there.
        Raw plain = raw("127.0.0.1", PORTS.get("front"), "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertEquals(null, plain.headers().get("strict-transport-security"), plain.toString());
    }

    /**
     * A request line past the services' limit is answered 414 by HAProxy with the JSON error body (the services'
     * HTTP codec would answer it with none): 4 KiB for every service, 16 KiB for presence-service's bulk GET,
     * measured on the path as normalised (a dot-dot path that leaves /api/presence gets the smaller limit).
     */
    @Test
    void aRequestLineTooLongIsRefused414WithAJsonBody() throws IOException {
        assertJsonRefusal(414, "uri_too_long", raw("127.0.0.5", PORTS.get("front"),
                "GET /api/users/" + "a".repeat(5000) + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
        assertEquals(503, raw("127.0.0.5", PORTS.get("front"), "GET /api/presence/" + "a".repeat(5000)
                + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").status(), "presence takes 16 KiB");
        assertJsonRefusal(414, "uri_too_long", raw("127.0.0.5", PORTS.get("front"), "GET /api/presence/"
                + "a".repeat(17_000) + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
        assertJsonRefusal(414, "uri_too_long", raw("127.0.0.5", PORTS.get("front"), "GET /api/presence/../users/"
                + "a".repeat(5000) + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    }

    /** Headers past the services' 20 KiB are answered 431 by HAProxy with the JSON error body. */
    @Test
    void headersTooLargeAreRefused431WithAJsonBody() throws IOException {
        assertJsonRefusal(431, "headers_too_large", raw("127.0.0.6", PORTS.get("front"),
                "GET /api/groups HTTP/1.1\r\nHost: x\r\nCookie: " + "a".repeat(21_000)
                        + "\r\nConnection: close\r\n\r\n"));
        // Many headers adding up (fewer than HAProxy's 101 a request: past that its own HTML 400, docs/protocol.md).
        assertJsonRefusal(431, "headers_too_large", raw("127.0.0.6", PORTS.get("front"),
                "GET /api/presence/x HTTP/1.1\r\nHost: x\r\n" + ("X-Filler: " + "a".repeat(240) + "\r\n").repeat(90)
                        + "Connection: close\r\n\r\n"));
    }

    private static void assertJsonRefusal(int status, String error, Raw r) {
        assertEquals(status, r.status(), r.toString());
        assertEquals("application/json", r.headers().get("content-type"), r.toString());
        assertTrue(r.body().startsWith("{\"error\":\"" + error + "\",\"message\":\""), r.body());
    }

    private static void assertRefused404(String from, String path) throws IOException {
        Raw r = raw(from, PORTS.get("front"), "GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertEquals(404, r.status(), path + " must be refused at the edge like /q/: " + r);
    }

    /** {@code path} counts as a login attempt: the limit's worth of attempts pass, the next one gets 429. */
    private static void assertLoginLimited(String from, String path) throws IOException {
        String login = "POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Content-Length: 2\r\nConnection: close\r\n\r\n{}";
        for (int i = 1; i <= LOGIN_LIMIT; i++) {
            Raw r = raw(from, PORTS.get("front"), login);
            assertEquals(503, r.status(), path + ": attempt " + i + " is within the limit: " + r);
        }
        Raw over = raw(from, PORTS.get("front"), login);
        assertEquals(429, over.status(), path + " must count as a login attempt: " + over);
        assertTrue(over.body().contains("login"), over.body());
    }

    @Test
    void newConnectionsOverTheLimitGet429() throws IOException {
        String get = "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
        for (int i = 1; i <= CONN_LIMIT; i++) {
            Raw r = raw("127.0.0.3", PORTS.get("front"), get);
            assertEquals(503, r.status(), "connection " + i + " is within the limit: " + r);
        }
        Raw over = raw("127.0.0.3", PORTS.get("front"), get);
        assertEquals(429, over.status(), over.toString());
        assertEquals("10", over.headers().get("retry-after"));
        assertTrue(over.body().contains("\"error\":\"rate_limited\"") && over.body().contains("connections"), over.body());
        // Another address is not limited.
        assertEquals(503, raw("127.0.0.4", PORTS.get("front"), get).status());
    }

    // ------------------------------------------------------------------ helpers

    record Raw(int status, Map<String, String> headers, String body) {
    }

    /** One HTTP exchange on a new connection from {@code from} (any 127/8 address is local on Linux). */
    static Raw raw(String from, int port, String request) throws IOException {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 3000);
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.ISO_8859_1));
            String status = r.readLine();
            if (status == null) {
                throw new IOException("no response");
            }
            Map<String, String> headers = new HashMap<>();
            String line;
            while ((line = r.readLine()) != null && !line.isEmpty()) {
                int c = line.indexOf(':');
                if (c > 0) {
                    headers.put(line.substring(0, c).trim().toLowerCase(Locale.ROOT), line.substring(c + 1).trim());
                }
            }
            StringBuilder body = new StringBuilder();
            int len = Integer.parseInt(headers.getOrDefault("content-length", "-1"));
            if (len >= 0) {
                char[] buf = new char[len];
                int n = 0;
                while (n < len) {
                    int k = r.read(buf, n, len - n);
                    if (k < 0) {
                        break;
                    }
                    n += k;
                }
                body.append(buf, 0, n);
            }
            return new Raw(Integer.parseInt(status.split(" ")[1]), headers, body.toString());
        }
    }

    private static SSLContext trusting(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                ks.setCertificateEntry("c" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(new ArrayList<>(cmd)).directory(ROOT.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError("failed: " + cmd + "\n" + out);
        }
    }
}

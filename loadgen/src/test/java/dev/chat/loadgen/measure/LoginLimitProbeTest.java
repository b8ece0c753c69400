package dev.chat.loadgen.measure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Against a loopback HTTP server that plays a proxy limiting logins after a few. */
class LoginLimitProbeTest {
    private ServerSocket server;
    private Thread loop;
    private final AtomicInteger requests = new AtomicInteger();
    private volatile String proxyName = "proxy1";
    private volatile String lastSource;
    private volatile String limitError = "rate_limited";

    private URI start(int limitAfter) throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        loop = new Thread(() -> {
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    lastSource = s.getInetAddress().getHostAddress();
                    BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                    String first = in.readLine();
                    int length = 0;
                    String line;
                    while ((line = in.readLine()) != null && !line.isEmpty()) {
                        if (line.toLowerCase().startsWith("content-length:")) {
                            length = Integer.parseInt(line.substring(15).trim());
                        }
                    }
                    for (int i = 0; i < length; i++) {
                        in.read();
                    }
                    int n = requests.incrementAndGet();
                    boolean over = first != null && first.startsWith("POST /api/auth/login ") && n > limitAfter;
                    String status = over ? "429 Too Many Requests" : "400 Bad Request";
                    String body = over ? "{\"error\": \"" + limitError + "\",\"message\":\"too many\"}"
                            : "{\"error\":\"bad_request\",\"message\":\"username missing\"}";
                    OutputStream out = s.getOutputStream();
                    out.write(("HTTP/1.1 " + status + "\r\nContent-Length: " + body.length() + "\r\nX-Proxy: " + proxyName
                            + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                } catch (IOException e) {
                    // closed
                }
            }
        });
        loop.setDaemon(true);
        loop.start();
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        loop.join(5000);
    }

    @Test
    void tripsTheLimitFromItsOwnAddressAndSaysWhoAnswered() throws Exception {
        LoginLimitProbe probe = new LoginLimitProbe(start(3), null, InetAddress.getByName("127.0.0.1"), 2000);
        LoginLimitProbe.Tripped t = probe.trip(10);
        assertEquals(4, t.attempts());
        assertTrue(t.last().limited());
        assertEquals("proxy1", t.last().proxy());
        assertEquals("127.0.0.1", lastSource);

        proxyName = "proxy2";
        LoginLimitProbe.Answer other = probe.askOther("proxy1", System.nanoTime() + 5_000_000_000L);
        assertEquals(new LoginLimitProbe.Answer(429, "proxy2", "rate_limited"), other);
    }

    @Test
    void theServicesOwnThrottleIsNotTheProxysLimit() throws Exception {
        limitError = "too_many_attempts";
        LoginLimitProbe probe = new LoginLimitProbe(start(1), null, InetAddress.getByName("127.0.0.1"), 2000);
        LoginLimitProbe.Tripped t = probe.trip(3);
        assertEquals(3, t.attempts());
        assertEquals(429, t.last().status());
        assertFalse(t.last().limited());
    }

    @Test
    void aLimitNeverReachedIsSaidSo() throws Exception {
        LoginLimitProbe probe = new LoginLimitProbe(start(100), null, InetAddress.getByName("127.0.0.1"), 2000);
        LoginLimitProbe.Tripped t = probe.trip(5);
        assertEquals(5, t.attempts());
        assertFalse(t.last().limited());
        assertEquals(400, t.last().status());
        assertEquals("bad_request", t.last().error());
    }

    @Test
    void nobodyListeningIsNoAnswer() throws Exception {
        start(0);
        // A port bound but never listening refuses every connection and stays ours: a closed listener's port is
        // free for any other process to take meanwhile (CI once got a 429 from whatever took it).
        try (Socket holder = new Socket()) {
            holder.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            URI base = URI.create("http://127.0.0.1:" + holder.getLocalPort());
            LoginLimitProbe probe = new LoginLimitProbe(base, null, InetAddress.getByName("127.0.0.1"), 500);
            assertEquals(-1, probe.attempt().status());
        }
        assertEquals(0, requests.get());
    }
}

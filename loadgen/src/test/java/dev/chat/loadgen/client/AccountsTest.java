package dev.chat.loadgen.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

/**
 * The load tool backs off on the account service's {@code Retry-After} (issue 17): a 503 {@code busy} or a 429 is
 * asked again after the wait it names, and a wait past the tool's patience is not waited out. Against a scripted
 * HTTP server on loopback.
 */
class AccountsTest {
    private HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();

    /** Answers the scripted (status, Retry-After or null) in turn; 201 once the script is spent. */
    private Endpoint serve(Deque<Object[]> script) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            exchange.getRequestBody().readAllBytes();
            Object[] next;
            synchronized (script) {
                next = script.isEmpty() ? new Object[] {201, null} : script.poll();
            }
            int status = (Integer) next[0];
            String body = status == 201 ? "{\"id\":1,\"username\":\"u\"}"
                    : "{\"error\":\"busy\",\"message\":\"m\",\"retryAfter\":" + next[1] + "}";
            if (next[1] != null) {
                exchange.getResponseHeaders().add("Retry-After", next[1].toString());
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        return Endpoint.of("http://127.0.0.1:" + server.getAddress().getPort(), null, Duration.ofSeconds(5));
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void aBusyOrThrottledAnswerIsAskedAgainAfterItsRetryAfter() throws IOException {
        Deque<Object[]> script = new ArrayDeque<>();
        script.add(new Object[] {503, 1});
        script.add(new Object[] {429, 1});
        Accounts accounts = new Accounts(serve(script), Duration.ofSeconds(30));
        accounts.create("u", "password1");
        assertEquals(3, requests.get(), "503 busy, then 429, then the account");
    }

    @Test
    void aRetryAfterPastThePatienceIsNotWaitedOut() throws IOException {
        Deque<Object[]> script = new ArrayDeque<>();
        script.add(new Object[] {503, 120});
        Accounts accounts = new Accounts(serve(script), Duration.ofSeconds(10));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> accounts.create("u", "password1"));
        assertTrue(e.getMessage().contains("503"), e.getMessage());
        // A fixed back-off (200 ms, doubling) would have asked again within the 10 s; Retry-After: 120 said not to.
        assertEquals(1, requests.get(), "asked once: the service's Retry-After is past the patience");
    }
}

package dev.chat.loadgen.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import com.sun.net.httpserver.HttpServer;

/**
 * {@link RunChecks#fetch}: a page's body, or "" within its bound whatever the server does, so that a scenario's
 * metrics block never holds its clients past their deadline.
 */
class FetchTest {
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aBodyThatStallsAfterItsHeadersIsGivenUpWithinTheBound() throws Exception {
        CountDownLatch stop = new CountDownLatch(1);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/ok", x -> {
            byte[] body = "chat_users_online 3\n".getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(200, body.length);
            try (OutputStream out = x.getResponseBody()) {
                out.write(body);
            }
        });
        server.createContext("/stalls", x -> {
            // Headers promise 1,000 bytes; ten come, then nothing until the test ends.
            x.sendResponseHeaders(200, 1000);
            OutputStream out = x.getResponseBody();
            out.write("chat_users".getBytes(StandardCharsets.UTF_8));
            out.flush();
            try {
                stop.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            x.close();
        });
        ExecutorService handlers = Executors.newCachedThreadPool();
        server.setExecutor(handlers);
        server.start();
        String base = "http://127.0.0.1:" + server.getAddress().getPort();
        try {
            assertEquals("chat_users_online 3\n", RunChecks.fetch(base + "/ok"));
            // Given up, not waited out: the test's own 30-s timeout fails it if the fetch waits for the body.
            assertEquals("", RunChecks.fetch(base + "/stalls"));
        } finally {
            stop.countDown();
            server.stop(0);
            handlers.shutdownNow();
        }
    }
}

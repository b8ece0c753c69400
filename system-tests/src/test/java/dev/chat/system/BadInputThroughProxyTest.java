package dev.chat.system;

import static dev.chat.testing.ChatClient.frame;
import static dev.chat.testing.ChatClient.type;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

import dev.chat.system.Accounts.Account;
import dev.chat.testing.ChatClient;
import io.restassured.response.Response;

/**
 * Bad input and floods where a socket's limits meet the proxy: an oversized frame (over 64 KiB,
 * docs/protocol.md) closes only that socket; a client that stops reading is cut off and the node's memory stays
 * bounded, and it gets everything once when it comes back; the page and the APIs behind the chat nodes carry the
 * security headers. (Frame-level bad input, the fuzzer, the rate limit
 * and token attacks are chat-node's tests: docs/reliability.md lists them.)
 */
@ResourceLock(Lanes.SHARED_STACK)
class BadInputThroughProxyTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private static LocalStack stack() {
        return LocalStack.shared();
    }

    private static URI ws() {
        return URI.create(stack().wsUrl());
    }

    @Test
    void anOversizedFrameClosesOnlyThatSocket() {
        Account mallory = Accounts.create(stack(), "mallory");
        Account alice = Accounts.create(stack(), "alice");
        Account bob = Accounts.create(stack(), "bob");
        try (ChatClient x = ChatClient.connect(ws(), mallory.token());
                ChatClient a = ChatClient.connect(ws(), alice.token());
                ChatClient b = ChatClient.connect(ws(), bob.token())) {
            String body = "x".repeat(70_000);
            x.send("{\"type\":\"send\",\"id\":\"big\",\"to\":\"" + bob.name() + "\",\"body\":\"" + body + "\"}");
            Instant deadline = Instant.now().plus(WAIT);
            while (x.isOpen() && Instant.now().isBefore(deadline)) {
                ChatThroughProxyTest.pause(50);
            }
            // docs/protocol.md promises 1009 (message too big); what a client sees today is 1011 or an abrupt close
            // without a close frame (docs/reliability.md, known gaps). Either way only this socket is closed.
            assertTrue(!x.isOpen(), "the socket that sent an oversized frame is closed");
            System.out.println("oversized frame: socket closed with " + x.closeCode());
            String m = UUID.randomUUID().toString();
            a.sendMessage(m, bob.name(), "unaffected");
            a.await(frame("ack", m), WAIT);
            b.await(frame("msg", m), WAIT);
            assertEquals(0, b.count(frame("msg", "big")), "nothing of the oversized frame was delivered");
        }
        // The limit is the frame, not the account: a new socket of the same user works.
        try (ChatClient again = ChatClient.connect(ws(), mallory.token())) {
            String m = UUID.randomUUID().toString();
            again.sendMessage(m, alice.name(), "x".repeat(4000));
            again.await(frame("ack", m), WAIT);
        }
    }

    /**
     * A client that stops reading: the node writes until its socket's network buffers are full, then counts the
     * frames it could not hand over; past {@code chat.limits.max-pending-writes} (1000) it cuts the socket off
     * (1008) and stops writing to it, and at most {@code max-unacked-per-user} (2000) messages are ever in flight
     * to a user, so the node's memory stays bounded whatever the client does. The stalled client talks to a node
     * directly, with a tiny receive buffer: through HAProxy, the proxy's and the kernel's buffers (tens of MB)
     * would absorb the whole backlog before the node noticed anything. The sender and a bystander are not
     * affected, and the user's next socket gets every message, each once.
     */
    @Test
    void aClientThatStopsReadingIsCutOffAndTheNodesMemoryStaysBounded() throws Exception {
        Account sender = Accounts.create(stack(), "sender");
        Account slow = Accounts.create(stack(), "slow");
        Account bystander = Accounts.create(stack(), "bystander");
        int node = 1;
        double cutBefore = nodeMetric(node, "chat_sockets_slow_consumers_cut_total");
        List<String> ids = new ArrayList<>();
        try (java.net.Socket stalled = stalledSocket(stack().nodePort(node), slow.token())) {
            ChatThroughProxyTest.nodesOf(sender, slow.name(), 1);
            String body = "s".repeat(4000);
            // Five sockets of the sender: a socket's sends are stored one at a time, in order (docs/protocol.md), so
            // one socket's rate is one store round trip per message; on a loaded machine (load 35) one socket got
            // 1,512 of 2,500 acked in two minutes. Spread over five, the stalled reader still gets 2,500.
            List<ChatClient> senders = new ArrayList<>();
            for (int k = 0; k < 5; k++) {
                senders.add(ChatClient.connect(ws(), sender.token()));
            }
            try (ChatClient by = ChatClient.connect(ws(), bystander.token())) {
                ChatClient s = senders.get(0);
                // At most 90 frames a second in all (18 per socket): a socket may send 100 a second beyond a burst
                // of 1,000 (FrameRate), and this test is about the stalled reader, not the sender's limit.
                long start = System.nanoTime();
                for (int i = 0; i < 2500; i++) {
                    String m = "slow-" + i + "-" + UUID.randomUUID().toString().substring(0, 8);
                    ids.add(m);
                    senders.get(i % senders.size()).sendMessage(m, slow.name(), body);
                    long due = start + (i + 1) * 1_000_000_000L / 90;
                    long ahead = due - System.nanoTime();
                    if (ahead > 0) {
                        java.util.concurrent.locks.LockSupport.parkNanos(ahead);
                    }
                }
                for (ChatClient c : senders) {
                    c.awaitCount(type("ack"), 500, Duration.ofSeconds(90));
                    assertEquals(0, c.count(type("error")), "every send was accepted");
                }

                // The guard fires ...
                Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
                while (nodeMetric(node, "chat_sockets_slow_consumers_cut_total") <= cutBefore) {
                    assertTrue(Instant.now().isBefore(deadline), "the stalled socket was never cut off");
                    ChatThroughProxyTest.pause(500);
                }
                // ... and from then on the stalled socket costs no more: the node's buffers stop growing.
                double direct = nodeMetric(node, "jvm_buffer_memory_used_bytes{id=\"direct\"");
                ChatThroughProxyTest.pause(12_000); // past two redelivery periods
                double later = nodeMetric(node, "jvm_buffer_memory_used_bytes{id=\"direct\"");
                assertTrue(later < direct + 8 * 1024 * 1024, "direct buffers grew from " + direct + " to " + later);
                assertTrue(later < 64 * 1024 * 1024, "direct buffers hold " + later + " bytes");

                // The sender and a bystander noticed nothing.
                String m = UUID.randomUUID().toString();
                s.sendMessage(m, bystander.name(), "still fine");
                by.await(frame("msg", m), WAIT);
                assertTrue(s.isOpen() && by.isOpen());
            } finally {
                senders.forEach(ChatClient::close);
            }
        }
        // Back with a client that reads and acks: every message, each once (redeliveries dropped by ID).
        try (ChatClient back = ChatClient.connect(ws(), slow.token())) {
            Set<String> seen = new HashSet<>();
            Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
            while (seen.size() < ids.size() && Instant.now().isBefore(deadline)) {
                for (var f : back.frames()) {
                    if ("msg".equals(f.path("type").asText())) {
                        seen.add(f.path("id").asText());
                    }
                }
                ChatThroughProxyTest.pause(200);
            }
            assertEquals(new HashSet<>(ids), seen, "every message arrives on the next socket");
            // ... and every one is acked while the socket is open: acks past the socket's frame rate (100 a second
            // after a burst of 1,000) are refused and the message comes again, to be acked again.
            Instant settled = Instant.now().plus(Duration.ofSeconds(90));
            String unacked = "";
            while (Instant.now().isBefore(settled)) {
                unacked = stack().psql("SELECT count(*) FROM pending WHERE recipient = '" + slow.name() + "'");
                if (unacked.equals("0")) {
                    break;
                }
                ChatThroughProxyTest.pause(200);
            }
            assertEquals("0", unacked, slow.name() + " still has unacked messages");
        }
    }

    /** A socket upgraded to /ws/chat on a node's own port, with a 4 KiB receive buffer, that is never read. */
    private static java.net.Socket stalledSocket(int port, String token) throws Exception {
        java.net.Socket socket = new java.net.Socket();
        socket.setReceiveBufferSize(4096);
        socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 10_000);
        socket.setSoTimeout(10_000);
        String key = java.util.Base64.getEncoder().encodeToString(UUID.randomUUID().toString().substring(0, 16).getBytes());
        socket.getOutputStream().write(("GET /ws/chat HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n"
                + "Authorization: Bearer " + token + "\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        // Read the response head only, byte by byte, then never again.
        StringBuilder head = new StringBuilder();
        java.io.InputStream in = socket.getInputStream();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new AssertionError("upgrade closed: " + head);
            }
            head.append((char) b);
        }
        assertTrue(head.toString().startsWith("HTTP/1.1 101"), head.toString());
        return socket;
    }

    /** One metric of a chat node's /q/metrics (its management port; summed over its series); 0 when it has none yet. */
    private static double nodeMetric(int node, String name) {
        String text = given().get(stack().managementUrl(LocalStack.node(node)) + "/q/metrics").asString();
        double sum = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{") || name.contains("{") && line.startsWith(name)) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    @Test
    void thePageAndTheNodesApisCarryTheSecurityHeaders() {
        for (String path : List.of("/", "/index.html", "/api/conversations")) {
            Response r = given().baseUri(stack().baseUrl()).get(path);
            assertEquals("nosniff", r.header("X-Content-Type-Options"), path);
            assertEquals("DENY", r.header("X-Frame-Options"), path);
            assertEquals("no-referrer", r.header("Referrer-Policy"), path);
            String csp = r.header("Content-Security-Policy");
            assertTrue(csp != null && csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"),
                    path + ": " + csp);
        }
    }
}

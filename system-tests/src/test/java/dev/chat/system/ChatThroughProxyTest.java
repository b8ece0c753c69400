package dev.chat.system;

import static dev.chat.testing.ChatClient.frame;
import static dev.chat.testing.ChatClient.type;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.parallel.ResourceLock;

import dev.chat.system.Accounts.Account;
import dev.chat.testing.ChatClient;

/**
 * The core promise, end to end: three chat nodes, both services, Redis and PostgreSQL behind HAProxy,
 * started by scripts/up, and driven through HAProxy's one address with the contract alone. Which node a
 * socket landed on is read from presence-service, as an operator would.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ResourceLock(Lanes.SHARED_STACK)
class ChatThroughProxyTest {
    private static final Duration WAIT = Duration.ofSeconds(15);
    @BeforeAll
    static void up() {
        stack();
    }

    /** The JVM's one stack; the other system tests share it (and these helpers). */
    static LocalStack stack() {
        return LocalStack.shared();
    }

    private static URI ws() {
        return URI.create(stack().wsUrl());
    }

    private static String id() {
        return UUID.randomUUID().toString();
    }

    /** The nodes presence-service reports for {@code user}, once it reports {@code sockets} of them. */
    static Set<String> nodesOf(Account asker, String user, int sockets) {
        Instant deadline = Instant.now().plus(WAIT);
        while (true) {
            var body = PresenceAsk.of(stack().baseUrl(), asker.token(), user, deadline);
            if (body.getInt("sockets") == sockets) {
                return new HashSet<>(body.getList("nodes", String.class));
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError(user + " never had " + sockets + " sockets: " + body.prettify());
            }
            pause(50);
        }
    }

    /** Connects {@code a} on a node none of {@code avoid} is on (HAProxy's leastconn makes that quick). */
    static ChatClient connectAvoiding(Account a, Set<String> avoid, int socketsAfter) {
        for (int attempt = 0; attempt < 12; attempt++) {
            ChatClient c = ChatClient.connect(ws(), a.token());
            Set<String> nodes = nodesOf(a, a.name(), socketsAfter);
            if (nodes.stream().anyMatch(n -> !avoid.contains(n))) {
                return c;
            }
            c.close();
            nodesOf(a, a.name(), socketsAfter - 1);
        }
        throw new AssertionError("HAProxy kept placing " + a.name() + " on " + avoid);
    }

    @Test
    @Order(1)
    void twoUsersOnDifferentNodesExchangeMessagesBothWays() {
        Account alice = Accounts.create(stack(), "alice");
        Account bob = Accounts.create(stack(), "bob");
        try (ChatClient a = ChatClient.connect(ws(), alice.token())) {
            Set<String> aliceNodes = nodesOf(alice, alice.name(), 1);
            try (ChatClient b = connectAvoiding(bob, aliceNodes, 1)) {
                assertNotEquals(aliceNodes, nodesOf(alice, bob.name(), 1));
                String m1 = id();
                a.sendMessage(m1, bob.name(), "hi bob");
                a.await(frame("ack", m1), WAIT);
                var got = b.await(frame("msg", m1), WAIT);
                assertEquals(alice.name(), got.get("from").asText());
                assertEquals("hi bob", got.get("body").asText());
                String m2 = id();
                b.sendMessage(m2, alice.name(), "hi alice");
                b.await(frame("ack", m2), WAIT);
                assertEquals(bob.name(), a.await(frame("msg", m2), WAIT).get("from").asText());
            }
        }
    }

    @Test
    @Order(2)
    void aRetriedSendIsAckedEachTimeAndDeliveredOnce() {
        Account alice = Accounts.create(stack(), "alice");
        Account bob = Accounts.create(stack(), "bob");
        try (ChatClient a = ChatClient.connect(ws(), alice.token());
                ChatClient b = connectAvoiding(bob, nodesOf(alice, alice.name(), 1), 1)) {
            String m = id();
            for (int i = 0; i < 4; i++) {
                a.sendMessage(m, bob.name(), "only once");
            }
            a.awaitCount(frame("ack", m), 4, WAIT);
            b.await(frame("msg", m), WAIT);
            String marker = id();
            a.sendMessage(marker, bob.name(), "marker");
            b.await(frame("msg", marker), WAIT);
            assertEquals(1, b.count(frame("msg", m)), b.frames().toString());
        }
    }

    @Test
    @Order(3)
    void anOfflineRecipientGetsEveryMessageOnReconnectAndNotAgainAfterAcking() {
        Account alice = Accounts.create(stack(), "alice");
        Account bob = Accounts.create(stack(), "bob");
        List<String> ids = List.of(id(), id(), id(), id(), id());
        try (ChatClient a = ChatClient.connect(ws(), alice.token())) {
            for (String m : ids) {
                a.sendMessage(m, bob.name(), "while you were away");
                a.await(frame("ack", m), WAIT);
            }
        }
        try (ChatClient b = ChatClient.connect(ws(), bob.token())) {
            for (String m : ids) {
                b.await(frame("msg", m), WAIT);
            }
            assertEquals(ids, b.frames().stream().filter(type("msg")).map(f -> f.get("id").asText()).toList());
            awaitNoUnacked(bob.name());
        }
        try (ChatClient again = ChatClient.connect(ws(), bob.token()); ChatClient a = ChatClient.connect(ws(), alice.token())) {
            String marker = id();
            a.sendMessage(marker, bob.name(), "new one");
            again.await(frame("msg", marker), WAIT);
            assertEquals(1, again.count(type("msg")), "acked messages came again: " + again.frames());
        }
    }

    @Test
    @Order(4)
    void aUserWithSocketsOnTwoNodesGetsEachMessageOnBoth() {
        Account alice = Accounts.create(stack(), "alice");
        Account bob = Accounts.create(stack(), "bob");
        try (ChatClient phone = ChatClient.connect(ws(), bob.token())) {
            Set<String> first = nodesOf(bob, bob.name(), 1);
            try (ChatClient laptop = connectAvoiding(bob, first, 2); ChatClient a = ChatClient.connect(ws(), alice.token())) {
                assertEquals(2, nodesOf(bob, bob.name(), 2).size(), "bob's sockets sit on two nodes");
                for (int i = 0; i < 5; i++) {
                    String m = id();
                    a.sendMessage(m, bob.name(), "to both #" + i);
                    phone.await(frame("msg", m), WAIT);
                    laptop.await(frame("msg", m), WAIT);
                }
                assertEquals(5, phone.count(type("msg")));
                assertEquals(5, laptop.count(type("msg")));
            }
        }
    }

    @Test
    @Order(5)
    void anUpgradeWithoutAValidTokenIsRefusedWith401BeforeAnyFrame() {
        assertEquals(Optional.of(401), ChatClient.refusal(ws(), null));
        assertEquals(Optional.of(401), ChatClient.refusal(ws(), "Bearer eyJhbGciOiJub25lIn0.e30."));
        assertEquals(Optional.of(401), ChatClient.refusal(ws(), "Basic YWxpY2U6c2VjcmV0"));
    }

    @Test
    @Order(10)
    void aMessageToAUserWhoseNodeWasKilledReachesThemAfterTheyReconnect() {
        Account alice = Accounts.create(stack(), "alice");
        Account bob = Accounts.create(stack(), "bob");
        String killed = null;
        try (ChatClient a = ChatClient.connect(ws(), alice.token())) {
            Set<String> aliceNodes = nodesOf(alice, alice.name(), 1);
            ChatClient b = connectAvoiding(bob, aliceNodes, 1);
            String bobNode = nodesOf(alice, bob.name(), 1).iterator().next();
            killed = "chat-" + bobNode; // node-2 runs as component chat-node-2
            stack().kill9(killed);
            awaitClosed(b);
            // presence-service notices the silent node and drops its entries within seconds.
            assertEquals(Set.of(), nodesOf(alice, bob.name(), 0));

            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                String m = id();
                ids.add(m);
                a.sendMessage(m, bob.name(), "after the crash #" + i);
                a.await(frame("ack", m), WAIT);
            }
            ChatClient back = reconnect(bob);
            for (String m : ids) {
                back.await(frame("msg", m), WAIT);
            }
            for (String m : ids) {
                assertEquals(1, back.count(frame("msg", m)));
            }
            back.close();
        } finally {
            if (killed != null) {
                stack().start(killed);
            }
        }
        assertTrue(stack().isRunning(killed));
    }

    @Test
    @Order(11)
    void aGracefullyStoppedNodeTellsItsClientsToReconnectAndLeavesThePresenceMapAtOnce() {
        Account carol = Accounts.create(stack(), "carol");
        String stopped = null;
        try {
            ChatClient c = ChatClient.connect(ws(), carol.token());
            String node = nodesOf(carol, carol.name(), 1).iterator().next();
            stopped = "chat-" + node;
            stack().stop(stopped);
            assertEquals(1012, c.awaitClose(WAIT), "closed with 1012 (service restart)");
            var body = PresenceAsk.of(stack().baseUrl(), carol.token(), carol.name(), Instant.now().plus(WAIT));
            assertEquals(0, body.getInt("sockets"), "left the presence map before exiting: " + body.prettify());
        } finally {
            if (stopped != null) {
                stack().start(stopped);
            }
        }
    }

    @Test
    @Order(12)
    void nodesAreNotReadyWhileRedisOrPostgresIsDownAndRecoverAfter() {
        int port = stack().managementPort("chat-node-1");
        stack().kill9("redis");
        try {
            awaitReadiness(port, 503);
        } finally {
            stack().start("redis");
        }
        awaitEveryServiceReady();
        stack().stop("postgres");
        try {
            awaitReadiness(port, 503);
        } finally {
            stack().start("postgres");
        }
        awaitEveryServiceReady();
        // And the stack still carries messages end to end.
        twoUsersOnDifferentNodesExchangeMessagesBothWays();
    }

    /** Every service ready, then HAProxy agreeing (in that order: a check failed before may still count). */
    static void awaitEveryServiceReady() {
        for (int i = 1; i <= LocalStack.CHAT_NODES; i++) {
            awaitReadiness(stack().managementPort(LocalStack.node(i)), 200);
        }
        awaitReadiness(stack().managementPort("user-service"), 200);
        awaitReadiness(stack().managementPort("presence-service"), 200);
        awaitAllServersUp();
    }

    /** Until HAProxy's health checks see every service ready again (they lag readiness by up to 2 s). */
    static void awaitAllServersUp() {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        List<String> down = List.of();
        while (Instant.now().isBefore(deadline)) {
            down = given().get(stack().statsUrl() + "/stats;csv").asString().lines()
                    .map(l -> l.split(","))
                    .filter(f -> f.length > 17 && !f[0].startsWith("#") && !f[1].equals("FRONTEND")
                            && !f[1].equals("BACKEND") && !f[0].equals("stats"))
                    .filter(f -> !f[17].equals("UP"))
                    .map(f -> f[0] + "/" + f[1] + "=" + f[17]).toList();
            if (down.isEmpty()) {
                return;
            }
            pause(100);
        }
        throw new AssertionError("HAProxy still sees servers not UP: " + down);
    }

    /** Waits until readiness on a service's management port {@code port} answers {@code status}. */
    private static void awaitReadiness(int port, int status) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        int last = -1;
        while (Instant.now().isBefore(deadline)) {
            last = given().baseUri("http://127.0.0.1:" + port).get("/q/health/ready").statusCode();
            if (last == status) {
                return;
            }
            pause(100);
        }
        throw new AssertionError("readiness of port " + port + " stayed " + last + ", expected " + status);
    }

    /** A client's reconnect loop: HAProxy needs a health check or two to stop offering the dead node. */
    private static ChatClient reconnect(Account a) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (true) {
            try {
                return ChatClient.connect(ws(), a.token());
            } catch (IllegalStateException e) {
                if (Instant.now().isAfter(deadline)) {
                    throw e;
                }
                pause(200);
            }
        }
    }

    private static void awaitClosed(ChatClient c) {
        Instant deadline = Instant.now().plus(WAIT);
        while (c.isOpen()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("socket to the killed node still open");
            }
            pause(50);
        }
    }

    static void awaitNoUnacked(String user) {
        Instant deadline = Instant.now().plus(WAIT);
        String n = "";
        while (Instant.now().isBefore(deadline)) {
            n = stack().psql("SELECT count(*) FROM pending WHERE recipient = '" + user + "'");
            if (n.equals("0")) {
                return;
            }
            pause(50);
        }
        throw new AssertionError(user + " still has " + n + " unacked messages");
    }

    static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

package dev.chat.system;

import static dev.chat.testing.ChatClient.frame;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

import dev.chat.system.Accounts.Account;
import dev.chat.testing.ChatClient;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * What still works while Redis is down (docs/reliability.md), through HAProxy: sockets already open stay open;
 * sends are stored and acked (PostgreSQL is up) and reach recipients on other nodes through the recipient node's
 * 2-second sweep of PostgreSQL, without pub/sub; logins work (user-service needs no Redis). What does not: every
 * chat node reports not ready, so HAProxy has no chat node to offer and answers new socket upgrades and the page
 * with 503 and the JSON error body; presence lookups fail with 503. When Redis is back, everything is as before and
 * nothing was delivered twice.
 */
@ResourceLock(Lanes.SHARED_STACK)
class RedisDownTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private static LocalStack stack() {
        return LocalStack.shared();
    }

    private static URI ws() {
        return URI.create(stack().wsUrl());
    }

    @Test
    void withoutRedisOpenSocketsKeepChattingThroughTheSweepAndNewSocketsAre503() {
        Account alice = Accounts.create(stack(), "alice");
        Account bob = Accounts.create(stack(), "bob");
        ChatClient a = ChatClient.connect(ws(), alice.token());
        Set<String> aliceNodes = ChatThroughProxyTest.nodesOf(alice, alice.name(), 1);
        ChatClient b = ChatThroughProxyTest.connectAvoiding(bob, aliceNodes, 1);
        List<String> during = new ArrayList<>();
        try {
            String before = UUID.randomUUID().toString();
            a.sendMessage(before, bob.name(), "before");
            b.await(frame("msg", before), WAIT);

            stack().stop("redis");
            try {
                awaitServers(false);
                // Sockets already open stay open, and messages still go both ways: stored, acked, and delivered
                // by the recipient's node sweeping PostgreSQL for its users' unacked messages.
                for (int i = 0; i < 3; i++) {
                    String m = UUID.randomUUID().toString();
                    during.add(m);
                    a.sendMessage(m, bob.name(), "while redis is down #" + i);
                    a.await(frame("ack", m), WAIT);
                }
                String back = UUID.randomUUID().toString();
                during.add(back);
                b.sendMessage(back, alice.name(), "and back");
                b.await(frame("ack", back), WAIT);
                for (String m : during.subList(0, 3)) {
                    b.await(frame("msg", m), WAIT);
                }
                a.await(frame("msg", back), WAIT);
                assertTrue(a.isOpen() && b.isOpen(), "open sockets stay open");

                // New sockets: HAProxy has no ready chat node.
                assertEquals(Optional.of(503), ChatClient.refusal(ws(), "Bearer " + alice.token()));
                Response page = given().baseUri(stack().baseUrl()).get("/");
                assertEquals(503, page.statusCode());
                assertEquals("unavailable", page.jsonPath().getString("error"));
                // Presence needs Redis.
                Response presence = given().baseUri(stack().baseUrl()).auth().oauth2(alice.token())
                        .get("/api/presence/" + bob.name());
                assertEquals(503, presence.statusCode(), presence.asString());
                assertTrue(presence.jsonPath().getString("error") != null, "a JSON error body: " + presence.asString());
                // Accounts do not.
                Account carol = Accounts.create(stack(), "carol");
                assertTrue(carol.token().length() > 20);
                given().baseUri(stack().baseUrl()).contentType(ContentType.JSON)
                        .body(Map.of("username", carol.name(), "password", "wrong password")).post("/api/auth/login")
                        .then().statusCode(401);
            } finally {
                stack().start("redis");
            }
            awaitServers(true);

            // Back to normal: a new socket opens, live delivery works, and nothing came twice.
            try (ChatClient again = ChatClient.connect(ws(), alice.token())) {
                // Registered in the presence map (the node does it right after the upgrade) before anyone writes.
                ChatThroughProxyTest.nodesOf(alice, alice.name(), 2);
                String after = UUID.randomUUID().toString();
                b.sendMessage(after, alice.name(), "after");
                again.await(frame("msg", after), WAIT);
                a.await(frame("msg", after), WAIT);
            }
            ChatThroughProxyTest.pause(6000); // longer than the redelivery delay: a stray copy would show now
            for (String m : during.subList(0, 3)) {
                assertEquals(1, b.count(frame("msg", m)), "delivered once: " + m);
            }
            assertEquals(1, a.count(frame("msg", during.get(3))));
            ChatThroughProxyTest.awaitNoUnacked(bob.name());
        } finally {
            a.close();
            b.close();
        }
    }

    /**
     * Until HAProxy sees every chat node UP ({@code up}), or none of them UP (their readiness fails without Redis;
     * two checks of 1 s). The stats URL holds a ';', which must reach HAProxy unencoded.
     */
    private static void awaitServers(boolean up) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        List<String> states = List.of();
        while (Instant.now().isBefore(deadline)) {
            String csv = given().urlEncodingEnabled(false).get(stack().statsUrl() + "/stats;csv").asString();
            states = csv.lines().map(l -> l.split(","))
                    .filter(f -> f.length > 17 && !f[0].startsWith("#") && !f[1].equals("FRONTEND") && !f[1].equals("BACKEND")
                            && (f[0].equals("chat_nodes") || up))
                    .map(f -> f[0] + "/" + f[1] + "=" + f[17]).toList();
            boolean done = !states.isEmpty() && (up ? states.stream().allMatch(x -> x.endsWith("=UP"))
                    : states.stream().noneMatch(x -> x.contains("=UP")));
            if (done) {
                return;
            }
            ChatThroughProxyTest.pause(100);
        }
        throw new AssertionError("HAProxy never saw " + (up ? "every server UP" : "every chat node DOWN") + ": " + states);
    }
}

package dev.chat.system;

import static dev.chat.testing.ChatClient.frame;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

import com.fasterxml.jackson.databind.JsonNode;

import dev.chat.system.Accounts.Account;
import dev.chat.testing.ChatClient;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;

/**
 * Issue 18's features across a node crash, through HAProxy and three chat nodes. HAProxy is made to send every new
 * socket and request to one node (the other two in maintenance); that node accepts one event of each feature (an ack,
 * or a 2xx answer), and is then killed with SIGKILL. Everyone comes back through the other nodes and finds each event
 * once: a delete waiting for its offline recipient (and a retry of it stored once), a one-to-one read mark as
 * {@code seenBy} on the sender's other device, a group's "seen by", the sender's own messages on her other device, the
 * reader's unread counts cleared on his other device, a group's rename, added and removed members and a role, and a
 * message acked just before the crash in search.
 *
 * <p>The live notices ({@code sent}, {@code read}, {@code seen}, {@code group}) are at most once by contract
 * (docs/protocol.md): a device that was offline learns their effect from history, the conversation and group lists,
 * which is what is checked after the crash.
 */
@ResourceLock(Lanes.SHARED_STACK)
class FeaturesAcrossNodeKillTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static LocalStack stack() {
        return LocalStack.shared();
    }

    private static URI ws() {
        return URI.create(stack().wsUrl());
    }

    private static String id(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static RequestSpecification as(Account a) {
        return given().baseUri(stack().baseUrl()).auth().oauth2(a.token());
    }

    private static JsonNode answer(ChatClient c, String id) {
        return c.await(f -> id.equals(f.path("id").asText())
                && ("ack".equals(f.path("type").asText()) || "error".equals(f.path("type").asText())), WAIT);
    }

    private static void acked(ChatClient c, String id) {
        assertEquals("ack", answer(c, id).path("type").asText(), c.frames().toString());
    }

    /** Connects, again while HAProxy may still send an upgrade to the node that just died (it then fails). */
    private static ChatClient connectThroughProxy(Account a) {
        Instant deadline = Instant.now().plus(WAIT);
        while (true) {
            try {
                return ChatClient.connect(ws(), a.token());
            } catch (IllegalStateException e) {
                if (Instant.now().isAfter(deadline)) {
                    throw e;
                }
                ChatThroughProxyTest.pause(200);
            }
        }
    }

    private static void setState(String server, String state) {
        String reply = stack().haproxy("set server chat_nodes/" + server + " state " + state);
        assertEquals("", reply, "HAProxy refused to set " + server + " " + state);
    }

    /** A word no other test writes: ten random lower-case letters. */
    private static String uniqueWord() {
        StringBuilder sb = new StringBuilder("zq");
        for (int i = 0; i < 10; i++) {
            sb.append((char) ('a' + ThreadLocalRandom.current().nextInt(26)));
        }
        return sb.toString();
    }

    @Test
    void eachFeaturesEventAcceptedByANodeThatIsThenKilledReachesEveryoneOnceOnReconnect() {
        Account alice = Accounts.create(stack(), "alice");
        Account bob = Accounts.create(stack(), "bob");
        Account carol = Accounts.create(stack(), "carol");
        Account dave = Accounts.create(stack(), "dave");
        Account erin = Accounts.create(stack(), "erin");
        String group = as(alice).contentType(ContentType.JSON)
                .body(Map.of("name", "crew", "members", List.of(bob.name(), carol.name(), dave.name())))
                .post("/api/groups").then().statusCode(201).extract().path("id");
        String m1 = id("m");
        String mc = id("c");
        String dc = id("d");
        String gm = id("g");
        String ms = id("s");
        String word = uniqueWord();

        int n = 1 + ThreadLocalRandom.current().nextInt(LocalStack.CHAT_NODES);
        String x = "node-" + n;
        List<String> others = new ArrayList<>();
        for (int i = 1; i <= LocalStack.CHAT_NODES; i++) {
            if (i != n) {
                others.add("node-" + i);
            }
        }
        String killed = null;
        boolean steered = false;
        long gseq;
        try {
            // From here until the crash, node x alone takes new sockets and requests.
            others.forEach(o -> setState(o, "maint"));
            steered = true;
            try (ChatClient a1 = ChatClient.connect(ws(), alice.token());
                    ChatClient b1 = ChatClient.connect(ws(), bob.token())) {
                assertEquals(Set.of(x), ChatThroughProxyTest.nodesOf(alice, alice.name(), 1));
                assertEquals(Set.of(x), ChatThroughProxyTest.nodesOf(alice, bob.name(), 1));

                // A one-to-one message, read on bob's first device: a seen receipt, and an unread count cleared.
                a1.sendMessage(m1, bob.name(), "see you at noon");
                acked(a1, m1);
                long ts1 = b1.await(frame("msg", m1), WAIT).path("ts").asLong();
                ChatThroughProxyTest.awaitNoUnacked(bob.name());
                as(bob).contentType(ContentType.JSON).body(Map.of("ts", ts1))
                        .put("/api/conversations/" + alice.name() + "/read").then().statusCode(204);
                a1.await(f -> "seen".equals(f.path("type").asText()) && bob.name().equals(f.path("by").asText()), WAIT);

                // A message and its delete for carol, who is offline.
                a1.sendMessage(mc, carol.name(), "wrong person");
                acked(a1, mc);
                a1.send("{\"type\":\"delete\",\"id\":\"" + dc + "\",\"target\":\"" + mc + "\"}");
                acked(a1, dc);

                // A group message bob reads (its "seen by"), then a rename, a member added, one removed, a role.
                a1.send("{\"type\":\"send\",\"id\":\"" + gm + "\",\"group\":\"" + group + "\",\"body\":\"moved to 3\"}");
                acked(a1, gm);
                b1.await(frame("msg", gm), WAIT);
                JsonPath page = as(bob).get("/api/groups/" + group + "/messages").then().statusCode(200).extract()
                        .jsonPath();
                assertEquals(List.of(gm), page.getList("id"), page.prettify());
                gseq = page.getLong("[0].seq");
                as(bob).contentType(ContentType.JSON).body(Map.of("ts", page.getLong("[0].ts")))
                        .put("/api/groups/" + group + "/read").then().statusCode(204);
                as(alice).contentType(ContentType.JSON).body(Map.of("name", "crew after the crash"))
                        .put("/api/groups/" + group).then().statusCode(204);
                as(alice).contentType(ContentType.JSON).body(Map.of("username", erin.name()))
                        .post("/api/groups/" + group + "/members").then().statusCode(201);
                as(alice).delete("/api/groups/" + group + "/members/" + dave.name()).then().statusCode(204);
                as(alice).contentType(ContentType.JSON).body(Map.of("role", "admin"))
                        .put("/api/groups/" + group + "/members/" + bob.name() + "/role").then().statusCode(204);

                // The last thing before the crash: a message search must find (to erin, who stays offline).
                a1.sendMessage(ms, erin.name(), "the " + word + " is in the fridge");
                acked(a1, ms);

                // HAProxy may use the others again; the node that accepted all of the above dies, and gets nothing
                // more until it is started again.
                others.forEach(o -> setState(o, "ready"));
                steered = false;
                killed = "chat-" + x;
                stack().kill9(killed);
                setState(x, "maint");
            }

            // alice's second device: her own sends, bob's seen receipt, the delete.
            try (ChatClient a2 = connectThroughProxy(alice)) {
                JsonPath withBob = as(alice).get("/api/conversations/" + bob.name() + "/messages").then()
                        .statusCode(200).extract().jsonPath();
                assertEquals(List.of(m1), withBob.getList("id"), withBob.prettify());
                assertEquals(1, withBob.getInt("[0].seenBy"), "bob's read mark reached m1: " + withBob.prettify());
                JsonPath withErin = as(alice).get("/api/conversations/" + erin.name() + "/messages").then()
                        .statusCode(200).extract().jsonPath();
                assertEquals(List.of(ms), withErin.getList("id"), withErin.prettify());
                assertNull(withErin.get("[0].seenBy"), "erin never read it: " + withErin.prettify());
                JsonPath withCarol = as(alice).get("/api/conversations/" + carol.name() + "/messages").then()
                        .statusCode(200).extract().jsonPath();
                assertEquals(List.of(mc), withCarol.getList("id"), withCarol.prettify());
                assertEquals(Boolean.TRUE, withCarol.get("[0].deleted"), withCarol.prettify());
                // A client whose ack died with the node sends the delete again: acked, and stored once.
                a2.send("{\"type\":\"delete\",\"id\":\"" + dc + "\",\"target\":\"" + mc + "\"}");
                acked(a2, dc);
            }
            assertEquals("1", stack().psql("SELECT count(*) FROM messages WHERE sender = '" + alice.name()
                    + "' AND client_id = '" + dc + "'"));

            // carol comes back: the message, its delete and the group message, and nothing is left owed to her.
            try (ChatClient c = connectThroughProxy(carol)) {
                c.await(frame("msg", mc), WAIT);
                JsonNode delete = c.await(frame("delete", dc), WAIT);
                assertEquals(mc, delete.path("target").asText(), delete.toString());
                assertEquals(alice.name(), delete.path("from").asText(), delete.toString());
                c.ack(dc);
                c.await(frame("msg", gm), WAIT);
                ChatThroughProxyTest.awaitNoUnacked(carol.name());
                assertIds(c, "msg", Set.of(mc, gm));
                assertIds(c, "delete", Set.of(dc));
            }
            JsonPath carols = as(carol).get("/api/conversations/" + alice.name() + "/messages").then()
                    .statusCode(200).extract().jsonPath();
            assertEquals(List.of(mc), carols.getList("id"), "shown once, as deleted: " + carols.prettify());
            assertEquals(Boolean.TRUE, carols.get("[0].deleted"), carols.prettify());
            assertEquals("", carols.get("[0].body"), carols.prettify());

            // bob's second device: what he read on the first is read here too; the group as changed.
            try (ChatClient b2 = connectThroughProxy(bob)) {
                List<Map<String, Object>> conversations = as(bob).get("/api/conversations").then().statusCode(200)
                        .extract().jsonPath().getList("$");
                Map<String, Object> withAlice = conversations.stream()
                        .filter(cv -> alice.name().equals(cv.get("with"))).findFirst().orElseThrow();
                assertEquals(0, ((Number) withAlice.get("unread")).intValue(), conversations.toString());
                JsonPath groups = as(bob).get("/api/groups").then().statusCode(200).extract().jsonPath();
                assertEquals(List.of(group), groups.getList("id"), groups.prettify());
                assertEquals(0, groups.getInt("[0].unread"), groups.prettify());
                assertEquals("crew after the crash", groups.getString("[0].name"), groups.prettify());
                assertEquals("admin", groups.getString("[0].role"), groups.prettify());
            }

            // The group: seen by bob (asked by its sender), the changes as every member sees them, and nobody twice.
            JsonPath seen = as(alice).get("/api/groups/" + group + "/messages/" + gseq + "/seen").then().statusCode(200)
                    .extract().jsonPath();
            assertEquals(1, seen.getInt("count"), seen.prettify());
            assertEquals(List.of(bob.name()), seen.getList("names"), seen.prettify());
            JsonPath g = as(erin).get("/api/groups/" + group).then().statusCode(200).extract().jsonPath();
            assertEquals("crew after the crash", g.getString("name"), g.prettify());
            List<String> members = g.getList("members.username");
            assertEquals(Set.of(alice.name(), bob.name(), carol.name(), erin.name()), Set.copyOf(members), g.prettify());
            assertEquals(4, members.size(), "each member once: " + g.prettify());
            assertEquals("admin", g.getString("members.find { it.username == '" + bob.name() + "' }.role"), g.prettify());
            as(dave).get("/api/groups/" + group).then().statusCode(404);
            assertEquals(List.of(), as(dave).get("/api/groups").then().statusCode(200).extract().jsonPath().getList("$"));

            // Search finds the message acked just before the crash, once, for both of its people and nobody else.
            for (Account who : List.of(alice, erin)) {
                JsonPath hits = as(who).queryParam("q", word).get("/api/search").then().statusCode(200).extract()
                        .jsonPath();
                assertEquals(List.of(ms), hits.getList("id"), who.name() + ": " + hits.prettify());
            }
            assertEquals(List.of(), as(bob).queryParam("q", word).get("/api/search").then().statusCode(200)
                    .extract().jsonPath().getList("$"));
        } finally {
            if (steered) {
                others.forEach(o -> setState(o, "ready"));
            }
            if (killed != null) {
                setState(x, "ready");
                stack().start(killed);
            }
        }
        assertTrue(stack().isRunning(killed));
    }

    /** The IDs of the frames of this type {@code c} got are these: redeliveries of them at most, nothing else. */
    private static void assertIds(ChatClient c, String type, Set<String> ids) {
        assertEquals(ids, c.frames().stream().filter(f -> type.equals(f.path("type").asText()))
                .map(f -> f.path("id").asText()).collect(java.util.stream.Collectors.toSet()), c.frames().toString());
    }
}

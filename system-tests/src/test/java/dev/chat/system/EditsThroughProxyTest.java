package dev.chat.system;

import static dev.chat.testing.ChatClient.frame;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

import com.fasterxml.jackson.databind.JsonNode;

import dev.chat.system.Accounts.Account;
import dev.chat.testing.ChatClient;
import dev.chat.testing.Poll;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/**
 * Edits, deletes, devices in sync and seen receipts (issue 18), through HAProxy and three chat nodes: a change is an
 * event with its own ID, acked once stored, delivered live to every socket of the other party and to the changer's
 * other sockets, learnt on reconnect by a client that was offline, and shown by history.
 */
@ResourceLock(Lanes.SHARED_STACK)
class EditsThroughProxyTest {
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

    private static JsonNode answer(ChatClient c, String id) {
        return c.await(f -> id.equals(f.path("id").asText())
                && ("ack".equals(f.path("type").asText()) || "error".equals(f.path("type").asText())), WAIT);
    }

    /** Connects, again while HAProxy may still send an upgrade to a node that just died (it then fails). */
    private static ChatClient connectThroughProxy(Account a) {
        java.time.Instant deadline = java.time.Instant.now().plus(WAIT);
        while (true) {
            try {
                return ChatClient.connect(ws(), a.token(), false);
            } catch (IllegalStateException e) {
                if (java.time.Instant.now().isAfter(deadline)) {
                    throw e;
                }
                ChatThroughProxyTest.pause(200);
            }
        }
    }

    private static void edit(ChatClient c, String id, String target, String body) {
        c.send("{\"type\":\"edit\",\"id\":\"" + id + "\",\"target\":\"" + target + "\",\"body\":\"" + body + "\"}");
    }

    private static void delete(ChatClient c, String id, String target, String targetFrom) {
        c.send("{\"type\":\"delete\",\"id\":\"" + id + "\",\"target\":\"" + target + "\""
                + (targetFrom == null ? "" : ",\"targetFrom\":\"" + targetFrom + "\"") + "}");
    }

    /** A {@code sent} echo of the user's own frame of this type and ID (from another of their sockets). */
    private static Predicate<JsonNode> sent(String type, String id) {
        return f -> "sent".equals(f.path("type").asText()) && frame(type, id).test(f.path("frame"));
    }

    private static JsonPath history(Account reader, String peer) {
        return given().baseUri(stack().baseUrl()).auth().oauth2(reader.token())
                .get("/api/conversations/" + peer + "/messages").then().statusCode(200).extract().jsonPath();
    }

    @Test
    void anEditAndADeleteReachThePeerLiveAndOnReconnectAndHistoryShowsThem() {
        Account alice = Accounts.create(stack(), "alice");
        Account bob = Accounts.create(stack(), "bob");
        String m = id("m");
        String e1 = id("e");
        String d1 = id("d");
        try (ChatClient a1 = ChatClient.connect(ws(), alice.token());
                ChatClient a2 = ChatClient.connect(ws(), alice.token())) {
            try (ChatClient b1 = ChatClient.connect(ws(), bob.token());
                    ChatClient b2 = ChatClient.connect(ws(), bob.token())) {
                // Both of bob's sockets registered (in the presence map) before the send: a socket still registering
                // when the message is routed gets it from its open-time read only while it is owed, and bob's other
                // socket may ack it first (acks are per person; seen once in CI: b2 acked, b1 got nothing).
                ChatThroughProxyTest.nodesOf(alice, bob.name(), 2);
                ChatThroughProxyTest.nodesOf(alice, alice.name(), 2);
                a1.sendMessage(m, bob.name(), "helo");
                assertEquals("ack", answer(a1, m).path("type").asText(), a1.frames().toString());
                // Every device in sync: alice's other socket sees her send live.
                assertEquals("helo", a2.await(sent("msg", m), WAIT).path("frame").path("body").asText());
                for (ChatClient b : List.of(b1, b2)) {
                    try {
                        b.await(frame("msg", m), WAIT);
                    } catch (AssertionError e) {
                        throw new AssertionError(e.getMessage() + "; pending: " + stack().psql("SELECT recipient, client_id"
                                + " FROM pending WHERE recipient = '" + bob.name() + "'") + "; b1 " + b1.frames() + "; b2 "
                                + b2.frames() + "; a1 " + a1.frames() + "\n" + stack().diagnostics(), e);
                    }
                }
                ChatThroughProxyTest.awaitNoUnacked(bob.name());

                edit(a1, e1, m, "hello");
                assertEquals("ack", answer(a1, e1).path("type").asText(), a1.frames().toString());
                for (ChatClient b : List.of(b1, b2)) {
                    JsonNode change = b.await(frame("edit", e1), WAIT);
                    assertEquals(m, change.path("target").asText(), change.toString());
                    assertEquals(alice.name(), change.path("targetFrom").asText(), change.toString());
                    assertEquals(alice.name(), change.path("from").asText(), change.toString());
                    assertEquals("hello", change.path("body").asText(), change.toString());
                }
                a2.await(sent("edit", e1), WAIT);
                // Deduplicated like a message: a retry is acked again and stores nothing more.
                edit(a1, e1, m, "hello");
                a1.awaitCount(f -> e1.equals(f.path("id").asText()) && "ack".equals(f.path("type").asText()), 2, WAIT);
                // The same ID for another change is refused.
                edit(a1, e1, m, "hello!");
                a1.awaitCount(f -> e1.equals(f.path("id").asText()), 3, WAIT);
                assertEquals("id_reused", a1.frames().stream().filter(f -> e1.equals(f.path("id").asText())).toList()
                        .get(2).path("code").asText(), a1.frames().toString());
                b1.ack(e1);
                ChatThroughProxyTest.awaitNoUnacked(bob.name());
                assertEquals("1", stack().psql("SELECT count(*) FROM messages WHERE sender = '" + alice.name()
                        + "' AND kind = 'edit'"));

                // bob may not change alice's message; nobody changes a message they cannot see.
                String x = id("x");
                delete(b1, x, m, alice.name());
                assertEquals("not_allowed", answer(b1, x).path("code").asText(), b1.frames().toString());
                String y = id("y");
                edit(b1, y, "no-such-" + m, "nope");
                assertEquals("unknown_message", answer(b1, y).path("code").asText(), b1.frames().toString());

                // Reading on one device clears the unread count on the others; alice's sockets learn it was seen.
                long ts = b1.await(frame("msg", m), WAIT).path("ts").asLong();
                given().baseUri(stack().baseUrl()).auth().oauth2(bob.token()).contentType(ContentType.JSON)
                        .body(Map.of("ts", ts)).put("/api/conversations/" + alice.name() + "/read")
                        .then().statusCode(204);
                assertEquals(ts, b2.await(f -> "read".equals(f.path("type").asText())
                        && alice.name().equals(f.path("with").asText()), WAIT).path("ts").asLong());
                for (ChatClient a : List.of(a1, a2)) {
                    assertEquals(ts, a.await(f -> "seen".equals(f.path("type").asText())
                            && bob.name().equals(f.path("by").asText()), WAIT).path("ts").asLong());
                }
            }
            // bob is offline: the delete waits for him.
            delete(a1, d1, m, null);
            assertEquals("ack", answer(a1, d1).path("type").asText(), a1.frames().toString());
            a2.await(sent("delete", d1), WAIT);
            String z = id("z");
            edit(a1, z, m, "too late");
            assertEquals("message_deleted", answer(a1, z).path("code").asText(), a1.frames().toString());
        }
        try (ChatClient b = ChatClient.connect(ws(), bob.token())) {
            JsonNode change = b.await(frame("delete", d1), WAIT);
            assertEquals(m, change.path("target").asText(), change.toString());
            assertTrue(change.path("body").isMissingNode(), change.toString());
            b.ack(d1);
        }
        ChatThroughProxyTest.awaitNoUnacked(bob.name());
        JsonPath h = history(bob, alice.name());
        assertEquals(List.of(m), h.getList("id"), "history lists the message once and never the changes: " + h.prettify());
        assertEquals(Boolean.TRUE, h.get("[0].deleted"), h.prettify());
        assertEquals("", h.get("[0].body"), h.prettify());
    }

    @Test
    void anEditAcceptedByANodeThatIsThenKilledReachesThePeerOnReconnect() {
        Account alice = Accounts.create(stack(), "alice");
        Account bob = Accounts.create(stack(), "bob");
        String m = id("m");
        String e1 = id("e");
        String killed = null;
        try {
            try (ChatClient a = ChatClient.connect(ws(), alice.token())) {
                a.sendMessage(m, bob.name(), "before the crash");
                assertEquals("ack", answer(a, m).path("type").asText(), a.frames().toString());
                edit(a, e1, m, "after the crash");
                assertEquals("ack", answer(a, e1).path("type").asText(), a.frames().toString());
                // The node that accepted (and acked) the edit dies; bob was offline all along.
                killed = "chat-" + ChatThroughProxyTest.nodesOf(alice, alice.name(), 1).iterator().next();
                stack().kill9(killed);
            }
            try (ChatClient b = connectThroughProxy(bob)) {
                b.await(frame("msg", m), WAIT);
                JsonNode change = b.await(frame("edit", e1), WAIT);
                assertEquals("after the crash", change.path("body").asText(), change.toString());
                b.ack(m);
                b.ack(e1);
            }
            ChatThroughProxyTest.awaitNoUnacked(bob.name());
        } finally {
            if (killed != null) {
                stack().start(killed);
            }
        }
        assertTrue(stack().isRunning(killed));
    }

    @Test
    void groupChangesReachEveryMemberLive() {
        Account owner = Accounts.create(stack(), "owner");
        Account alice = Accounts.create(stack(), "alice");
        Account carol = Accounts.create(stack(), "carol");
        Account dave = Accounts.create(stack(), "dave");
        try (ChatClient o = ChatClient.connect(ws(), owner.token());
                ChatClient a = ChatClient.connect(ws(), alice.token());
                ChatClient c = ChatClient.connect(ws(), carol.token())) {
            ChatThroughProxyTest.nodesOf(owner, alice.name(), 1);
            ChatThroughProxyTest.nodesOf(owner, carol.name(), 1);
            String group = given().baseUri(stack().baseUrl()).auth().oauth2(owner.token()).contentType(ContentType.JSON)
                    .body(Map.of("name", "live", "members", List.of(alice.name())))
                    .post("/api/groups").then().statusCode(201).extract().path("id");
            Predicate<JsonNode> created = f -> "group".equals(f.path("type").asText())
                    && group.equals(f.path("group").asText()) && "created".equals(f.path("change").asText());
            assertEquals("live", a.await(created, WAIT).path("name").asText());
            given().baseUri(stack().baseUrl()).auth().oauth2(owner.token()).contentType(ContentType.JSON)
                    .body(Map.of("username", carol.name())).post("/api/groups/" + group + "/members")
                    .then().statusCode(201);
            for (ChatClient x : List.of(o, a, c)) {
                assertEquals(carol.name(), x.await(change(group, "added"), WAIT).path("user").asText());
            }
            given().baseUri(stack().baseUrl()).auth().oauth2(owner.token()).contentType(ContentType.JSON)
                    .body(Map.of("name", "live again")).put("/api/groups/" + group).then().statusCode(204);
            assertEquals("live again", a.await(change(group, "renamed"), WAIT).path("name").asText());
            // A role, and someone joining by the invite code: every member hears of both.
            given().baseUri(stack().baseUrl()).auth().oauth2(owner.token()).contentType(ContentType.JSON)
                    .body(Map.of("role", "admin")).put("/api/groups/" + group + "/members/" + alice.name() + "/role")
                    .then().statusCode(204);
            for (ChatClient x : List.of(o, a, c)) {
                JsonNode role = x.await(change(group, "role"), WAIT);
                assertEquals(alice.name(), role.path("user").asText(), role.toString());
                assertEquals("admin", role.path("role").asText(), role.toString());
            }
            String code = given().baseUri(stack().baseUrl()).auth().oauth2(owner.token())
                    .post("/api/groups/" + group + "/invite").then().statusCode(200).extract().path("code");
            given().baseUri(stack().baseUrl()).auth().oauth2(dave.token()).contentType(ContentType.JSON)
                    .body(Map.of("code", code)).post("/api/groups/join").then().statusCode(200);
            for (ChatClient x : List.of(o, a, c)) {
                assertEquals(dave.name(), x.await(change(group, "joined"), WAIT).path("user").asText());
            }
            given().baseUri(stack().baseUrl()).auth().oauth2(owner.token())
                    .delete("/api/groups/" + group + "/members/" + carol.name()).then().statusCode(204);
            // The removed member learns it too, and the others.
            for (ChatClient x : List.of(a, c)) {
                JsonNode removed = x.await(change(group, "removed"), WAIT);
                assertEquals(carol.name(), removed.path("user").asText(), removed.toString());
                assertEquals(owner.name(), removed.path("by").asText(), removed.toString());
            }
            given().baseUri(stack().baseUrl()).auth().oauth2(alice.token())
                    .delete("/api/groups/" + group + "/members/" + alice.name()).then().statusCode(204);
            assertEquals(alice.name(), o.await(change(group, "left"), WAIT).path("user").asText());
        }
    }

    @Test
    void aMemberWhoJoinedAfterAMessageIsNeverCountedAsHavingSeenIt() {
        Account owner = Accounts.create(stack(), "owner");
        Account late = Accounts.create(stack(), "late");
        String group = given().baseUri(stack().baseUrl()).auth().oauth2(owner.token()).contentType(ContentType.JSON)
                .body(Map.of("name", "seen", "members", List.of())).post("/api/groups").then().statusCode(201).extract()
                .path("id");
        String before = id("b");
        String after = id("a");
        try (ChatClient o = ChatClient.connect(ws(), owner.token())) {
            o.send("{\"type\":\"send\",\"id\":\"" + before + "\",\"group\":\"" + group + "\",\"body\":\"before\"}");
            assertEquals("ack", answer(o, before).path("type").asText(), o.frames().toString());
            given().baseUri(stack().baseUrl()).auth().oauth2(owner.token()).contentType(ContentType.JSON)
                    .body(Map.of("username", late.name())).post("/api/groups/" + group + "/members").then().statusCode(201);
            o.send("{\"type\":\"send\",\"id\":\"" + after + "\",\"group\":\"" + group + "\",\"body\":\"after\"}");
            assertEquals("ack", answer(o, after).path("type").asText(), o.frames().toString());
        }
        // The late member sees only the message after their joining, and reads it.
        JsonPath theirs = given().baseUri(stack().baseUrl()).auth().oauth2(late.token())
                .get("/api/groups/" + group + "/messages").then().statusCode(200).extract().jsonPath();
        assertEquals(List.of(after), theirs.getList("id"), theirs.prettify());
        given().baseUri(stack().baseUrl()).auth().oauth2(late.token()).contentType(ContentType.JSON)
                .body(Map.of("ts", theirs.getLong("[0].ts"))).put("/api/groups/" + group + "/read").then().statusCode(204);
        // Their read mark is past the first message too, but they never saw it: "seen by" counts them on the second only.
        JsonPath mine = given().baseUri(stack().baseUrl()).auth().oauth2(owner.token())
                .get("/api/groups/" + group + "/messages").then().statusCode(200).extract().jsonPath();
        assertEquals(List.of(after, before), mine.getList("id"), mine.prettify());
        assertEquals(1, mine.getInt("[0].seenBy"), mine.prettify());
        assertEquals(0, mine.getInt("[1].seenBy"), "nobody could see the first: " + mine.prettify());
        for (int i = 0; i < 2; i++) {
            JsonPath seen = given().baseUri(stack().baseUrl()).auth().oauth2(owner.token())
                    .get("/api/groups/" + group + "/messages/" + mine.getLong("[" + i + "].seq") + "/seen")
                    .then().statusCode(200).extract().jsonPath();
            assertEquals(i == 0 ? List.of(late.name()) : List.of(), seen.getList("names"), seen.prettify());
            assertEquals(i == 0 ? 1 : 0, seen.getInt("count"), seen.prettify());
        }
    }

    private static Predicate<JsonNode> change(String group, String change) {
        return f -> "group".equals(f.path("type").asText()) && group.equals(f.path("group").asText())
                && change.equals(f.path("change").asText());
    }

    @Test
    void groupMembersGetEditsAndAnAdminDeletesAnyMessage() {
        Account owner = Accounts.create(stack(), "owner");
        Account alice = Accounts.create(stack(), "alice");
        Account bob = Accounts.create(stack(), "bob");
        String group = given().baseUri(stack().baseUrl()).auth().oauth2(owner.token()).contentType(ContentType.JSON)
                .body(Map.of("name", "edits", "members", List.of(alice.name(), bob.name())))
                .post("/api/groups").then().statusCode(201).extract().path("id");
        String m = id("g");
        String e1 = id("e");
        String d1 = id("d");
        try (ChatClient o = ChatClient.connect(ws(), owner.token());
                ChatClient a = ChatClient.connect(ws(), alice.token());
                ChatClient b = ChatClient.connect(ws(), bob.token())) {
            a.send("{\"type\":\"send\",\"id\":\"" + m + "\",\"group\":\"" + group + "\",\"body\":\"frist\"}");
            assertEquals("ack", answer(a, m).path("type").asText(), a.frames().toString());
            o.await(frame("msg", m), WAIT);
            b.await(frame("msg", m), WAIT);
            edit(a, e1, m, "first");
            assertEquals("ack", answer(a, e1).path("type").asText(), a.frames().toString());
            for (ChatClient c : List.of(o, b)) {
                JsonNode change = c.await(frame("edit", e1), WAIT);
                assertEquals(group, change.path("group").asText(), change.toString());
                assertEquals("first", change.path("body").asText(), change.toString());
                c.ack(e1);
            }
            // A member deletes no one else's message; the owner deletes anyone's.
            String x = id("x");
            delete(b, x, m, alice.name());
            assertEquals("not_allowed", answer(b, x).path("code").asText(), b.frames().toString());
            JsonPath page = given().baseUri(stack().baseUrl()).auth().oauth2(bob.token())
                    .get("/api/groups/" + group + "/messages").then().statusCode(200).extract().jsonPath();
            assertEquals("first", page.get("[0].body"), page.prettify());
            assertEquals(Boolean.TRUE, page.get("[0].edited"), page.prettify());
            // Seen by: bob reads the group; alice asks who has read her message.
            long ts = page.getLong("[0].ts");
            given().baseUri(stack().baseUrl()).auth().oauth2(bob.token()).contentType(ContentType.JSON)
                    .body(Map.of("ts", ts)).put("/api/groups/" + group + "/read").then().statusCode(204);
            b.await(f -> "read".equals(f.path("type").asText()) && group.equals(f.path("group").asText()), WAIT);
            JsonPath seen = given().baseUri(stack().baseUrl()).auth().oauth2(alice.token())
                    .get("/api/groups/" + group + "/messages/" + page.getLong("[0].seq") + "/seen")
                    .then().statusCode(200).extract().jsonPath();
            assertEquals(1, seen.getInt("count"), seen.prettify());
            assertEquals(List.of(bob.name()), seen.getList("names"), seen.prettify());
            JsonPath mine = given().baseUri(stack().baseUrl()).auth().oauth2(alice.token())
                    .get("/api/groups/" + group + "/messages").then().statusCode(200).extract().jsonPath();
            assertEquals(1, mine.getInt("[0].seenBy"), mine.prettify());
            delete(o, d1, m, alice.name());
            assertEquals("ack", answer(o, d1).path("type").asText(), o.frames().toString());
            for (ChatClient c : List.of(a, b)) {
                assertEquals(alice.name(), c.await(frame("delete", d1), WAIT).path("targetFrom").asText());
                c.ack(d1);
            }
        }
        JsonPath page = given().baseUri(stack().baseUrl()).auth().oauth2(bob.token())
                .get("/api/groups/" + group + "/messages").then().statusCode(200).extract().jsonPath();
        assertEquals(List.of(m), page.getList("id"), page.prettify());
        assertEquals(Boolean.TRUE, page.get("[0].deleted"), page.prettify());
        assertEquals(Boolean.TRUE, page.get("[0].deleted"), page.prettify());
        // Acks are recorded in the background after the frame is read (ChatSocket.ack), and the last ones were sent
        // just before the sockets closed: watched until recorded, as awaitNoUnacked does for one-to-one (pending
        // holds no group rows; asserting at once failed once in CI under two lanes: "expected: <0> but was: <1>").
        Poll.until(WAIT, () -> stack().psql("SELECT count(*) FROM group_inbox i JOIN messages m ON m.seq = i.seq WHERE"
                + " m.client_id IN ('" + e1 + "', '" + d1 + "') AND i.acked_at IS NULL"), "0"::equals,
                n -> n + " acks of the edit and the delete still unrecorded");
    }
}

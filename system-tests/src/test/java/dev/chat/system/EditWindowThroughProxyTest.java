package dev.chat.system;

import static dev.chat.testing.ChatClient.frame;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

import com.fasterxml.jackson.databind.JsonNode;

import dev.chat.system.Accounts.Account;
import dev.chat.testing.ChatClient;
import dev.chat.testing.Poll;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/**
 * The edit window as the operator sets it (issue 18: "a window the operator configures"), through HAProxy and three
 * chat nodes of a stack of this class's own, started with {@code CHAT_CHANGES_WINDOW} (the environment, as any
 * setting of the services is given). Inside the window a person's edit is acked and reaches the other side live;
 * once the window has passed (a bounded wait on the clock, from the message's own {@code ts}) their edit and delete
 * are answered with the documented {@code edit_window_closed} error frame and change nothing (no row stored, nothing
 * delivered, history as before); a group's owner and an admin still delete other people's messages, live to the
 * members and in history.
 */
@ResourceLock(Lanes.SHARED_STACK)
class EditWindowThroughProxyTest {
    /** Long enough for the edit inside it on a busy machine, short enough to wait out. */
    private static final Duration WINDOW = Duration.ofSeconds(20);
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static LocalStack stack;

    @BeforeAll
    static void up() {
        stack = LocalStack.start(Map.of("CHAT_CHANGES_WINDOW", WINDOW.toSeconds() + "s"));
    }

    @AfterAll
    static void down() {
        if (stack != null) {
            stack.close();
        }
    }

    private static String id(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static ChatClient connect(Account a) {
        return ChatClient.connect(URI.create(stack.wsUrl()), a.token());
    }

    /** The ack or error frame answering the frame of this ID. */
    private static JsonNode answer(ChatClient c, String id) {
        return c.await(f -> id.equals(f.path("id").asText())
                && ("ack".equals(f.path("type").asText()) || "error".equals(f.path("type").asText())), WAIT);
    }

    private static JsonNode send(ChatClient c, String frame, String id) {
        c.send(frame);
        return answer(c, id);
    }

    private static JsonNode edit(ChatClient c, String id, String target, String body) {
        return send(c, "{\"type\":\"edit\",\"id\":\"" + id + "\",\"target\":\"" + target + "\",\"body\":\"" + body
                + "\"}", id);
    }

    private static JsonNode delete(ChatClient c, String id, String target, String targetFrom) {
        return send(c, "{\"type\":\"delete\",\"id\":\"" + id + "\",\"target\":\"" + target + "\",\"targetFrom\":\""
                + targetFrom + "\"}", id);
    }

    /** Waits until {@code user} has {@code sockets} sockets in the presence map: a live frame then reaches them. */
    private static void registered(Account asker, Account user, int sockets) {
        Instant deadline = Instant.now().plus(WAIT);
        Poll.until(WAIT, () -> PresenceAsk.of(stack.baseUrl(), asker.token(), user.name(), deadline).getInt("sockets"),
                n -> n == sockets, n -> user.name() + " has " + n + " sockets, not " + sockets);
    }

    private static void assertRefusedAsClosed(JsonNode answer, String id) {
        assertEquals("error", answer.path("type").asText(), answer.toString());
        assertEquals("edit_window_closed", answer.path("code").asText(), answer.toString());
        assertEquals(id, answer.path("id").asText(), answer.toString());
    }

    private static String changeRows(String... senders) {
        return stack.psql("SELECT count(*) FROM messages WHERE kind IS NOT NULL AND sender IN ('"
                + String.join("', '", senders) + "')");
    }

    private static JsonPath history(Account reader, String path) {
        return given().baseUri(stack.baseUrl()).auth().oauth2(reader.token()).get(path).then().statusCode(200)
                .extract().jsonPath();
    }

    /** The history entry of message {@code id}: [body, edited, deleted]. */
    private static List<Object> shown(JsonPath h, String id) {
        Map<String, Object> m = h.getMap("find { it.id == '" + id + "' }");
        assertTrue(m != null, id + " not in history: " + h.prettify());
        return java.util.Arrays.asList(m.get("body"), m.get("edited"), m.get("deleted"));
    }

    @Test
    void ownChangesOnlyInsideTheWindowAndModeratorsDeleteAfterIt() {
        Account alice = Accounts.create(stack, "alice");
        Account bob = Accounts.create(stack, "bob");
        Account owner = Accounts.create(stack, "owner");
        Account admin = Accounts.create(stack, "admin");
        String group = given().baseUri(stack.baseUrl()).auth().oauth2(owner.token()).contentType(ContentType.JSON)
                .body(Map.of("name", "window", "members", List.of(admin.name(), bob.name()))).post("/api/groups")
                .then().statusCode(201).extract().path("id");
        given().baseUri(stack.baseUrl()).auth().oauth2(owner.token()).contentType(ContentType.JSON)
                .body(Map.of("role", "admin")).put("/api/groups/" + group + "/members/" + admin.name() + "/role")
                .then().statusCode(204);
        String m = id("m");
        String g1 = id("g");
        String g2 = id("g");

        try (ChatClient a = connect(alice); ChatClient b = connect(bob); ChatClient o = connect(owner);
                ChatClient ad = connect(admin)) {
            registered(alice, bob, 1);
            registered(bob, alice, 1);
            registered(bob, owner, 1);
            registered(bob, admin, 1);

            // alice to bob, and two of bob's messages to the group; each message's ts starts its window.
            a.sendMessage(m, bob.name(), "see you at 5");
            assertEquals("ack", answer(a, m).path("type").asText(), a.frames().toString());
            long mTs = b.await(frame("msg", m), WAIT).path("ts").asLong();
            for (String g : List.of(g1, g2)) {
                assertEquals("ack", send(b, "{\"type\":\"send\",\"id\":\"" + g + "\",\"group\":\"" + group
                        + "\",\"body\":\"draft " + g + "\"}", g).path("type").asText(), b.frames().toString());
            }
            long gTs = o.await(frame("msg", g2), WAIT).path("ts").asLong();

            // Inside the window: alice's edit is acked and reaches bob live; bob's edit reaches the group live.
            String e1 = id("e");
            assertEquals("ack", edit(a, e1, m, "see you at 6").path("type").asText(), a.frames().toString());
            assertEquals("see you at 6", b.await(frame("edit", e1), WAIT).path("body").asText(), b.frames().toString());
            String e2 = id("e");
            assertEquals("ack", edit(b, e2, g1, "final text").path("type").asText(), b.frames().toString());
            for (ChatClient member : List.of(o, ad)) {
                assertEquals("final text", member.await(frame("edit", e2), WAIT).path("body").asText());
            }
            assertTrue(System.currentTimeMillis() < Math.min(mTs, gTs) + WINDOW.toMillis(),
                    "the edits above were meant to be inside the window; the machine took longer than " + WINDOW);

            // The window passes: wait on the clock (the nodes' clock is this machine's), bounded.
            long closed = Math.max(mTs, gTs) + WINDOW.toMillis() + 1;
            Poll.until(WINDOW.plus(WAIT), System::currentTimeMillis, now -> now > closed,
                    now -> "the clock never passed " + closed);
            String rowsBefore = changeRows(alice.name(), bob.name(), owner.name(), admin.name());

            // After it: their own edit and delete are refused with the documented error frame.
            String late1 = id("late");
            String late2 = id("late");
            String late3 = id("late");
            String late4 = id("late");
            assertRefusedAsClosed(edit(a, late1, m, "see you at 7"), late1);
            assertRefusedAsClosed(delete(a, late2, m, alice.name()), late2);
            assertRefusedAsClosed(edit(b, late3, g1, "later text"), late3);
            assertRefusedAsClosed(delete(b, late4, g2, bob.name()), late4);
            assertEquals(rowsBefore, changeRows(alice.name(), bob.name(), owner.name(), admin.name()),
                    "a refused change stores nothing");

            // The owner and an admin still delete bob's messages, live to the members.
            String d1 = id("d");
            String d2 = id("d");
            assertEquals("ack", delete(ad, d1, g1, bob.name()).path("type").asText(), ad.frames().toString());
            assertEquals("ack", delete(o, d2, g2, bob.name()).path("type").asText(), o.frames().toString());
            for (String d : List.of(d1, d2)) {
                b.await(frame("delete", d), WAIT);
            }
            assertEquals(g2, ad.await(frame("delete", d2), WAIT).path("target").asText());
            assertEquals(g1, o.await(frame("delete", d1), WAIT).path("target").asText());

            // Nothing of the refused changes reached anyone; history shows the edit inside the window only.
            for (ChatClient c : List.of(a, b, o, ad)) {
                for (String late : List.of(late1, late2, late3, late4)) {
                    assertTrue(c.frames().stream().noneMatch(f -> !"error".equals(f.path("type").asText())
                            && (late.equals(f.path("id").asText()) || late.equals(f.path("frame").path("id").asText()))),
                            late + " reached a socket: " + c.frames());
                }
            }
        }
        JsonPath direct = history(bob, "/api/conversations/" + alice.name() + "/messages");
        assertEquals(java.util.Arrays.asList("see you at 6", true, null), shown(direct, m),
                "the edit inside the window, neither the late edit nor the late delete: " + direct.prettify());
        JsonPath inGroup = history(owner, "/api/groups/" + group + "/messages");
        for (String g : List.of(g1, g2)) {
            assertEquals(java.util.Arrays.asList("", null, true), shown(inGroup, g),
                    "bob's messages deleted by the admin and the owner: " + inGroup.prettify());
        }
    }
}

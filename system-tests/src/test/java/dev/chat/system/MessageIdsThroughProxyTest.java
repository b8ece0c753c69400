package dev.chat.system;

import static dev.chat.testing.ChatClient.frame;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
import io.restassured.http.ContentType;

/**
 * Message IDs are chosen by clients, so they collide: through HAProxy and the contract alone, one message's
 * ack never settles another (an ID still pending for a recipient from someone else is refused with
 * {@code id_in_use}), and an ID reused by its sender for other content is refused with {@code id_reused},
 * never acked and dropped.
 */
@ResourceLock(Lanes.SHARED_STACK)
class MessageIdsThroughProxyTest {
    private static final Duration WAIT = Duration.ofSeconds(15);

    private static LocalStack stack() {
        return LocalStack.shared();
    }

    private static URI ws() {
        return URI.create(stack().wsUrl());
    }

    /** A short ID of the kind a client with a counter picks, unique to this run. */
    private static String id(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** The server's answer to send {@code id}: its ack or its error frame. */
    private static JsonNode answer(ChatClient c, String id) {
        return c.await(f -> id.equals(f.path("id").asText())
                && ("ack".equals(f.path("type").asText()) || "error".equals(f.path("type").asText())), WAIT);
    }

    private static Predicate<JsonNode> msg(String id, String from) {
        return f -> frame("msg", id).test(f) && from.equals(f.path("from").asText());
    }

    private static void sendToGroup(ChatClient c, String id, String group, String body) {
        c.send("{\"type\":\"send\",\"id\":\"" + id + "\",\"group\":\"" + group + "\",\"body\":\"" + body + "\"}");
    }

    @Test
    void anIdPendingForARecipientFromSomeoneElseIsRefusedAndFreedByTheAck() {
        Account alice = Accounts.create(stack(), "alice");
        Account carol = Accounts.create(stack(), "carol");
        Account bob = Accounts.create(stack(), "bob");
        String shared = id("m");
        try (ChatClient a = ChatClient.connect(ws(), alice.token());
                ChatClient c = ChatClient.connect(ws(), carol.token())) {
            // bob is offline: both send him a message with the same ID.
            a.sendMessage(shared, bob.name(), "from alice");
            assertEquals("ack", answer(a, shared).path("type").asText(), a.frames().toString());
            c.sendMessage(shared, bob.name(), "from carol");
            JsonNode refused = answer(c, shared);
            assertEquals("error", refused.path("type").asText(),
                    "carol's send was acked although bob's ack of alice's message would settle it too: " + refused);
            assertEquals("id_in_use", refused.path("code").asText(), refused.toString());

            try (ChatClient b = ChatClient.connect(ws(), bob.token())) {
                assertEquals("from alice", b.await(msg(shared, alice.name()), WAIT).path("body").asText());
                assertEquals(bob.name(), a.await(frame("delivered", shared), WAIT).path("to").asText());
                ChatThroughProxyTest.awaitNoUnacked(bob.name());
                // Once bob has alice's message, the ID is free for carol: hers is accepted and reaches him.
                c.sendMessage(shared, bob.name(), "from carol");
                c.awaitCount(f -> shared.equals(f.path("id").asText()), 2, WAIT);
                assertEquals("ack", c.frames().stream().filter(f -> shared.equals(f.path("id").asText()))
                        .toList().get(1).path("type").asText(), c.frames().toString());
                assertEquals("from carol", b.await(msg(shared, carol.name()), WAIT).path("body").asText());
                c.await(frame("delivered", shared), WAIT);
            }
        }
        ChatThroughProxyTest.awaitNoUnacked(bob.name());
        assertEquals("2", stack().psql("SELECT count(*) FROM messages m WHERE client_id = '" + shared
                + "' AND NOT EXISTS (SELECT 1 FROM pending p WHERE p.seq = m.seq)"), "both stored, both acked by bob");
    }

    @Test
    void aGroupMessageAndADirectMessageNeverShareAPendingId() {
        Account owner = Accounts.create(stack(), "owner");
        Account alice = Accounts.create(stack(), "alice");
        Account bob = Accounts.create(stack(), "bob");
        String group = given().baseUri(stack().baseUrl()).auth().oauth2(owner.token()).contentType(ContentType.JSON)
                .body(Map.of("name", "shared ids", "members", List.of(bob.name())))
                .post("/api/groups").then().statusCode(201).extract().path("id");
        String groupFirst = id("g");
        String directFirst = id("d");
        try (ChatClient o = ChatClient.connect(ws(), owner.token());
                ChatClient a = ChatClient.connect(ws(), alice.token())) {
            // A group message pending for bob, then a direct one with its ID: refused.
            sendToGroup(o, groupFirst, group, "to the group");
            assertEquals("ack", answer(o, groupFirst).path("type").asText(), o.frames().toString());
            a.sendMessage(groupFirst, bob.name(), "direct, same id");
            JsonNode refused = answer(a, groupFirst);
            assertEquals("error", refused.path("type").asText(), "acked, then bob's one ack settles both: " + refused);
            assertEquals("id_in_use", refused.path("code").asText(), refused.toString());
            // A direct message pending for bob, then a group message (bob is a member) with its ID: refused.
            a.sendMessage(directFirst, bob.name(), "direct first");
            assertEquals("ack", answer(a, directFirst).path("type").asText(), a.frames().toString());
            sendToGroup(o, directFirst, group, "group, same id");
            refused = answer(o, directFirst);
            assertEquals("error", refused.path("type").asText(), "acked, then bob's one ack settles both: " + refused);
            assertEquals("id_in_use", refused.path("code").asText(), refused.toString());

            try (ChatClient b = ChatClient.connect(ws(), bob.token())) {
                assertEquals("to the group", b.await(msg(groupFirst, owner.name()), WAIT).path("body").asText());
                assertEquals("direct first", b.await(msg(directFirst, alice.name()), WAIT).path("body").asText());
                // The delivered receipt goes to the sender of what bob acked, and to nobody else.
                assertEquals(bob.name(), a.await(frame("delivered", directFirst), WAIT).path("to").asText());
                ChatThroughProxyTest.awaitNoUnacked(bob.name());
                assertEquals(0, a.count(frame("delivered", groupFirst)), "alice never had " + groupFirst + " acked: "
                        + a.frames());
            }
        }
    }

    @Test
    void anIdReusedByItsSenderForOtherContentIsRefusedNeverAckedAndDropped() {
        Account alice = Accounts.create(stack(), "alice");
        Account bob = Accounts.create(stack(), "bob");
        Account carol = Accounts.create(stack(), "carol");
        String r1 = id("r");
        try (ChatClient a = ChatClient.connect(ws(), alice.token())) {
            a.sendMessage(r1, bob.name(), "for bob");
            assertEquals("ack", answer(a, r1).path("type").asText(), a.frames().toString());
            // The same ID to someone else.
            a.sendMessage(r1, carol.name(), "for carol");
            a.awaitCount(f -> r1.equals(f.path("id").asText()), 2, WAIT);
            JsonNode second = a.frames().stream().filter(f -> r1.equals(f.path("id").asText())).toList().get(1);
            assertEquals("error", second.path("type").asText(), "acked, but never stored for carol: " + second);
            assertEquals("id_reused", second.path("code").asText(), second.toString());
            // The same ID and recipient, another body.
            a.sendMessage(r1, bob.name(), "for bob, edited");
            a.awaitCount(f -> r1.equals(f.path("id").asText()), 3, WAIT);
            JsonNode third = a.frames().stream().filter(f -> r1.equals(f.path("id").asText())).toList().get(2);
            assertEquals("id_reused", third.path("code").asText(), "another body under an acked ID: " + third);
            // A true retry (same recipient, same body) is still acked.
            a.sendMessage(r1, bob.name(), "for bob");
            a.awaitCount(f -> r1.equals(f.path("id").asText()), 4, WAIT);
            JsonNode fourth = a.frames().stream().filter(f -> r1.equals(f.path("id").asText())).toList().get(3);
            assertEquals("ack", fourth.path("type").asText(), fourth.toString());
        }
        try (ChatClient b = ChatClient.connect(ws(), bob.token())) {
            assertEquals("for bob", b.await(frame("msg", r1), WAIT).path("body").asText());
        }
        ChatThroughProxyTest.awaitNoUnacked(bob.name());
        assertEquals("0", stack().psql("SELECT count(*) FROM messages WHERE recipient = '" + carol.name() + "'"));
    }
}

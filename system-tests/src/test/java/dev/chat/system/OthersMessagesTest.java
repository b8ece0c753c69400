package dev.chat.system;

import static dev.chat.testing.ChatClient.frame;
import static dev.chat.testing.ChatClient.type;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

import com.fasterxml.jackson.databind.JsonNode;

import dev.chat.system.Accounts.Account;
import dev.chat.testing.ChatClient;
import io.restassured.http.ContentType;

/**
 * A user acking or reading another user's messages, through HAProxy and the contract alone: an ack of someone
 * else's message ID changes nothing (the real recipient still gets it, its sender hears of no delivery) and gets
 * no answer; the history, conversation and group APIs show a user nothing of conversations they are not in;
 * marking someone else's conversation read is impossible; a spoofed {@code from} is ignored.
 */
@ResourceLock(Lanes.SHARED_STACK)
class OthersMessagesTest {
    private static final Duration WAIT = Duration.ofSeconds(15);

    private static LocalStack stack() {
        return LocalStack.shared();
    }

    private static URI ws() {
        return URI.create(stack().wsUrl());
    }

    private static String id() {
        return UUID.randomUUID().toString();
    }

    private static io.restassured.specification.RequestSpecification as(Account a) {
        return given().baseUri(stack().baseUrl()).auth().oauth2(a.token());
    }

    @Test
    void anAckOfSomeoneElsesMessageChangesNothingAndGetsNoAnswer() {
        Account alice = Accounts.create(stack(), "alice");
        Account bob = Accounts.create(stack(), "bob");
        Account mallory = Accounts.create(stack(), "mallory");
        String m = id();
        try (ChatClient a = ChatClient.connect(ws(), alice.token());
                ChatClient x = ChatClient.connect(ws(), mallory.token(), false)) {
            a.sendMessage(m, bob.name(), "for bob only");
            a.await(frame("ack", m), WAIT);
            // Mallory knows (or guesses) the ID and acks it, several times; so does the sender herself.
            for (int i = 0; i < 3; i++) {
                x.ack(m);
            }
            a.ack(m);
            // A frame of her own afterwards: once its ack is back, the acks before it were handled.
            String probe = id();
            x.sendMessage(probe, mallory.name(), "note to self");
            x.await(frame("ack", probe), WAIT);
            ChatThroughProxyTest.pause(500);
            // msg and sent: her note to herself, as its recipient and as the echo of her own send (issue 18).
            assertEquals(List.of("ack"), x.frames().stream()
                    .filter(f -> !List.of("msg", "sent").contains(f.path("type").asText()))
                    .map(f -> f.path("type").asText()).distinct().toList(), "mallory's acks got no answer: " + x.frames());
            assertEquals(0, a.count(frame("delivered", m)), "no delivery was reported to alice: " + a.frames());
            assertEquals(1, Integer.parseInt(stack().psql("SELECT count(*) FROM pending WHERE client_id = '" + m
                    + "'")), "still unacked in the store");

            // Bob comes online: the message is still his, once, and only his ack closes it.
            try (ChatClient b = ChatClient.connect(ws(), bob.token())) {
                JsonNode got = b.await(frame("msg", m), WAIT);
                assertEquals(alice.name(), got.path("from").asText());
                a.await(frame("delivered", m), WAIT);
                assertEquals(bob.name(), a.await(frame("delivered", m), WAIT).path("to").asText());
            }
            ChatThroughProxyTest.awaitNoUnacked(bob.name());
            assertEquals(0, x.count(type("msg")) - x.count(frame("msg", probe)), "mallory received nothing of bob's");
        }
    }

    @Test
    void theHistoryShowsNobodyAConversationTheyAreNotIn() {
        Account alice = Accounts.create(stack(), "alice");
        Account bob = Accounts.create(stack(), "bob");
        Account mallory = Accounts.create(stack(), "mallory");
        String m = id();
        try (ChatClient a = ChatClient.connect(ws(), alice.token())) {
            a.sendMessage(m, bob.name(), "private words");
            a.await(frame("ack", m), WAIT);
        }
        // Bob sees it (so the API works) ...
        List<String> bobs = as(bob).get("/api/conversations/" + alice.name() + "/messages")
                .then().statusCode(200).extract().jsonPath().getList("id", String.class);
        assertEquals(List.of(m), bobs);
        assertEquals(1, unread(bob, alice.name()));
        // ... Mallory sees nothing of it, whichever side she names.
        for (String peer : List.of(alice.name(), bob.name())) {
            assertEquals(List.of(), as(mallory).get("/api/conversations/" + peer + "/messages")
                    .then().statusCode(200).extract().jsonPath().getList("$"), "history with " + peer);
        }
        assertEquals(List.of(), as(mallory).get("/api/conversations").then().statusCode(200).extract().jsonPath()
                .getList("$"));
        // Names that are no username are refused; they never widen the query.
        for (String trick : List.of("' OR '1'='1", "%", "*", alice.name().toUpperCase(java.util.Locale.ROOT))) {
            var r = as(mallory).get("/api/conversations/{peer}/messages", trick).then().extract();
            if (r.statusCode() == 200) {
                assertEquals(List.of(), r.jsonPath().getList("$"), trick);
            } else {
                assertEquals(400, r.statusCode(), trick + " answered " + r.asString());
            }
        }
        // Her read mark is hers: Bob's unread count does not move.
        as(mallory).contentType(ContentType.JSON).body(Map.of("ts", System.currentTimeMillis()))
                .put("/api/conversations/" + alice.name() + "/read").then().statusCode(204);
        as(mallory).contentType(ContentType.JSON).body(Map.of("ts", System.currentTimeMillis()))
                .put("/api/conversations/" + bob.name() + "/read").then().statusCode(204);
        assertEquals(1, unread(bob, alice.name()));
        // Without a token there is no history at all.
        given().baseUri(stack().baseUrl()).get("/api/conversations/" + alice.name() + "/messages").then().statusCode(401);
    }

    /** Bob's unread count in his conversation with {@code peer}. */
    private static int unread(Account who, String peer) {
        List<Map<String, Object>> list = as(who).get("/api/conversations").then().statusCode(200).extract().jsonPath()
                .getList("$");
        for (Map<String, Object> c : list) {
            if (peer.equals(c.get("with"))) {
                return ((Number) c.get("unread")).intValue();
            }
        }
        throw new AssertionError("no conversation with " + peer + " in " + list);
    }

    @Test
    void aGroupIsInvisibleToOutsidersAndTheirAcksChangeNothing() {
        Account owner = Accounts.create(stack(), "owner");
        Account member = Accounts.create(stack(), "member");
        Account mallory = Accounts.create(stack(), "mallory");
        String group = as(owner).contentType(ContentType.JSON)
                .body(Map.of("name", "closed circle", "members", List.of(member.name())))
                .post("/api/groups").then().statusCode(201).extract().path("id");
        String m = id();
        try (ChatClient o = ChatClient.connect(ws(), owner.token());
                ChatClient x = ChatClient.connect(ws(), mallory.token(), false)) {
            o.send("{\"type\":\"send\",\"id\":\"" + m + "\",\"group\":\"" + group + "\",\"body\":\"members only\"}");
            o.await(frame("ack", m), WAIT);
            x.ack(m);
            // She cannot post to it either.
            String intrude = id();
            x.send("{\"type\":\"send\",\"id\":\"" + intrude + "\",\"group\":\"" + group + "\",\"body\":\"let me in\"}");
            assertEquals("not_a_member", x.await(frame("error", intrude), WAIT).path("code").asText());
        }
        as(mallory).get("/api/groups/" + group + "/messages").then().statusCode(404);
        as(mallory).get("/api/groups/" + group).then().statusCode(404);
        assertTrue(as(mallory).get("/api/groups").then().statusCode(200).extract().jsonPath().getList("$").isEmpty());
        try (ChatClient b = ChatClient.connect(ws(), member.token())) {
            assertEquals(owner.name(), b.await(frame("msg", m), WAIT).path("from").asText());
        }
    }

    @Test
    void aSpoofedFromIsIgnored() {
        Account alice = Accounts.create(stack(), "alice");
        Account bob = Accounts.create(stack(), "bob");
        Account mallory = Accounts.create(stack(), "mallory");
        String m = id();
        try (ChatClient b = ChatClient.connect(ws(), bob.token());
                ChatClient x = ChatClient.connect(ws(), mallory.token())) {
            x.send("{\"type\":\"send\",\"id\":\"" + m + "\",\"to\":\"" + bob.name() + "\",\"from\":\"" + alice.name()
                    + "\",\"body\":\"it is me, alice\"}");
            x.await(frame("ack", m), WAIT);
            assertEquals(mallory.name(), b.await(frame("msg", m), WAIT).path("from").asText());
        }
        assertEquals(List.of(), as(bob).get("/api/conversations/" + alice.name() + "/messages")
                .then().statusCode(200).extract().jsonPath().getList("$"), "nothing appears in alice's name");
    }
}

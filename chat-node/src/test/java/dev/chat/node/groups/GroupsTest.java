package dev.chat.node.groups;

import static dev.chat.node.TestAccounts.create;
import static dev.chat.node.TestAccounts.token;
import static dev.chat.testing.ChatClient.frame;
import static dev.chat.testing.ChatClient.type;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.chat.node.TestAccounts;
import dev.chat.testing.ChatClient;
import dev.chat.testing.quarkus.JwtKeysResource;
import dev.chat.testing.quarkus.PostgresResource;
import dev.chat.testing.quarkus.RedisResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** Group conversations on one node: membership rules, delivery to every member once, typing notices. */
@QuarkusTest
@Tag("quarkus")
@WithTestResource(PostgresResource.class)
@WithTestResource(RedisResource.class)
@WithTestResource(JwtKeysResource.class)
class GroupsTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TestHTTPResource("/ws/chat")
    URI http;

    @BeforeAll
    static void accounts() {
        TestAccounts.ensureTable();
    }

    private ChatClient connect(String user) {
        return ChatClient.connect(URI.create(http.toString().replaceFirst("^http", "ws")), token(user));
    }

    private static String newGroup(String owner, String name, List<String> members) {
        return given().auth().oauth2(token(owner)).contentType(ContentType.JSON)
                .body(Map.of("name", name, "members", members)).post("/api/groups")
                .then().statusCode(201).body("role", equalTo("owner")).extract().path("id");
    }

    private static void sendToGroup(ChatClient c, String id, String group, String body) {
        c.send("{\"type\":\"send\",\"id\":\"" + id + "\",\"group\":\"" + group + "\",\"body\":\"" + body + "\"}");
    }

    private static String id() {
        return UUID.randomUUID().toString();
    }

    @Test
    void everyMemberGetsEachGroupMessageOnceAndTheSenderAnAck() {
        String ann = create("ann");
        String ben = create("ben");
        String cat = create("cat");
        String group = newGroup(ann, "Trip", List.of(ben, cat));
        try (ChatClient a = connect(ann); ChatClient b = connect(ben); ChatClient c = connect(cat)) {
            String m = id();
            sendToGroup(a, m, group, "hello all");
            a.await(frame("ack", m), WAIT);
            for (ChatClient member : List.of(b, c)) {
                JsonNode got = member.await(frame("msg", m), WAIT);
                assertEquals(group, got.get("group").asText());
                assertEquals(ann, got.get("from").asText());
                assertFalse(got.has("to"), "a group msg names its group, not a member");
            }
            sendToGroup(a, m, group, "hello all");
            a.awaitCount(frame("ack", m), 2, WAIT);
            String marker = id();
            sendToGroup(b, marker, group, "marker");
            a.await(frame("msg", marker), WAIT);
            c.await(frame("msg", marker), WAIT);
            assertEquals(1, b.count(frame("msg", m)));
            assertEquals(1, c.count(frame("msg", m)));
            assertEquals(0, a.count(frame("msg", m)), "the sender's own message is not pushed back");
        }
        // Everyone acked (the clients ack automatically): nothing left in any inbox.
        given().auth().oauth2(token(cat)).get("/api/groups/" + group + "/messages").then().statusCode(200)
                .body("size()", equalTo(2)).body("[0].group", equalTo(group));
    }

    @Test
    void anOfflineMemberGetsGroupMessagesOnConnect() {
        String ann = create("ann");
        String ben = create("ben");
        String group = newGroup(ann, "Later", List.of(ben));
        List<String> ids = new ArrayList<>();
        try (ChatClient a = connect(ann)) {
            for (int i = 0; i < 3; i++) {
                String m = id();
                ids.add(m);
                sendToGroup(a, m, group, "msg " + i);
                a.await(frame("ack", m), WAIT);
            }
        }
        try (ChatClient b = connect(ben)) {
            for (String m : ids) {
                b.await(frame("msg", m), WAIT);
            }
            assertEquals(ids, b.frames().stream().filter(type("msg")).map(f -> f.get("id").asText()).toList());
        }
    }

    @Test
    void aNonMemberCanNeitherSendNorRead() {
        String ann = create("ann");
        String eve = create("eve");
        String group = newGroup(ann, "Private", List.of());
        try (ChatClient e = connect(eve)) {
            String m = id();
            sendToGroup(e, m, group, "let me in");
            JsonNode err = e.await(frame("error", m), WAIT);
            assertEquals("not_a_member", err.get("code").asText());
            sendToGroup(e, "x1", "999999999", "nope");
            e.await(frame("error", "x1"), WAIT);
            assertTrue(e.isOpen());
        }
        given().auth().oauth2(token(eve)).get("/api/groups/" + group).then().statusCode(404)
                .body("error", equalTo("not_found"));
        given().auth().oauth2(token(eve)).get("/api/groups/" + group + "/messages").then().statusCode(404);
    }

    @Test
    void aRemovedMemberStopsReceivingAndALeavingOwnerHandsOver() {
        String ann = create("ann");
        String ben = create("ben");
        String cat = create("cat");
        String group = newGroup(ann, "Club", List.of(ben, cat));
        try (ChatClient a = connect(ann); ChatClient b = connect(ben); ChatClient c = connect(cat)) {
            given().auth().oauth2(token(ann)).delete("/api/groups/" + group + "/members/" + ben).then().statusCode(204);
            String m = id();
            sendToGroup(a, m, group, "without ben");
            c.await(frame("msg", m), WAIT);
            String err = id();
            sendToGroup(b, err, group, "am I still in?");
            assertEquals("not_a_member", b.await(frame("error", err), WAIT).get("code").asText());
            assertEquals(0, b.count(frame("msg", m)));
        }
        given().auth().oauth2(token(ann)).delete("/api/groups/" + group + "/members/" + ann).then().statusCode(204);
        given().auth().oauth2(token(cat)).get("/api/groups/" + group).then().statusCode(200)
                .body("role", equalTo("owner"));
    }

    @Test
    void rolesDecideWhoManagesMembers() {
        String ann = create("ann");
        String ben = create("ben");
        String cat = create("cat");
        String dan = create("dan");
        String group = newGroup(ann, "Team", List.of(ben));
        // A plain member cannot add, rename or invite.
        given().auth().oauth2(token(ben)).contentType(ContentType.JSON).body(Map.of("username", cat))
                .post("/api/groups/" + group + "/members").then().statusCode(403).body("error", equalTo("forbidden"));
        given().auth().oauth2(token(ben)).contentType(ContentType.JSON).body(Map.of("name", "Mine"))
                .put("/api/groups/" + group).then().statusCode(403);
        given().auth().oauth2(token(ben)).post("/api/groups/" + group + "/invite").then().statusCode(403);
        // The owner makes ben an admin; ben adds cat and renames; ben cannot remove the owner.
        given().auth().oauth2(token(ann)).contentType(ContentType.JSON).body(Map.of("role", "admin"))
                .put("/api/groups/" + group + "/members/" + ben + "/role").then().statusCode(204);
        given().auth().oauth2(token(ben)).contentType(ContentType.JSON).body(Map.of("username", cat))
                .post("/api/groups/" + group + "/members").then().statusCode(201);
        given().auth().oauth2(token(ben)).contentType(ContentType.JSON).body(Map.of("username", cat))
                .post("/api/groups/" + group + "/members").then().statusCode(409);
        given().auth().oauth2(token(ben)).contentType(ContentType.JSON).body(Map.of("name", "Renamed"))
                .put("/api/groups/" + group).then().statusCode(204);
        given().auth().oauth2(token(ben)).delete("/api/groups/" + group + "/members/" + ann).then().statusCode(403);
        // An invite link lets dan join.
        String code = given().auth().oauth2(token(ben)).post("/api/groups/" + group + "/invite").then().statusCode(200)
                .extract().path("code");
        given().auth().oauth2(token(dan)).contentType(ContentType.JSON).body(Map.of("code", code))
                .post("/api/groups/join").then().statusCode(200).body("name", equalTo("Renamed"))
                .body("members.username", hasItems(ann, ben, cat, dan));
        given().auth().oauth2(token(dan)).contentType(ContentType.JSON).body(Map.of("code", "not-a-code"))
                .post("/api/groups/join").then().statusCode(404);
        given().auth().oauth2(token(ann)).contentType(ContentType.JSON).body(Map.of("name", "x", "members", List.of("nobody_here")))
                .post("/api/groups").then().statusCode(400).body("error", equalTo("unknown_users"));
    }

    @Test
    void aRemovedMemberCannotComeBackByCodeAndCodesRunOut() {
        String ann = create("ann");
        String max = create("max");
        String dan = create("dan");
        String eve = create("eve");
        String group = newGroup(ann, "Closed", List.of(max));
        String old = given().auth().oauth2(token(ann)).post("/api/groups/" + group + "/invite").then().statusCode(200)
                .extract().path("code");
        given().auth().oauth2(token(ann)).delete("/api/groups/" + group + "/members/" + max).then().statusCode(204);
        given().auth().oauth2(token(max)).contentType(ContentType.JSON).body(Map.of("code", old))
                .post("/api/groups/join").then().statusCode(404);
        String one = given().auth().oauth2(token(ann)).contentType(ContentType.JSON).body(Map.of("maxUses", 1))
                .post("/api/groups/" + group + "/invite").then().statusCode(200).body("maxUses", equalTo(1))
                .extract().path("code");
        given().auth().oauth2(token(max)).contentType(ContentType.JSON).body(Map.of("code", one))
                .post("/api/groups/join").then().statusCode(403).body("error", equalTo("removed_member"));
        given().auth().oauth2(token(dan)).contentType(ContentType.JSON).body(Map.of("code", one))
                .post("/api/groups/join").then().statusCode(200);
        given().auth().oauth2(token(eve)).contentType(ContentType.JSON).body(Map.of("code", one))
                .post("/api/groups/join").then().statusCode(410).body("error", equalTo("invite_expired"));
        // Added back by the owner, the bar is lifted; leaving on one's own bars nothing.
        given().auth().oauth2(token(ann)).contentType(ContentType.JSON).body(Map.of("username", max))
                .post("/api/groups/" + group + "/members").then().statusCode(201);
        given().auth().oauth2(token(max)).delete("/api/groups/" + group + "/members/" + max).then().statusCode(204);
        String next = given().auth().oauth2(token(ann)).post("/api/groups/" + group + "/invite").then().statusCode(200)
                .extract().path("code");
        given().auth().oauth2(token(max)).contentType(ContentType.JSON).body(Map.of("code", next))
                .post("/api/groups/join").then().statusCode(200);
    }

    /**
     * Consent (issue 19): past {@code chat.groups.max-size-without-consent} (20) members, an owner or admin adds
     * only people who have sent them a direct message; anyone else is refused with 403 {@code not_a_contact} and
     * joins by the group's invite code instead. So nobody can put thousands of strangers in a group.
     */
    @Test
    void aLargeGroupTakesOnlyPeopleWhoWroteToTheAdderOthersJoinByCode() {
        String dan = create("dan");
        List<String> strangers = new java.util.ArrayList<>();
        for (int i = 0; i < 21; i++) {
            strangers.add(create("str" + i));
        }
        // 21 members with the creator: refused, naming the strangers.
        given().auth().oauth2(token(dan)).contentType(ContentType.JSON)
                .body(Map.of("name", "Crowd", "members", strangers.subList(0, 20))).post("/api/groups")
                .then().statusCode(403).body("error", equalTo("not_a_contact"));
        // 20 with the creator: allowed, strangers or not.
        String group = newGroup(dan, "Club", strangers.subList(0, 19));
        String late = strangers.get(19);
        given().auth().oauth2(token(dan)).contentType(ContentType.JSON).body(Map.of("username", late))
                .post("/api/groups/" + group + "/members").then().statusCode(403).body("error", equalTo("not_a_contact"));
        // Once they have written to dan, dan may add them.
        try (ChatClient l = connect(late)) {
            String m = id();
            l.sendMessage(m, dan, "hi dan");
            l.await(frame("ack", m), WAIT);
        }
        given().auth().oauth2(token(dan)).contentType(ContentType.JSON).body(Map.of("username", late))
                .post("/api/groups/" + group + "/members").then().statusCode(201);
        // A stranger comes in by the code, of their own accord.
        String code = given().auth().oauth2(token(dan)).post("/api/groups/" + group + "/invite").then().statusCode(200)
                .extract().path("code");
        given().auth().oauth2(token(strangers.get(20))).contentType(ContentType.JSON).body(Map.of("code", code))
                .post("/api/groups/join").then().statusCode(200);
    }

    /**
     * Consent (issue 19): someone who left a group cannot be put back by others, only come back themselves, by a
     * code; once back, they can be removed and re-added as any member.
     */
    @Test
    void someoneWhoLeftCannotBeAddedBackByOthersOnlyComeBackThemselves() {
        String ann = create("ann");
        String max = create("max");
        String group = newGroup(ann, "Consent", List.of(max));
        given().auth().oauth2(token(max)).delete("/api/groups/" + group + "/members/" + max).then().statusCode(204);
        given().auth().oauth2(token(ann)).contentType(ContentType.JSON).body(Map.of("username", max))
                .post("/api/groups/" + group + "/members").then().statusCode(403).body("error", equalTo("left_group"));
        String code = given().auth().oauth2(token(ann)).post("/api/groups/" + group + "/invite").then().statusCode(200)
                .extract().path("code");
        given().auth().oauth2(token(max)).contentType(ContentType.JSON).body(Map.of("code", code))
                .post("/api/groups/join").then().statusCode(200);
        given().auth().oauth2(token(ann)).delete("/api/groups/" + group + "/members/" + max).then().statusCode(204);
        given().auth().oauth2(token(ann)).contentType(ContentType.JSON).body(Map.of("username", max))
                .post("/api/groups/" + group + "/members").then().statusCode(201);
    }

    @Test
    void aMemberAddedLaterSeesHistoryFromTheMomentTheyJoined() {
        String ann = create("ann");
        String ben = create("ben");
        String group = newGroup(ann, "History", List.of());
        String before = id();
        String after = id();
        try (ChatClient a = connect(ann)) {
            sendToGroup(a, before, group, "before ben");
            a.await(frame("ack", before), WAIT);
            given().auth().oauth2(token(ann)).contentType(ContentType.JSON).body(Map.of("username", ben))
                    .post("/api/groups/" + group + "/members").then().statusCode(201);
            sendToGroup(a, after, group, "after ben");
            a.await(frame("ack", after), WAIT);
        }
        try (ChatClient b = connect(ben)) {
            b.await(frame("msg", after), WAIT);
            assertEquals(0, b.count(frame("msg", before)));
        }
        given().auth().oauth2(token(ben)).get("/api/groups/" + group + "/messages").then().statusCode(200)
                .body("id", equalTo(List.of(after)));
        given().auth().oauth2(token(ben)).get("/api/groups").then().statusCode(200)
                .body("find { it.id == '" + group + "' }.unread", equalTo(1))
                .body("find { it.id == '" + group + "' }.members", equalTo(2));
    }

    @Test
    void typingNoticesReachTheOthersAndAreRateLimited() {
        String ann = create("ann");
        String ben = create("ben");
        String cat = create("cat");
        String group = newGroup(ann, "Typing", List.of(ben, cat));
        try (ChatClient a = connect(ann); ChatClient b = connect(ben); ChatClient c = connect(cat)) {
            for (int i = 0; i < 5; i++) {
                a.send("{\"type\":\"typing\",\"group\":\"" + group + "\"}");
            }
            JsonNode t = b.await(type("typing"), WAIT);
            assertEquals(ann, t.get("from").asText());
            assertEquals(group, t.get("group").asText());
            c.await(type("typing"), WAIT);
            a.send("{\"type\":\"typing\",\"to\":\"" + ben + "\"}");
            // A marker message proves the burst's notices have all arrived before counting.
            String marker = id();
            sendToGroup(a, marker, group, "done typing");
            b.await(frame("msg", marker), WAIT);
            assertEquals(1, b.count(type("typing")), "five notices within a second became one: " + b.frames());
            assertEquals(0, a.count(type("typing")), "nobody is told about their own typing");
        }
    }
}

package dev.chat.system;

import static dev.chat.testing.ChatClient.frame;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

import dev.chat.system.Accounts.Account;
import dev.chat.testing.ChatClient;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

/**
 * Invite codes through HAProxy: removing a member revokes the code and bars them from rejoining by any code
 * (only an owner or admin can add them back); codes expire and run out of uses.
 */
@ResourceLock(Lanes.SHARED_STACK)
class GroupInvitesThroughProxyTest {
    private static final Duration WAIT = Duration.ofSeconds(15);

    private static LocalStack stack() {
        return LocalStack.shared();
    }

    private static RequestSpecification as(Account a) {
        return given().baseUri(stack().baseUrl()).auth().oauth2(a.token()).contentType(ContentType.JSON);
    }

    private static String newGroup(Account owner, List<Account> members) {
        return as(owner).body(Map.of("name", "invites", "members", members.stream().map(Account::name).toList()))
                .post("/api/groups").then().statusCode(201).extract().path("id");
    }

    private static String invite(Account by, String group) {
        return as(by).post("/api/groups/" + group + "/invite").then().statusCode(200).extract().path("code");
    }

    private static io.restassured.response.Response join(Account who, String code) {
        return as(who).body(Map.of("code", code)).post("/api/groups/join");
    }

    @Test
    void aRemovedMemberCannotRejoinWithTheOldCodeNorAnyCode() {
        Account owner = Accounts.create(stack(), "owner");
        Account mallory = Accounts.create(stack(), "mallory");
        Account carol = Accounts.create(stack(), "carol");
        String group = newGroup(owner, List.of(mallory));
        String oldCode = invite(owner, group);

        as(owner).delete("/api/groups/" + group + "/members/" + mallory.name()).then().statusCode(204);
        var rejoin = join(mallory, oldCode);
        assertEquals(404, rejoin.statusCode(), "the code made before her removal let her back in: " + rejoin.asString());
        // The removal revoked the code for everyone, not only for her.
        assertEquals(404, join(carol, oldCode).statusCode());

        // A new code works for others, not for her.
        String newCode = invite(owner, group);
        join(carol, newCode).then().statusCode(200);
        join(mallory, newCode).then().statusCode(403).body("error", org.hamcrest.Matchers.equalTo("removed_member"));
        as(mallory).get("/api/groups/" + group + "/messages").then().statusCode(404);

        // She reads nothing new; only an owner or admin can add her back.
        String m = "after-" + UUID.randomUUID();
        try (ChatClient o = ChatClient.connect(URI.create(stack().wsUrl()), owner.token())) {
            o.send("{\"type\":\"send\",\"id\":\"" + m + "\",\"group\":\"" + group + "\",\"body\":\"not for her\"}");
            o.await(frame("ack", m), WAIT);
        }
        assertEquals(0, as(mallory).get("/api/groups").then().statusCode(200).extract().jsonPath().getList("$").size());
        as(owner).body(Map.of("username", mallory.name())).post("/api/groups/" + group + "/members").then()
                .statusCode(201);
        as(mallory).get("/api/groups/" + group).then().statusCode(200);
    }

    @Test
    void aCodeRunsOutOfUsesAndExpires() {
        Account owner = Accounts.create(stack(), "owner");
        Account first = Accounts.create(stack(), "first");
        Account second = Accounts.create(stack(), "second");
        Account third = Accounts.create(stack(), "third");
        String group = newGroup(owner, List.of());

        var made = as(owner).body(Map.of("maxUses", 1)).post("/api/groups/" + group + "/invite").then().statusCode(200)
                .extract().jsonPath();
        assertEquals(1, made.getInt("maxUses"));
        long expiresAt = made.getLong("expiresAt");
        long now = System.currentTimeMillis() / 1000;
        assertEquals(true, expiresAt > now && expiresAt <= now + 30L * 24 * 3600 + 60, "expiresAt " + expiresAt);
        String oneUse = made.getString("code");
        join(first, oneUse).then().statusCode(200);
        join(second, oneUse).then().statusCode(410).body("error", org.hamcrest.Matchers.equalTo("invite_expired"));

        // A code past its expiry (set in the past here rather than waited for) lets nobody in.
        String code = invite(owner, group);
        stack().psql("UPDATE chat_groups SET invite_expires_at = now() - interval '1 second' WHERE id = " + group);
        join(third, code).then().statusCode(410).body("error", org.hamcrest.Matchers.equalTo("invite_expired"));

        // Limits outside the documented range are refused.
        as(owner).body(Map.of("maxUses", 0)).post("/api/groups/" + group + "/invite").then().statusCode(400);
        as(owner).body(Map.of("expiresInSeconds", 31L * 24 * 3600)).post("/api/groups/" + group + "/invite").then()
                .statusCode(400);
    }
}

package dev.chat.presence.service;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.aMapWithSize;
import static org.hamcrest.Matchers.anEmptyMap;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.chat.testing.quarkus.JwtKeysResource;
import dev.chat.testing.quarkus.RedisResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.redis.client.Redis;

@QuarkusTest
@QuarkusTestResource(RedisResource.class)
@QuarkusTestResource(JwtKeysResource.class)
class BulkLookupTest {
    @Inject
    Redis redis;

    private final String asker = ChatNodeSim.uniqueUser();
    private final String alice = ChatNodeSim.uniqueUser();
    private final String bob = ChatNodeSim.uniqueUser();
    private final String carol = ChatNodeSim.uniqueUser();
    private ChatNodeSim live;
    private ChatNodeSim stale;

    @BeforeEach
    void writePresence() {
        live = new ChatNodeSim(redis).heartbeat().open(alice, 2);
        // carol is only on a dead node: offline whether or not the sweeper got to it yet.
        stale = new ChatNodeSim(redis).heartbeatAt(System.currentTimeMillis() - 60_000).open(carol, 1);
    }

    @AfterEach
    void clean() {
        live.remove();
        stale.remove();
    }

    @Test
    void getAnswersEveryUser() {
        given().header("Authorization", Jwt.bearer(asker))
                .queryParam("users", alice + "," + bob + "," + carol)
                .when().get("/api/presence")
                .then().statusCode(200).contentType("application/json")
                .body("$", aMapWithSize(3))
                .body(alice + ".online", equalTo(true))
                .body(alice + ".sockets", equalTo(2))
                .body(bob + ".online", equalTo(false))
                .body(bob + ".sockets", equalTo(0))
                .body(carol + ".online", equalTo(false))
                .body(carol + ".sockets", equalTo(0));
    }

    @Test
    void getAcceptsRepeatedParametersSpacesAndDuplicates() {
        given().header("Authorization", Jwt.bearer(asker))
                .queryParam("users", alice + ", " + bob + ",")
                .queryParam("users", alice)
                .when().get("/api/presence")
                .then().statusCode(200)
                .body("$", aMapWithSize(2))
                .body(alice + ".sockets", equalTo(2));
    }

    @Test
    void postAnswersEveryUser() {
        given().header("Authorization", Jwt.bearer(asker))
                .contentType("application/json")
                .body(Map.of("users", List.of(alice, bob, carol)))
                .when().post("/api/presence/query")
                .then().statusCode(200).contentType("application/json")
                .body("$", aMapWithSize(3))
                .body(alice + ".online", equalTo(true))
                .body(alice + ".sockets", equalTo(2))
                .body(bob + ".online", equalTo(false))
                .body(carol + ".online", equalTo(false));
    }

    @Test
    void postWithNoUsersAnswersEmptyObject() {
        given().header("Authorization", Jwt.bearer(asker))
                .contentType("application/json").body("{\"users\":[]}")
                .when().post("/api/presence/query")
                .then().statusCode(200).body("$", anEmptyMap());
    }

    @Test
    void twoHundredUsersAreAllowedAndMoreAreRefused() {
        List<String> max = names(200);
        given().header("Authorization", Jwt.bearer(asker))
                .contentType("application/json").body(Map.of("users", max))
                .when().post("/api/presence/query")
                .then().statusCode(200).body("$", aMapWithSize(200));
        given().header("Authorization", Jwt.bearer(asker))
                .queryParam("users", String.join(",", max))
                .when().get("/api/presence")
                .then().statusCode(200).body("$", aMapWithSize(200));

        List<String> tooMany = names(201);
        given().header("Authorization", Jwt.bearer(asker))
                .contentType("application/json").body(Map.of("users", tooMany))
                .when().post("/api/presence/query")
                .then().statusCode(400).contentType("application/json")
                .body("error", equalTo("bad_request"))
                .body("message", startsWith("at most 200 users"));
        given().header("Authorization", Jwt.bearer(asker))
                .queryParam("users", String.join(",", tooMany))
                .when().get("/api/presence")
                .then().statusCode(400).body("error", equalTo("bad_request"));
    }

    @Test
    void oneInvalidNameRefusesTheWholeQuery() {
        given().header("Authorization", Jwt.bearer(asker))
                .queryParam("users", alice + ",NOT-valid")
                .when().get("/api/presence")
                .then().statusCode(400).body("error", equalTo("bad_request"))
                .body("message", startsWith("invalid username"));
        given().header("Authorization", Jwt.bearer(asker))
                .contentType("application/json").body("{\"users\":[\"" + alice + "\", null]}")
                .when().post("/api/presence/query")
                .then().statusCode(400).body("error", equalTo("bad_request"));
    }

    @Test
    void malformedRequestsAreRefusedWithJson() {
        given().header("Authorization", Jwt.bearer(asker))
                .when().get("/api/presence")
                .then().statusCode(400).contentType("application/json").body("error", equalTo("bad_request"));
        given().header("Authorization", Jwt.bearer(asker))
                .contentType("application/json").body("{\"users\": [")
                .when().post("/api/presence/query")
                // Jackson reports a body cut short as a missing value, not as broken syntax.
                .then().statusCode(400).contentType("application/json").body("error", equalTo("invalid_request"));
        given().header("Authorization", Jwt.bearer(asker))
                .contentType("application/json").body("{\"users\": \"alice\"}")
                .when().post("/api/presence/query")
                .then().statusCode(400).contentType("application/json").body("error", equalTo("invalid_request"));
        given().header("Authorization", Jwt.bearer(asker))
                .contentType("application/json").body("{users: ]")
                .when().post("/api/presence/query")
                .then().statusCode(400).contentType("application/json").body("error", equalTo("malformed_json"));
        given().header("Authorization", Jwt.bearer(asker))
                .contentType("application/json").body("{}")
                .when().post("/api/presence/query")
                .then().statusCode(400).contentType("application/json").body("error", equalTo("bad_request"));
        given().header("Authorization", Jwt.bearer(asker))
                .contentType("application/json")
                .when().post("/api/presence/query")
                .then().statusCode(400).contentType("application/json").body("error", equalTo("bad_request"));
        given().header("Authorization", Jwt.bearer(asker))
                .contentType("text/plain").body("alice")
                .when().post("/api/presence/query")
                .then().statusCode(415).contentType("application/json")
                .body("error", equalTo("unsupported_media_type"));
    }

    private static List<String> names(int n) {
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(ChatNodeSim.uniqueUser());
        }
        return out;
    }
}

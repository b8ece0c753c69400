package dev.chat.presence.service;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.chat.testing.OpenApiContract;
import dev.chat.testing.quarkus.JwtKeysResource;
import dev.chat.testing.quarkus.RedisResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import io.vertx.mutiny.redis.client.Redis;

/**
 * The contract test of presence-service (issue 20): every operation of the committed
 * docs/openapi/presence-service.yaml with a valid request (a simulated chat node holding sockets, so the answers carry
 * data) and its usual refusals (400, 401, 403, 413, 415); every response's status and JSON body must be what the
 * document declares for it ({@link OpenApiContract}), and every operation must have succeeded once.
 */
@QuarkusTest
@WithTestResource(RedisResource.class)
@WithTestResource(JwtKeysResource.class)
class ContractTest {
    private static final OpenApiContract CONTRACT = OpenApiContract.load("docs/openapi/presence-service.yaml");

    @Inject
    Redis redis;

    private static RequestSpecification api(String bearer) {
        RequestSpecification spec = given().filter(CONTRACT.filter());
        return bearer == null ? spec : spec.header("Authorization", bearer);
    }

    @Test
    void everyOperationAnswersAsTheDocumentSays() {
        String alice = ChatNodeSim.uniqueUser();
        String bob = ChatNodeSim.uniqueUser();
        ChatNodeSim node = new ChatNodeSim(redis).heartbeatAt(System.currentTimeMillis()).open(alice, 2);
        try {
            String user = Jwt.bearer(bob);
            api(user).get("/api/presence/{u}", alice).then().statusCode(200);
            api(user).get("/api/presence/{u}", bob).then().statusCode(200);
            api(user).get("/api/presence/{u}", "no:such*user").then().statusCode(400);
            api(null).get("/api/presence/{u}", alice).then().statusCode(401);
            api("Bearer not.a.token").get("/api/presence/{u}", alice).then().statusCode(401);

            api(user).queryParam("users", alice + "," + bob).get("/api/presence").then().statusCode(200);
            api(user).get("/api/presence").then().statusCode(400);
            api(user).queryParam("users", "a*").get("/api/presence").then().statusCode(400);

            api(user).contentType(ContentType.JSON).body(Map.of("users", List.of(alice, bob)))
                    .post("/api/presence/query").then().statusCode(200);
            api(user).contentType(ContentType.JSON).body("{\"users\": [1, 2]}").post("/api/presence/query")
                    .then().statusCode(400);
            api(user).contentType(ContentType.JSON).body("{\"users\": [").post("/api/presence/query")
                    .then().statusCode(400);
            api(user).contentType(ContentType.JSON).body("{\"users\": [\"" + "a".repeat(20_000) + "\"]}")
                    .post("/api/presence/query").then().statusCode(413);
            api(user).contentType(ContentType.TEXT).body("users=a").post("/api/presence/query").then().statusCode(415);

            api(Jwt.operatorBearer(bob)).get("/api/presence/nodes").then().statusCode(200);
            api(user).get("/api/presence/nodes").then().statusCode(403);
        } finally {
            node.remove();
        }
        System.out.println("CONTRACT presence-service: " + CONTRACT.answered());
        assertEquals(List.of(), CONTRACT.neverSucceeded(), "operations never called successfully");
    }
}

package dev.chat.node.security;

import static dev.chat.testing.ChatClient.frame;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.chat.node.TestAccounts;
import dev.chat.testing.ChatClient;
import dev.chat.testing.OpenApiContract;
import dev.chat.testing.RestFuzzer;
import dev.chat.testing.quarkus.JwtKeysResource;
import dev.chat.testing.quarkus.PostgresResource;
import dev.chat.testing.quarkus.RedisResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * The seeded fuzzer of {@link FrameFuzzTest}, on chat-node's REST API (issue 19): {@link RestFuzzer} sends
 * {@code fuzz.requests} requests (1,500 unless set; at most 90 s) built from the committed docs/openapi/chat-node.yaml
 * to every operation in turn, each with one thing broken, as mallory, who owns a group of her own. Verdicts: never a
 * 5xx, every 4xx with the JSON error body; afterwards mallory's account, her group and a bystanders' conversation
 * and group still work. The seed is printed; replay with {@code -Dfuzz.seed=N}.
 */
@QuarkusTest
@Tag("quarkus")
@WithTestResource(PostgresResource.class)
@WithTestResource(RedisResource.class)
@WithTestResource(JwtKeysResource.class)
class RestFuzzTest {
    private static final int REQUESTS = Integer.getInteger("fuzz.requests", 1_500);
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TestHTTPResource("/")
    URI http;

    @BeforeAll
    static void accounts() {
        TestAccounts.ensureTable();
    }

    @Test
    void everyEndpointSurvivesFuzzedRequestsAndNothingElseIsLost() {
        String mallory = TestAccounts.create("mallory");
        String carol = TestAccounts.create("carol");
        String alice = TestAccounts.create("alice");
        String bob = TestAccounts.create("bob");
        String token = TestAccounts.token(mallory);
        String own = group(mallory, carol);
        String theirs = group(alice, bob);
        String code = given().auth().oauth2(token).post("/api/groups/{id}/invite", own).then().statusCode(200)
                .extract().path("code");

        long seed = RestFuzzer.seed();
        System.out.println("REST FUZZ chat-node seed=" + seed + " requests=" + REQUESTS + " (replay: -Dfuzz.seed=" + seed + ")");
        RestFuzzer fuzzer = new RestFuzzer(OpenApiContract.load("docs/openapi/chat-node.yaml"), http,
                RestFuzzer.examples("peer", List.of(alice, carol, mallory), "id", List.of(own, theirs),
                        "username", List.of(carol, bob), "members", List.of(carol), "seq", List.of(1, 2),
                        "code", code, "ts", System.currentTimeMillis(), "name", "Fuzzed",
                        "role", List.of("admin", "member"), "q", List.of("hello", "fuzz"), "limit", List.of(1, 20),
                        "before", 1_000_000, "expiresInSeconds", 3600, "maxUses", 5),
                () -> token);
        RestFuzzer.Report report = fuzzer.run(seed, REQUESTS, Duration.ofSeconds(90));
        System.out.println("REST FUZZ chat-node " + report);
        report.contractNotes.stream().limit(20).forEach(n -> System.out.println("REST FUZZ contract note: " + n));
        assertEquals(List.of(), report.failures.stream().limit(20).toList(), "seed " + seed);
        assertTrue(report.requests > 100, "the fuzz ran: " + report);
        // Every endpoint and every field (issue 19): each parameter and body property of the document broken at least once.
        assertEquals(List.of(), report.unbroken, "never broken in this run: " + report);

        // Nothing else lost: mallory still reads her conversations and her group; the bystanders still chat.
        given().auth().oauth2(token).get("/api/conversations").then().statusCode(200);
        given().auth().oauth2(token).get("/api/groups/{id}", own).then().statusCode(200);
        given().auth().oauth2(TestAccounts.token(alice)).get("/api/groups/{id}", theirs).then().statusCode(200)
                .body("members.username", hasItem(bob));
        URI ws = URI.create(http.resolve("/ws/chat").toString().replaceFirst("^http", "ws"));
        try (ChatClient a = ChatClient.connect(ws, TestAccounts.token(alice));
                ChatClient b = ChatClient.connect(ws, TestAccounts.token(bob))) {
            String id = UUID.randomUUID().toString();
            a.sendMessage(id, bob, "still fine after the fuzz?");
            a.await(frame("ack", id), WAIT);
            b.await(frame("msg", id), WAIT);
        }
        given().auth().oauth2(TestAccounts.token(bob)).get("/api/conversations/{p}/messages", alice).then()
                .statusCode(200).body("body", hasItem("still fine after the fuzz?"));
    }

    private static String group(String owner, String member) {
        return given().auth().oauth2(TestAccounts.token(owner)).contentType(ContentType.JSON)
                .body(Map.of("name", "Fuzz " + owner, "members", List.of(member))).post("/api/groups")
                .then().statusCode(201).extract().path("id");
    }
}

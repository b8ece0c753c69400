package dev.chat.presence.service;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.chat.testing.OpenApiContract;
import dev.chat.testing.RestFuzzer;
import dev.chat.testing.quarkus.JwtKeysResource;
import dev.chat.testing.quarkus.RedisResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.redis.client.Redis;

/**
 * The seeded REST fuzzer (issue 19) on presence-service: {@code fuzz.requests} requests (1,000 unless set; at most
 * 90 s) built from the committed docs/openapi/presence-service.yaml, every operation in turn, one thing broken in each
 * ({@link RestFuzzer}). Verdicts: never a 5xx, every 4xx with the JSON error body; afterwards a user whose sockets a
 * (fresh) simulated chat node holds is shown online with them. Replay with {@code -Dfuzz.seed=N}.
 */
@QuarkusTest
@WithTestResource(RedisResource.class)
@WithTestResource(JwtKeysResource.class)
class RestFuzzTest {
    private static final int REQUESTS = Integer.getInteger("fuzz.requests", 1_000);

    @TestHTTPResource("/")
    URI http;

    @Inject
    Redis redis;

    @Test
    void everyEndpointSurvivesFuzzedRequestsAndNothingElseIsLost() {
        String alice = ChatNodeSim.uniqueUser();
        String mallory = ChatNodeSim.uniqueUser();
        ChatNodeSim node = new ChatNodeSim(redis).heartbeatAt(System.currentTimeMillis()).open(alice, 2);
        try {
            String token = Jwt.valid(mallory);
            long seed = RestFuzzer.seed();
            System.out.println("REST FUZZ presence-service seed=" + seed + " requests=" + REQUESTS + " (replay: -Dfuzz.seed=" + seed + ")");
            RestFuzzer fuzz = new RestFuzzer(OpenApiContract.load("docs/openapi/presence-service.yaml"), http,
                    RestFuzzer.examples("user", List.of(alice, mallory), "users", List.of(alice, mallory)), () -> token);
            RestFuzzer.Report report = fuzz.run(seed, REQUESTS, Duration.ofSeconds(90));
            System.out.println("REST FUZZ presence-service " + report);
            report.contractNotes.stream().limit(20).forEach(n -> System.out.println("REST FUZZ contract note: " + n));
            assertEquals(List.of(), report.failures.stream().limit(20).toList(), "seed " + seed);
            assertTrue(report.requests > 100, "the fuzz ran: " + report);
            // Every endpoint and every field (issue 19): each parameter and body property of the document broken at least once.
            assertEquals(List.of(), report.unbroken, "never broken in this run: " + report);

            // The sweeper may have evicted the simulated node meanwhile (its heartbeat stood still): a fresh one.
            node.remove();
            ChatNodeSim after = new ChatNodeSim(redis).heartbeatAt(System.currentTimeMillis()).open(alice, 2);
            try {
                given().header("Authorization", Jwt.bearer(mallory)).get("/api/presence/{u}", alice).then()
                        .statusCode(200).body("online", equalTo(true)).body("sockets", equalTo(2));
            } finally {
                after.remove();
            }
        } finally {
            node.remove();
        }
    }
}

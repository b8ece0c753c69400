package dev.chat.node.lifecycle;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.chat.testing.LocalPostgres;
import dev.chat.testing.Poll;
import dev.chat.testing.quarkus.JwtKeysResource;
import dev.chat.testing.quarkus.OwnPostgresResource;
import dev.chat.testing.quarkus.RedisResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Readiness follows PostgreSQL through the background probe: down while the database is away, up again when it
 * is back, and always answered from the node's own state. On a cluster of its own, so stopping it cannot disturb
 * the other test classes.
 */
@QuarkusTest
@Tag("quarkus")
@WithTestResource(OwnPostgresResource.class)
@WithTestResource(RedisResource.class)
@WithTestResource(JwtKeysResource.class)
class ReadinessTest {
    @OwnPostgresResource.InjectPostgres
    LocalPostgres pg;

    @Test
    void notReadyWhileTheDatabaseIsAwayAndReadyAgainAfter() {
        awaitReadiness(200, true);
        given().when().get("/q/health/ready").then().body("checks.find { it.name == 'chat-node' }.data.schema",
                equalTo(true));
        pg.stop();
        try {
            awaitReadiness(503, false);
            // Liveness is about the process: restarting it would not bring the database back.
            given().when().get("/q/health/live").then().statusCode(200);
        } finally {
            pg.restart();
        }
        awaitReadiness(200, true);
    }

    private static void awaitReadiness(int status, boolean postgres) {
        Poll.until(Duration.ofSeconds(30), () -> given().when().get("/q/health/ready").then().extract(),
                r -> r.statusCode() == status && Boolean.valueOf(postgres)
                        .equals(r.path("checks.find { it.name == 'chat-node' }.data.postgres")),
                r -> "readiness still " + r.statusCode() + " " + r.body().asString());
    }
}

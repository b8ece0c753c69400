package dev.chat.users;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.chat.testing.LocalPostgres;
import dev.chat.testing.Poll;
import dev.chat.testing.quarkus.JwtKeysResource;
import dev.chat.testing.quarkus.OwnPostgresResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Runs on a cluster of its own, so stopping it cannot disturb the other test classes. */
@QuarkusTest
@WithTestResource(OwnPostgresResource.class)
@WithTestResource(JwtKeysResource.class)
class ReadinessWithoutDatabaseTest {
    @OwnPostgresResource.InjectPostgres
    LocalPostgres pg;

    @Test
    void notReadyWhileTheDatabaseIsDownAndReadyAgainAfter() {
        given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        pg.stop();
        try {
            awaitReadiness(503, "DOWN");
            // Liveness is about the process, not its dependencies: restarting would not bring the database back.
            given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
            // Requests that need the database say so, with the JSON body and a hint to retry: never a 500.
            for (String path : java.util.List.of("/api/users", "/api/auth/login")) {
                given().contentType(io.restassured.http.ContentType.JSON)
                        .body(java.util.Map.of("username", TestUsers.unique("down"), "password", TestUsers.PASSWORD))
                        .when().post(path)
                        .then().statusCode(503).contentType(io.restassured.http.ContentType.JSON)
                        .header("Retry-After", "1")
                        .body("error", equalTo("unavailable"));
            }
        } finally {
            pg.restart();
        }
        awaitReadiness(200, "UP");
        TestUsers.signup(TestUsers.unique("back"), TestUsers.PASSWORD);
    }

    private static void awaitReadiness(int status, String state) {
        Poll.until(Duration.ofSeconds(30), () -> given().when().get("/q/health/ready").then().extract(),
                r -> r.statusCode() == status && state.equals(r.path("status")),
                r -> "readiness still " + r.statusCode() + " " + r.body().asString());
    }
}

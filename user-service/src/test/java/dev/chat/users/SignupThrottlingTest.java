package dev.chat.users;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.chat.testing.quarkus.JwtKeysResource;
import dev.chat.testing.quarkus.PostgresResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/** Anonymous sign-ups per source address, with the limit lowered to 3 a minute for this class. */
@QuarkusTest
@TestProfile(SignupThrottlingTest.ThreeAMinute.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(JwtKeysResource.class)
class SignupThrottlingTest {
    public static class ThreeAMinute implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("chat.signup.source-limit", "3");
        }
    }

    private static Response signup(String source, String username) {
        return given().contentType(ContentType.JSON).header("X-Forwarded-For", source)
                .body(Map.of("username", username, "password", TestUsers.PASSWORD))
                .when().post("/api/users");
    }

    @Test
    void aSourcePastItsLimitIsRefusedWith429AndRetryAfterWhateverTheOutcomes() {
        String taken = TestUsers.unique("taken");
        signup("198.19.1.1", taken).then().statusCode(201);
        signup("198.19.1.1", taken).then().statusCode(409); // a refused sign-up counts too: it costs a lookup
        signup("198.19.1.1", TestUsers.unique("ok")).then().statusCode(201);
        String name = TestUsers.unique("late");
        Response r = signup("198.19.1.1", name);
        r.then().statusCode(429).contentType(ContentType.JSON).body("error", equalTo("too_many_attempts"));
        long header = Long.parseLong(r.header("Retry-After"));
        assertEquals(header, ((Number) r.path("retryAfter")).longValue());
        assertTrue(header >= 1 && header <= 60, "within the minute: " + header);
        // Nothing was created, and another address is not affected.
        signup("198.19.1.2", name).then().statusCode(201);
    }
}

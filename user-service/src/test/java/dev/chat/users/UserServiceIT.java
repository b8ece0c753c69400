package dev.chat.users;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.chat.testing.quarkus.JwtKeysResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.http.ContentType;

/**
 * Smoke test of the packaged service (the JAR here, the native executable with -Dnative): it starts with
 * its keys and database, migrates, hashes a password, signs a token, and verifies that token again.
 */
@QuarkusIntegrationTest
@WithTestResource(ItPostgres.class)
@WithTestResource(JwtKeysResource.class)
class UserServiceIT {
    @Test
    void readyThenSignupLoginAndAnAuthenticatedLookup() {
        // The packaged service serves health and metrics on its management port only (quarkus.management.*, a
        // random one here): its public port refuses them, however the path is spelled.
        given().when().get("/q/health/ready").then().statusCode(404);
        given().when().get("/q/metrics").then().statusCode(404);

        String username = TestUsers.unique("it");
        given().contentType(ContentType.JSON)
                .body(Map.of("username", username, "password", TestUsers.PASSWORD))
                .when().post("/api/users")
                .then().statusCode(201)
                .body("username", equalTo(username))
                .body("id", notNullValue());

        String token = TestUsers.login(username, TestUsers.PASSWORD);

        given().auth().oauth2(token)
                .when().get("/api/users/" + username)
                .then().statusCode(200)
                .body("username", equalTo(username));
        given().contentType(ContentType.JSON)
                .body(Map.of("username", username, "password", "not the password"))
                .when().post("/api/auth/login")
                .then().statusCode(401)
                .body("error", notNullValue());
    }
}

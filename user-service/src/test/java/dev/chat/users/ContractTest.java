package dev.chat.users;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;

import dev.chat.testing.OpenApiContract;
import dev.chat.testing.quarkus.JwtKeysResource;
import dev.chat.testing.quarkus.PostgresResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/**
 * The contract test of user-service (issue 20): every operation of the committed docs/openapi/user-service.yaml is
 * called with a valid request, and the usual refusals (400, 401, 403, 404, 409, 413, 415) are provoked; every
 * response's status must be one its operation declares and its JSON body valid against the declared schema, closed
 * to undeclared fields ({@link OpenApiContract}). Every operation must have succeeded at least once.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
@WithTestResource(JwtKeysResource.class)
class ContractTest {
    private static final OpenApiContract CONTRACT = OpenApiContract.load("docs/openapi/user-service.yaml");
    private static int sources;

    private static RequestSpecification api() {
        return given().filter(CONTRACT.filter());
    }

    /** A failing login from a source of its own (X-Forwarded-For from loopback), so no other test is throttled. */
    private static RequestSpecification elsewhere() {
        sources++;
        return api().header("X-Forwarded-For", "198.18.77." + (sources % 250));
    }

    @Test
    void everyOperationAnswersAsTheDocumentSays() throws IOException {
        String name = TestUsers.unique("contract");
        String password = TestUsers.PASSWORD;
        // Sign-up: 201, 409, 400 (field, shape, JSON), 413, 415.
        api().contentType(ContentType.JSON).body(Map.of("username", name, "password", password)).post("/api/users")
                .then().statusCode(201);
        api().contentType(ContentType.JSON).body(Map.of("username", name, "password", password)).post("/api/users")
                .then().statusCode(409);
        api().contentType(ContentType.JSON).body(Map.of("username", "X!", "password", password)).post("/api/users")
                .then().statusCode(400);
        api().contentType(ContentType.JSON).body("{\"username\": 5}").post("/api/users").then().statusCode(400);
        api().contentType(ContentType.JSON).body("{\"username\":").post("/api/users").then().statusCode(400);
        api().contentType(ContentType.JSON).body("{\"username\":\"" + "a".repeat(20_000) + "\"}").post("/api/users")
                .then().statusCode(413);
        api().contentType(ContentType.TEXT).body("username=x").post("/api/users").then().statusCode(415);

        // Login and the session: 200, 401, refresh 200/401.
        Response login = api().contentType(ContentType.JSON).body(Map.of("username", name, "password", password))
                .post("/api/auth/login");
        login.then().statusCode(200);
        String token = login.path("token");
        String refresh = login.getCookie("chat_refresh");
        elsewhere().contentType(ContentType.JSON).body(Map.of("username", name, "password", "wrong password!"))
                .post("/api/auth/login").then().statusCode(401);
        Response refreshed = api().cookie("chat_refresh", refresh).post("/api/auth/refresh");
        refreshed.then().statusCode(200);
        refresh = refreshed.getCookie("chat_refresh");
        api().post("/api/auth/refresh").then().statusCode(401);

        // Lookups: 200, 400, 401, 404.
        api().auth().oauth2(token).queryParam("query", name.substring(0, 8)).get("/api/users").then().statusCode(200);
        api().auth().oauth2(token).queryParam("limit", "many").get("/api/users").then().statusCode(400);
        api().get("/api/users").then().statusCode(401);
        api().auth().oauth2("not.a.token").get("/api/users/me").then().statusCode(401);
        api().auth().oauth2(token).get("/api/users/{u}", name).then().statusCode(200);
        api().auth().oauth2(token).get("/api/users/{u}", "nobody-" + name).then().statusCode(404);

        // The own account: profile and avatar.
        api().auth().oauth2(token).get("/api/users/me").then().statusCode(200);
        api().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("displayName", "Contract Tester"))
                .patch("/api/users/me").then().statusCode(200);
        api().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("displayName", "x".repeat(65)))
                .patch("/api/users/me").then().statusCode(400);
        api().get("/api/users/{u}/avatar", name).then().statusCode(404);
        api().auth().oauth2(token).contentType("image/png").body(png()).put("/api/users/me/avatar").then().statusCode(200);
        api().auth().oauth2(token).contentType("image/png").body("<html>".getBytes()).put("/api/users/me/avatar")
                .then().statusCode(415);
        api().get("/api/users/{u}/avatar", name).then().statusCode(200).contentType("image/png");
        api().auth().oauth2(token).get("/api/users/{u}", name).then().statusCode(200);
        api().auth().oauth2(token).delete("/api/users/me/avatar").then().statusCode(204);

        // A new password: 403 for a wrong current one, 400 for a weak new one, 204.
        api().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("currentPassword", "not it at all", "newPassword", password + "2"))
                .header("X-Forwarded-For", "198.18.78.1").post("/api/auth/password").then().statusCode(403);
        api().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("currentPassword", password, "newPassword", "short"))
                .post("/api/auth/password").then().statusCode(400);
        api().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("currentPassword", password, "newPassword", password + "2"))
                .post("/api/auth/password").then().statusCode(204);
        password = password + "2";

        // Sessions end: all of them, this one (already gone: still 204), then the account.
        api().post("/api/auth/logout-all").then().statusCode(401);
        api().auth().oauth2(token).post("/api/auth/logout-all").then().statusCode(204);
        api().cookie("chat_refresh", refresh).post("/api/auth/logout").then().statusCode(204);
        String again = api().contentType(ContentType.JSON).body(Map.of("username", name, "password", password))
                .post("/api/auth/login").then().statusCode(200).extract().path("token");
        api().auth().oauth2(again).contentType(ContentType.JSON).body(Map.of("password", "not it at all"))
                .header("X-Forwarded-For", "198.18.78.2").delete("/api/users/me").then().statusCode(403);
        api().auth().oauth2(again).contentType(ContentType.JSON).body(Map.of("password", password))
                .delete("/api/users/me").then().statusCode(204);
        api().auth().oauth2(again).get("/api/users/me").then().statusCode(401);

        System.out.println("CONTRACT user-service: " + CONTRACT.answered());
        assertEquals(List.of(), CONTRACT.neverSucceeded(), "operations never called successfully");
    }

    private static byte[] png() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), "png", out);
        return out.toByteArray();
    }
}

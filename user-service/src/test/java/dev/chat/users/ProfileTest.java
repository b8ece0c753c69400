package dev.chat.users;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;

import dev.chat.testing.quarkus.JwtKeysResource;
import dev.chat.testing.quarkus.PostgresResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * Display names and avatars: checked by content (type, bytes, pixels), served with their checked type, nosniff
 * and cache headers that follow the avatar's version.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
@WithTestResource(JwtKeysResource.class)
class ProfileTest {
    private static byte[] image(String format, int width, int height, int type) throws IOException {
        BufferedImage img = new BufferedImage(width, height, type);
        img.setRGB(0, 0, 0xff0000);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(img, format, out), "no writer for " + format);
        return out.toByteArray();
    }

    private static Response upload(String token, byte[] body, String contentType) {
        return given().auth().oauth2(token).contentType(contentType).body(body).put("/api/users/me/avatar");
    }

    @Test
    void theDisplayNameIsSetShownAndCleared() {
        String user = TestUsers.unique("disp");
        TestUsers.signup(user, TestUsers.PASSWORD);
        String token = TestUsers.login(user, TestUsers.PASSWORD);
        String watcher = TestUsers.token();

        given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("displayName", "  Ada Lovelace  "))
                .patch("/api/users/me").then().statusCode(200).body("displayName", equalTo("Ada Lovelace"));
        given().auth().oauth2(watcher).get("/api/users/" + user).then().statusCode(200)
                .body("displayName", equalTo("Ada Lovelace")).body("username", equalTo(user));

        given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("displayName", "x".repeat(65)))
                .patch("/api/users/me").then().statusCode(400).body("error", equalTo("invalid_display_name"));
        given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("displayName", "bell\u0007"))
                .patch("/api/users/me").then().statusCode(400).body("error", equalTo("invalid_display_name"));
        given().auth().oauth2(token).get("/api/users/me").then().body("displayName", equalTo("Ada Lovelace"));

        given().auth().oauth2(token).contentType(ContentType.JSON).body("{\"displayName\":null}")
                .patch("/api/users/me").then().statusCode(200).body("displayName", nullValue());
        given().contentType(ContentType.JSON).body(Map.of("displayName", "anon")).patch("/api/users/me")
                .then().statusCode(401);
    }

    @Test
    void anAvatarIsCheckedByContentAndServedWithSafeHeaders() throws IOException {
        String user = TestUsers.unique("avat");
        TestUsers.signup(user, TestUsers.PASSWORD);
        String token = TestUsers.login(user, TestUsers.PASSWORD);
        byte[] png = image("png", 48, 48, BufferedImage.TYPE_INT_RGB);
        byte[] jpeg = image("jpg", 48, 48, BufferedImage.TYPE_INT_RGB);

        String url = upload(token, png, "image/png").then().statusCode(200).extract().path("avatar");
        Response served = given().get(url);
        served.then().statusCode(200).contentType("image/png").header("X-Content-Type-Options", "nosniff");
        assertArrayEquals(png, served.asByteArray());
        assertTrue(served.header("Cache-Control").contains("immutable"), served.header("Cache-Control"));
        assertTrue(served.header("Content-Security-Policy").contains("default-src 'none'"));
        assertEquals("no-cache", given().get("/api/users/" + user + "/avatar").header("Cache-Control"),
                "without its version the avatar is revalidated");

        // A JPEG declared as PNG is stored and served as what it is; the URL changes with the avatar.
        String second = upload(token, jpeg, "image/png").then().statusCode(200).extract().path("avatar");
        assertNotEquals(url, second);
        given().get(second).then().statusCode(200).contentType("image/jpeg").header("X-Content-Type-Options", "nosniff");

        // Not images, whatever they claim; a truncated one; too many pixels; too many bytes.
        byte[] html = "<html><script>alert(1)</script></html>".getBytes(StandardCharsets.UTF_8);
        upload(token, html, "image/png").then().statusCode(415).body("error", equalTo("unsupported_image"));
        byte[] gif = image("gif", 8, 8, BufferedImage.TYPE_INT_RGB);
        upload(token, gif, "image/gif").then().statusCode(415).body("error", equalTo("unsupported_image"));
        upload(token, Arrays.copyOf(png, 40), "image/png").then().statusCode(415);
        byte[] huge = image("png", 4000, 4000, BufferedImage.TYPE_BYTE_BINARY);
        assertTrue(huge.length < 64 * 1024, "a small file for a huge picture: " + huge.length);
        upload(token, huge, "image/png").then().statusCode(413).body("error", equalTo("avatar_too_large"));
        // Past the 16 KiB every other body gets, the avatar's path may reach the transport's 64 KiB (BodyLimit's
        // chat.http.large-body-paths): what answers is the image check, not the body limit.
        upload(token, Arrays.copyOf(html, 40 * 1024), "image/png").then().statusCode(415)
                .body("error", equalTo("unsupported_image"));
        byte[] big = Arrays.copyOf(png, 70 * 1024);
        upload(token, big, "image/png").then().statusCode(413);
        // The refusals left the last good avatar in place.
        given().get(second).then().statusCode(200).contentType("image/jpeg");

        given().auth().oauth2(token).delete("/api/users/me/avatar").then().statusCode(204);
        given().get("/api/users/" + user + "/avatar").then().statusCode(404).body("error", equalTo("not_found"));
        given().auth().oauth2(token).get("/api/users/me").then().body("avatar", nullValue());
        upload(TestUsers.token().substring(1), png, "image/png").then().statusCode(401);
    }
}

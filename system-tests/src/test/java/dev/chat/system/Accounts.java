package dev.chat.system;

import static io.restassured.RestAssured.given;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import io.restassured.http.ContentType;

/** Accounts made through the public API (HAProxy → user-service), as any client makes them. */
final class Accounts {
    private static final AtomicInteger SEQ = new AtomicInteger();

    private Accounts() {
    }

    /** A fresh account: its name starts with {@code prefix}; answers name and token. */
    static Account create(LocalStack stack, String prefix) {
        String name = prefix + "_" + SEQ.incrementAndGet() + "_" + UUID.randomUUID().toString().substring(0, 6);
        String password = "pw-" + UUID.randomUUID();
        given().baseUri(stack.baseUrl()).contentType(ContentType.JSON)
                .body(Map.of("username", name, "password", password))
                .post("/api/users").then().statusCode(201);
        return new Account(name, login(stack, name, password));
    }

    static String login(LocalStack stack, String name, String password) {
        return given().baseUri(stack.baseUrl()).contentType(ContentType.JSON)
                .body(Map.of("username", name, "password", password))
                .post("/api/auth/login").then().statusCode(200).extract().path("token");
    }

    record Account(String name, String token) {
    }
}

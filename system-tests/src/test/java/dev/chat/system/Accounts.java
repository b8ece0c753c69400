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
        post(stack, "/api/users", name, password, 201);
        return new Account(name, login(stack, name, password));
    }

    static String login(LocalStack stack, String name, String password) {
        return post(stack, "/api/auth/login", name, password, 200).path("token");
    }

    /**
     * As a client does: a 503 (no server ready behind HAProxy, or a database connection that just died with
     * its server) is retried for a few seconds; any other answer is final.
     */
    private static io.restassured.response.Response post(LocalStack stack, String path, String name, String password,
            int expected) {
        java.time.Instant deadline = java.time.Instant.now().plusSeconds(15);
        while (true) {
            io.restassured.response.Response r = given().baseUri(stack.baseUrl()).contentType(ContentType.JSON)
                    .body(Map.of("username", name, "password", password)).post(path);
            if (r.statusCode() != 503 || java.time.Instant.now().isAfter(deadline)) {
                r.then().statusCode(expected);
                return r;
            }
            ChatThroughProxyTest.pause(200);
        }
    }

    record Account(String name, String token) {
    }
}

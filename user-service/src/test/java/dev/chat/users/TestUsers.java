package dev.chat.users;

import static io.restassured.RestAssured.given;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import io.restassured.http.ContentType;

/** Unique usernames per test, so tests never depend on each other's accounts. */
public final class TestUsers {
    public static final String PASSWORD = "correct horse battery";
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final AtomicInteger SHORT = new AtomicInteger();
    private static final String RUN = Long.toString(System.nanoTime() % 1_000_000_000L, 36);

    private TestUsers() {
    }

    /** A fresh valid username: {@code prefix} plus something unique, at most 32 characters. */
    public static String unique(String prefix) {
        String name = prefix + "-" + RUN + "-" + COUNTER.incrementAndGet();
        return name.length() <= 32 ? name : name.substring(name.length() - 32);
    }

    /** A fresh three-character username, the shortest allowed; no other helper makes names this short. */
    public static String uniqueShortest() {
        int n = SHORT.getAndIncrement();
        return "s" + Character.forDigit(n / 36 % 36, 36) + Character.forDigit(n % 36, 36);
    }

    public static long signup(String username, String password) {
        Number id = given().contentType(ContentType.JSON)
                .body(Map.of("username", username, "password", password))
                .when().post("/api/users")
                .then().statusCode(201)
                .extract().path("id");
        return id.longValue();
    }

    public static String login(String username, String password) {
        return given().contentType(ContentType.JSON)
                .body(Map.of("username", username, "password", password))
                .when().post("/api/auth/login")
                .then().statusCode(200)
                .extract().path("token");
    }

    /** Signs up a new user and returns a token for it. */
    public static String token() {
        String username = unique("caller");
        signup(username, PASSWORD);
        return login(username, PASSWORD);
    }
}

package dev.chat.loadgen.client;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The account half of the contract: {@code POST /api/users} and {@code POST /api/auth/login}, retried while
 * the system is busy (429 with Retry-After, 502/503/504, a refused connection) until a deadline.
 */
public final class Accounts {
    private static final ObjectMapper JSON = new ObjectMapper();

    public record Token(String value, long expiresAt) {
    }

    private final Endpoint endpoint;
    private final Duration patience;

    public Accounts(Endpoint endpoint, Duration patience) {
        this.endpoint = endpoint;
        this.patience = patience;
    }

    /** Creates the account; an account of that name that already exists (409) is fine too. */
    public void create(String username, String password) {
        HttpResponse<String> r = post("/api/users", Map.of("username", username, "password", password));
        if (r.statusCode() != 201 && r.statusCode() != 409) {
            throw new IllegalStateException("POST /api/users for " + username + ": " + r.statusCode() + " " + r.body());
        }
    }

    public Token login(String username, String password) {
        HttpResponse<String> r = post("/api/auth/login", Map.of("username", username, "password", password));
        if (r.statusCode() != 200) {
            throw new IllegalStateException("login of " + username + ": " + r.statusCode() + " " + r.body());
        }
        try {
            JsonNode body = JSON.readTree(r.body());
            return new Token(body.path("token").asText(), body.path("expiresAt").asLong());
        } catch (IOException e) {
            throw new IllegalStateException("login of " + username + " answered " + r.body(), e);
        }
    }

    private HttpResponse<String> post(String path, Map<String, String> body) {
        Instant deadline = Instant.now().plus(patience);
        long pause = 200;
        String last = "";
        while (true) {
            try {
                HttpRequest req = HttpRequest.newBuilder(endpoint.api(path)).timeout(Duration.ofSeconds(15))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build();
                HttpResponse<String> r = endpoint.http().send(req, HttpResponse.BodyHandlers.ofString());
                int s = r.statusCode();
                if (s != 429 && s != 502 && s != 503 && s != 504) {
                    return r;
                }
                last = s + " " + r.body();
                // 429 (throttled) and 503 (user-service's hashing queue full, or no server) say when to come back.
                if (s == 429 || s == 503) {
                    pause = Math.max(pause, 1000L * r.headers().firstValueAsLong("Retry-After").orElse(1));
                }
            } catch (IOException e) {
                last = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            if (Instant.now().plusMillis(pause).isAfter(deadline)) {
                throw new IllegalStateException("POST " + path + " kept failing for " + patience + ": " + last);
            }
            sleep(pause);
            pause = Math.min(pause * 2, 5000);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}

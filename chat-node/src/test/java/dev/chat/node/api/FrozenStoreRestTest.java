package dev.chat.node.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.chat.node.TestAccounts;
import dev.chat.testing.LocalPostgres;
import dev.chat.testing.Poll;
import dev.chat.testing.quarkus.JwtKeysResource;
import dev.chat.testing.quarkus.OwnPostgresResource;
import dev.chat.testing.quarkus.SentinelResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The REST calls of the page (conversations, history, read marks, groups) with PostgreSQL frozen (SIGSTOP): each is
 * answered 503 with the JSON error {@code unavailable} and a Retry-After, within {@link #ANSWER_BOUND}, never left
 * hanging; after SIGCONT they answer 200 again. The bound is well short of how long the store stays frozen here (it
 * is thawed only after the last answer), so an answer within it came from {@code chat.postgres.call-timeout} (2 s),
 * not from the store's return. The test resources are DataTierFaultsTest's, so Quarkus is not started again for it.
 */
@QuarkusTest
@Tag("quarkus")
@WithTestResource(OwnPostgresResource.class)
@WithTestResource(SentinelResource.class)
@WithTestResource(JwtKeysResource.class)
class FrozenStoreRestTest {
    private static final Duration ANSWER_BOUND = Duration.ofSeconds(8);
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/")
    URI base;
    @OwnPostgresResource.InjectPostgres
    LocalPostgres pg;

    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void accounts() {
        TestAccounts.ensureTable(pg);
    }

    @Test
    void everyRestCallOfThePageIsAnsweredUnavailableWhileTheStoreIsFrozen() throws Exception {
        String alice = TestAccounts.create(pg, "fr_alice");
        String bob = TestAccounts.create(pg, "fr_bob");
        String token = TestAccounts.token(alice);
        List<HttpRequest> calls = List.of(
                get(token, "/api/conversations"),
                get(token, "/api/conversations/" + bob + "/messages?limit=10"),
                put(token, "/api/conversations/" + bob + "/read", "{\"ts\": 1}"),
                get(token, "/api/groups"),
                post(token, "/api/groups", "{\"name\": \"frozen\", \"members\": [\"" + bob + "\"]}"),
                get(token, "/api/groups/1/messages"));
        // Healthy first: conversations answer 200.
        assertEquals(200, send(get(token, "/api/conversations")).statusCode());

        pg.freeze();
        try {
            for (HttpRequest call : calls) {
                HttpResponse<String> r;
                try {
                    r = send(call);
                } catch (HttpTimeoutException e) {
                    throw new AssertionError(call.method() + " " + call.uri().getPath() + " left hanging past "
                            + ANSWER_BOUND + " while PostgreSQL was frozen", e);
                }
                String what = call.method() + " " + call.uri().getPath() + ": " + r.statusCode() + " " + r.body();
                assertEquals(503, r.statusCode(), what);
                JsonNode body = JSON.readTree(r.body());
                assertEquals("unavailable", body.path("error").asText(), what);
                assertTrue(r.headers().firstValue("Retry-After").isPresent(), what);
            }
        } finally {
            pg.thaw();
        }
        Poll.until(WAIT, () -> status(get(token, "/api/conversations")), s -> s == 200,
                s -> "conversations never answered 200 after the thaw (last " + s + ")");
        assertEquals(200, send(get(token, "/api/groups")).statusCode());
    }

    private HttpRequest get(String token, String path) {
        return request(token, path).GET().build();
    }

    private HttpRequest put(String token, String path, String body) {
        return request(token, path).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private HttpRequest post(String token, String path, String body) {
        return request(token, path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private HttpRequest.Builder request(String token, String path) {
        return HttpRequest.newBuilder(base.resolve(path)).timeout(ANSWER_BOUND).header("Authorization", "Bearer " + token);
    }

    private HttpResponse<String> send(HttpRequest r) throws IOException, InterruptedException {
        return http.send(r, HttpResponse.BodyHandlers.ofString());
    }

    private int status(HttpRequest r) {
        try {
            return send(r).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}

package dev.chat.node.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.chat.node.TestAccounts;
import dev.chat.testing.ChatClient;
import dev.chat.testing.LocalPostgres;
import dev.chat.testing.Poll;
import dev.chat.testing.quarkus.JwtKeysResource;
import dev.chat.testing.quarkus.OwnPostgresResource;
import dev.chat.testing.quarkus.RedisResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/**
 * Search in another language than the default: a node started with {@code chat.search.language=german} on a new
 * database (a PostgreSQL cluster of its own). The node's indexer builds its index in German, and GET /api/search
 * stems and drops stop words in German: "Katze Haus" finds "Katzen ... Häuser", which
 * English stemming does not match (shown on the same row with the English configuration); "die", a German stop word
 * but an English word, finds nothing. SearchResourceTest is the English counterpart ("cats" found by "cat").
 */
@QuarkusTest
@Tag("quarkus")
@TestProfile(GermanSearchTest.German.class)
@WithTestResource(OwnPostgresResource.class)
@WithTestResource(RedisResource.class)
@WithTestResource(JwtKeysResource.class)
class GermanSearchTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String BODY = "Die Katzen schliefen auf den Dächern der Häuser";

    /** The language, set as an operator sets it (application.properties, or CHAT_SEARCH_LANGUAGE). */
    public static class German implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("chat.search.language", "german");
        }
    }

    @TestHTTPResource("/ws/chat")
    URI http;
    @OwnPostgresResource.InjectPostgres
    LocalPostgres pg;

    @BeforeEach
    void accounts() {
        TestAccounts.ensureTable(pg);
    }

    private List<String> search(String user, String q) {
        return given().auth().oauth2(TestAccounts.token(user)).queryParam("q", q).get("/api/search").then()
                .statusCode(200).contentType(ContentType.JSON).extract().jsonPath().getList("id");
    }

    /** Whether BODY matches {@code q} in {@code language}, as the search's condition reads: the same row, in SQL. */
    private boolean matches(String language, String q) {
        return "t".equals(pg.psql(LocalPostgres.DATABASE, "SELECT to_tsvector('" + language + "', body) @@ "
                + "websearch_to_tsquery('" + language + "', '" + q + "') FROM messages WHERE body = '" + BODY + "'"));
    }

    @Test
    void germanStemsAndStopWordsDecideWhatIsFound() {
        String anna = TestAccounts.create(pg, "anna");
        String ben = TestAccounts.create(pg, "ben");
        String id = "m-" + UUID.randomUUID().toString().substring(0, 8);
        try (ChatClient a = ChatClient.connect(URI.create(http.toString().replaceFirst("^http", "ws")),
                TestAccounts.token(anna))) {
            a.send("{\"type\":\"send\",\"id\":\"" + id + "\",\"to\":\"" + ben + "\",\"body\":\"" + BODY + "\"}");
            JsonNode answer = a.await(f -> id.equals(f.path("id").asText()), WAIT);
            assertEquals("ack", answer.path("type").asText(), answer.toString());
        }

        assertEquals(List.of(id), search(ben, "Katze Haus"), "German stems: Katzen and Häuser are katz and haus");
        // The node's indexer indexes in German (search_progress records the language), and the index finds it too.
        String seq = pg.psql(LocalPostgres.DATABASE, "SELECT seq FROM messages WHERE client_id = '" + id + "'");
        Poll.until(WAIT, () -> pg.psql(LocalPostgres.DATABASE, "SELECT language || ' ' || (indexed_through >= " + seq
                + ") FROM search_progress"), "german true"::equals, p -> "not indexed in German: " + p);
        assertEquals("1", pg.psql(LocalPostgres.DATABASE, "SELECT count(*) FROM message_words WHERE client_id = '"
                + id + "' AND doc @@ to_tsquery('german', 'katz & haus')"));
        assertEquals(List.of(id), search(ben, "Katze Haus"), "from the index");
        assertEquals(List.of(id), search(anna, "Dach"), "Dächern is dach");
        assertEquals(List.of(), search(ben, "die"), "a German stop word finds nothing");
        // The language made the difference: English matches neither on the same row ("die" is an English word).
        assertTrue(matches("german", "Katze Haus"));
        assertTrue(!matches("english", "Katze Haus") && !matches("english", "Dach"), "English does not stem German");
        assertTrue(matches("english", "die"), "and keeps 'die'");
    }
}

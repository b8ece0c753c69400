package dev.chat.users;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.chat.testing.quarkus.JwtKeysResource;
import dev.chat.testing.quarkus.PostgresResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;

@QuarkusTest
@WithTestResource(PostgresResource.class)
@WithTestResource(JwtKeysResource.class)
class SignupTest {
    @Inject
    Pool db;

    @Test
    void createsAccountStoringOnlyABcryptHash() {
        String username = TestUsers.unique("alice");
        int id = given().contentType(ContentType.JSON)
                .body(Map.of("username", username, "password", TestUsers.PASSWORD))
                .when().post("/api/users")
                .then().statusCode(201)
                .contentType(ContentType.JSON)
                .header("Location", endsWith("/api/users/" + username))
                .body("username", equalTo(username))
                .body("id", notNullValue())
                .body("password", equalTo(null))
                .body("passwordHash", equalTo(null))
                .extract().path("id");

        RowSet<Row> rows = db.preparedQuery("SELECT id, password_hash, created_at FROM accounts WHERE username = $1")
                .execute(Tuple.of(username)).await().indefinitely();
        assertEquals(1, rows.size());
        Row row = rows.iterator().next();
        assertEquals(id, row.getLong("id"));
        String hash = row.getString("password_hash");
        assertNotEquals(TestUsers.PASSWORD, hash);
        assertTrue(hash.matches("\\$2[aby]\\$04\\$[./A-Za-z0-9]{53}"), "bcrypt hash at the test cost: " + hash);
        assertTrue(row.getOffsetDateTime("created_at") != null);
    }

    @Test
    void duplicateUsernameIs409() {
        String username = TestUsers.unique("dup");
        TestUsers.signup(username, TestUsers.PASSWORD);
        given().contentType(ContentType.JSON)
                .body(Map.of("username", username, "password", "another password"))
                .when().post("/api/users")
                .then().statusCode(409)
                .contentType(ContentType.JSON)
                .body("error", equalTo("username_taken"))
                .body("message", notNullValue());
    }

    /** All requests pass the existence check together; the unique constraint must still pick one winner. */
    @Test
    void concurrentSignupsOfOneNameCreateOneAccount() throws Exception {
        String username = TestUsers.unique("race");
        int attempts = 8;
        ExecutorService pool = Executors.newFixedThreadPool(attempts);
        try {
            List<Callable<Integer>> calls = new ArrayList<>();
            for (int i = 0; i < attempts; i++) {
                calls.add(() -> given().contentType(ContentType.JSON)
                        .body(Map.of("username", username, "password", TestUsers.PASSWORD))
                        .when().post("/api/users")
                        .then().extract().statusCode());
            }
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> f : pool.invokeAll(calls)) {
                statuses.add(f.get());
            }
            assertEquals(1, statuses.stream().filter(s -> s == 201).count(), statuses.toString());
            assertEquals(attempts - 1, statuses.stream().filter(s -> s == 409).count(), statuses.toString());
        } finally {
            pool.shutdownNow();
        }
        long rows = db.preparedQuery("SELECT count(*) FROM accounts WHERE username = $1")
                .execute(Tuple.of(username)).await().indefinitely().iterator().next().getLong(0);
        assertEquals(1, rows);
    }

    @Test
    void acceptsBoundaryUsernamesAndPasswords() {
        TestUsers.signup(TestUsers.unique("a"), "12345678");
        TestUsers.signup(TestUsers.unique("b"), "x".repeat(72));
        // 8 emoji are 8 characters but 32 bytes in UTF-8: within both limits.
        TestUsers.signup(TestUsers.unique("c"), "\uD83D\uDE00".repeat(8));
        TestUsers.signup(TestUsers.uniqueShortest(), TestUsers.PASSWORD);
        String longest = (TestUsers.unique("long._-") + "x".repeat(32)).substring(0, 32);
        TestUsers.signup(longest, TestUsers.PASSWORD);
    }

    @Test
    void unrecognisedFieldsAreIgnored() {
        String username = TestUsers.unique("extra");
        given().contentType(ContentType.JSON)
                .body(Map.of("username", username, "password", TestUsers.PASSWORD, "admin", true))
                .when().post("/api/users")
                .then().statusCode(201)
                .body("username", equalTo(username));
    }
}

package dev.chat.node.groups;

import static dev.chat.node.TestAccounts.token;
import static dev.chat.testing.ChatClient.frame;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.chat.node.TestAccounts;
import dev.chat.presence.model.PresenceKeys;
import dev.chat.testing.ChatClient;
import dev.chat.testing.LocalPostgres;
import dev.chat.testing.LocalRedis;
import dev.chat.testing.quarkus.JwtKeysResource;
import dev.chat.testing.quarkus.PostgresResource;
import dev.chat.testing.quarkus.RedisResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/**
 * What one message to a 5,000-member group costs the sending node, mostly offline members: PostgreSQL rows,
 * Redis commands, time. Printed as figures (docs/performance.md); asserted only where the design promises a
 * number: one inbox row per other member, one presence lookup per member in one round trip, one publish per
 * node that holds members.
 */
@QuarkusTest
@Tag("quarkus")
@TestProfile(LargeGroupCostTest.PatientStore.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(RedisResource.class)
@WithTestResource(JwtKeysResource.class)
class LargeGroupCostTest {
    /**
     * This test measures what a 5,000-member send costs; it is no fault test. One such append (the message, 4,999
     * inbox rows and their ID checks) took over the 2-s call bound once on a busy test machine and was answered
     * {@code unavailable}: stored, but routed only by the sweep. A patient bound keeps the figures about cost.
     */
    public static class PatientStore implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // It measures what a send costs, not the limit on group rows (500 a second): 21 sends to 5,000 members
            // would be refused after the second.
            return Map.of("chat.postgres.call-timeout", "60s", "chat.limits.group-rows-per-second", "1000000",
                    // Nor the consent rule: 5,000 members who never wrote to the owner would be refused.
                    "chat.groups.max-size-without-consent", "1000000",
                    "chat.limits.group-row-burst", "1000000");
        }
    }

    private static final int MEMBERS = 5_000;
    private static final int ONLINE = 50;
    private static final int MESSAGES = 20;

    @TestHTTPResource("/ws/chat")
    URI http;

    @BeforeAll
    static void accounts() {
        TestAccounts.ensureTable();
    }

    @Test
    void oneMessageToFiveThousandMembers() {
        String prefix = "big" + UUID.randomUUID().toString().substring(0, 6) + "_";
        LocalPostgres pg = LocalPostgres.shared();
        pg.psql(LocalPostgres.DATABASE, "INSERT INTO accounts (username, password_hash) SELECT '" + prefix
                + "' || g, 'x' FROM generate_series(1, " + MEMBERS + ") g");
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= MEMBERS; i++) {
            names.add(prefix + i);
        }
        String owner = names.get(0);
        String group = given().auth().oauth2(token(owner)).contentType(ContentType.JSON)
                .body(Map.of("name", "Everyone", "members", names.subList(1, MEMBERS))).post("/api/groups")
                .then().statusCode(201).extract().path("id");

        URI ws = URI.create(http.toString().replaceFirst("^http", "ws"));
        List<ChatClient> online = new ArrayList<>();
        try (ChatClient sender = ChatClient.connect(ws, token(owner))) {
            for (int i = 1; i <= ONLINE; i++) {
                online.add(ChatClient.connect(ws, token(names.get(i))));
            }
            // Two members also sit on two other (imaginary) nodes: the message must cross Redis once per node.
            LocalRedis.shared().cli("HSET", PresenceKeys.user(names.get(ONLINE + 1)), "node-far-1", "1");
            LocalRedis.shared().cli("HSET", PresenceKeys.user(names.get(ONLINE + 2)), "node-far-2", "1");
            LocalRedis.shared().cli("HSET", PresenceKeys.user(names.get(ONLINE + 3)), "node-far-2", "1");
            // Warm up: the first message pays for class loading and JIT.
            send(sender, group, online);
            long inboxBefore = count(pg, "SELECT count(*) FROM group_inbox");
            LocalRedis.shared().cli("CONFIG", "RESETSTAT");

            long[] micros = new long[MESSAGES];
            for (int i = 0; i < MESSAGES; i++) {
                micros[i] = send(sender, group, online);
            }
            long rows = count(pg, "SELECT count(*) FROM group_inbox") - inboxBefore;
            String stats = LocalRedis.shared().cli("INFO", "commandstats");
            long hkeys = calls(stats, "hkeys");
            long publish = calls(stats, "publish");
            Arrays.sort(micros);
            System.out.printf("GROUP-COST %d members (%d online here, 3 on two other nodes), %d messages: "
                    + "PostgreSQL rows per message: 1 message + %d inbox; Redis per message: %d HKEYS (pipelined "
                    + "in batches of 500), %d PUBLISH; send-to-ack p50=%.1f ms max=%.1f ms%n", MEMBERS, ONLINE,
                    MESSAGES, rows / MESSAGES, hkeys / MESSAGES, publish / MESSAGES, micros[MESSAGES / 2] / 1000.0,
                    micros[MESSAGES - 1] / 1000.0);
            assertEquals((long) (MEMBERS - 1) * MESSAGES, rows, "one inbox row per other member");
            // The other members, and the sender for the echo of the send to their other devices (issue 18).
            assertEquals((long) MEMBERS * MESSAGES, hkeys, "one presence lookup per member, the sender included");
            assertEquals(2L * MESSAGES, publish, "one publish per other node holding members");
        } finally {
            online.forEach(ChatClient::close);
        }
    }

    /** Sends one message; answers microseconds to the ack, after every online member got it. */
    private static long send(ChatClient sender, String group, List<ChatClient> online) {
        String id = UUID.randomUUID().toString();
        long start = System.nanoTime();
        sender.send("{\"type\":\"send\",\"id\":\"" + id + "\",\"group\":\"" + group + "\",\"body\":\"to all\"}");
        sender.await(frame("ack", id), Duration.ofSeconds(30));
        long took = (sender.arrival("ack", id) - start) / 1_000;
        for (ChatClient c : online) {
            c.await(frame("msg", id), Duration.ofSeconds(30));
        }
        return took;
    }

    private static long count(LocalPostgres pg, String sql) {
        return Long.parseLong(pg.psql(LocalPostgres.DATABASE, sql));
    }

    private static long calls(String commandstats, String command) {
        Matcher m = Pattern.compile("cmdstat_" + command + ":calls=(\\d+)", Pattern.CASE_INSENSITIVE).matcher(commandstats);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }
}

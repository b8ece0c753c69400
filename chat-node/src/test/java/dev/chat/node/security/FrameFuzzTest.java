package dev.chat.node.security;

import static dev.chat.testing.ChatClient.frame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.UUID;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.chat.node.TestAccounts;
import dev.chat.testing.ChatClient;
import dev.chat.testing.FuzzText;
import dev.chat.testing.quarkus.JwtKeysResource;
import dev.chat.testing.quarkus.PostgresResource;
import dev.chat.testing.quarkus.RedisResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Thousands of frames from a seeded fuzzer on one socket: afterwards the socket is still open, a plain message
 * still goes through, and a bystander's socket noticed nothing. The seed is printed; replay a failure with
 * {@code -Dfuzz.seed=N}.
 */
@QuarkusTest
@Tag("quarkus")
@WithTestResource(PostgresResource.class)
@WithTestResource(RedisResource.class)
@WithTestResource(JwtKeysResource.class)
class FrameFuzzTest {
    private static final int FRAMES = Integer.getInteger("fuzz.frames", 3_000);
    /**
     * Frames per socket: within one burst of the socket's frame rate (chat.limits.frame-burst, 1,000), so that the
     * fuzz reaches the frame reader instead of the rate limit; the frames go over as many sockets as that takes.
     */
    private static final int PER_SOCKET = 750;
    private static final String[] TYPES = {"send", "ack", "ping", "typing", "msg", "error", "", "SEND", "send\u0000",
            "delivered", "\u202esend"};
    private static final String[] NASTY = {"", " ", "\u0000", "\u0007\u001b[2J", "' OR 1=1 --", "\"; DROP TABLE messages; --",
            "Robert'); DROP TABLE accounts;--", "\ud83d\ude00\ud83d\ude00", "\u202e\u202d", "\\u0000", "%s%s%n",
            "../../etc/passwd", "<script>alert(1)</script>", "ａｄｍｉｎ", "null", "true", "1e309", "-0"};

    @TestHTTPResource("/ws/chat")
    URI http;

    @BeforeAll
    static void accounts() {
        TestAccounts.ensureTable();
    }

    @Test
    void aSocketSurvivesThousandsOfFuzzedFramesAndNobodyElseNotices() {
        long seed = Long.getLong("fuzz.seed", new Random().nextLong());
        System.out.println("FUZZ seed=" + seed + " frames=" + FRAMES + " (replay: -Dfuzz.seed=" + seed + ")");
        Random random = new Random(seed);
        String mallory = TestAccounts.create("mallory");
        String alice = TestAccounts.create("alice");
        String bob = TestAccounts.create("bob");
        URI ws = URI.create(http.toString().replaceFirst("^http", "ws"));
        try (ChatClient a = ChatClient.connect(ws, TestAccounts.token(alice));
                ChatClient b = ChatClient.connect(ws, TestAccounts.token(bob))) {
            long errors = 0;
            long unparseable = 0;
            for (int sent = 0; sent < FRAMES; sent += PER_SOCKET) {
                try (ChatClient m = ChatClient.connect(ws, TestAccounts.token(mallory), false)) {
                    for (int i = sent; i < Math.min(FRAMES, sent + PER_SOCKET); i++) {
                        if (random.nextInt(50) == 0) {
                            m.sendBinary(bytes(random));
                        } else {
                            m.send(fuzzFrame(random, List.of(alice, bob, mallory, "nobody_" + i)));
                        }
                    }
                    // The socket still works: a ping answered after everything before it was handled.
                    m.send("{\"type\":\"ping\",\"id\":\"after-fuzz\"}");
                    m.await(frame("pong", "after-fuzz"), Duration.ofSeconds(60));
                    assertTrue(m.isOpen(), "the fuzzed socket is still open");
                    errors += m.count(f -> "error".equals(f.path("type").asText()));
                    unparseable += m.count(f -> "unparseable".equals(f.path("type").asText()));
                }
            }
            // A bystander's conversation is untouched.
            String id = UUID.randomUUID().toString();
            a.sendMessage(id, bob, "still fine?");
            a.await(frame("ack", id), Duration.ofSeconds(10));
            b.await(frame("msg", id), Duration.ofSeconds(10));
            System.out.println("FUZZ seed=" + seed + ": " + errors + " error frames, 0 disconnects, "
                    + unparseable + " unparseable answers");
            assertTrue(unparseable == 0, "every answer is JSON");
        }
    }

    private static String fuzzFrame(Random r, List<String> users) {
        switch (r.nextInt(8)) {
            case 0:
                return FuzzText.random(r, r.nextInt(200));
            case 1:
                return r.nextBoolean() ? "[" + r.nextInt() + "]" : Integer.toString(r.nextInt());
            case 2:
                return "{\"type\":" + value(r, users) + ",\"id\":" + value(r, users) + "}";
            case 3:
                return "{\"type\":\"send\",\"id\":" + value(r, users) + ",\"to\":" + value(r, users) + ",\"body\":"
                        + value(r, users) + extra(r, users) + "}";
            case 4:
                return "{\"type\":\"send\",\"id\":\"" + UUID.randomUUID() + "\",\"group\":" + value(r, users)
                        + ",\"body\":\"x\"}";
            case 5:
                return "{\"type\":\"" + TYPES[r.nextInt(TYPES.length)].replace("\"", "") + "\",\"id\":\"f" + r.nextInt(99)
                        + "\",\"to\":\"" + users.get(r.nextInt(users.size())) + "\",\"body\":\"" + FuzzText.jsonEscape(NASTY[r.nextInt(NASTY.length)])
                        + "\"" + extra(r, users) + "}";
            case 6:
                return "{".repeat(r.nextInt(300)) + "}".repeat(r.nextInt(300));
            default:
                return "{\"type\":\"ack\",\"id\":" + value(r, users) + "}";
        }
    }

    private static String value(Random r, List<String> users) {
        switch (r.nextInt(9)) {
            case 0:
                return "null";
            case 1:
                return Long.toString(r.nextLong());
            case 2:
                return "[\"" + users.get(r.nextInt(users.size())) + "\"]";
            case 3:
                return "{\"$ne\":null}";
            case 4:
                return "\"" + "x".repeat(r.nextInt(5000)) + "\"";
            case 5:
                return "\"" + FuzzText.jsonEscape(NASTY[r.nextInt(NASTY.length)]) + "\"";
            case 6:
                return "\"" + users.get(r.nextInt(users.size())) + "\"";
            case 7:
                return "\"" + FuzzText.jsonEscape(FuzzText.random(r, r.nextInt(80))) + "\"";
            default:
                return "\"" + UUID.randomUUID() + "\"";
        }
    }

    private static String extra(Random r, List<String> users) {
        return r.nextBoolean() ? "" : ",\"from\":" + value(r, users) + ",\"ts\":" + value(r, users);
    }

    private static byte[] bytes(Random r) {
        byte[] b = new byte[r.nextInt(100) + 1];
        r.nextBytes(b);
        return b;
    }
}

package dev.chat.system;

import static dev.chat.testing.ChatClient.frame;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.jupiter.api.parallel.ResourceLock;

import com.fasterxml.jackson.databind.JsonNode;

import dev.chat.testing.ChatClient;
import dev.chat.testing.Poll;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * Sessions and the account service's capacity through HAProxy, as any client sees them: the refresh cookie
 * rotates and a reused one revokes its family; an open socket renews its token with {@code reauth}; logout closes the
 * session's sockets on every chat node; storms of concurrent logins and of sign-ups are answered (token or account,
 * or 429/503 with Retry-After), and HAProxy never takes user-service out.
 */
@ResourceLock(Lanes.SHARED_STACK)
@Isolated("its two storms (300 logins, 300 sign-ups at once) judge that HAProxy keeps user-service UP while its hashing"
        + " pool sheds load; beside a scenario's own stack on two cores its health checks went unanswered too (a full"
        + " run: marked DOWN twice, every request still answered by the service)")
class SessionsThroughProxyTest {
    private static final Duration WAIT = Duration.ofSeconds(15);

    private static LocalStack stack() {
        return ChatThroughProxyTest.stack();
    }

    private static Response login(String name, String password) {
        return given().baseUri(stack().baseUrl()).contentType(ContentType.JSON)
                .body(Map.of("username", name, "password", password)).post("/api/auth/login");
    }

    private static Response refresh(String cookie) {
        return given().baseUri(stack().baseUrl()).cookie("chat_refresh", cookie).post("/api/auth/refresh");
    }

    /** A fresh account; answers its name and password. */
    private static String[] account(String prefix) {
        String name = prefix + "_" + UUID.randomUUID().toString().substring(0, 8);
        String password = "pw-" + UUID.randomUUID();
        given().baseUri(stack().baseUrl()).contentType(ContentType.JSON)
                .body(Map.of("username", name, "password", password)).post("/api/users").then().statusCode(201);
        return new String[] { name, password };
    }

    @Test
    void theRefreshCookieRotatesAndAReusedOneRevokesItsFamily() {
        String[] a = account("rot");
        Response first = login(a[0], a[1]);
        first.then().statusCode(200);
        String setCookie = first.header("Set-Cookie");
        assertTrue(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict")
                && setCookie.contains("Path=/api/auth"), setCookie);
        String r1 = first.cookie("chat_refresh");
        Response second = refresh(r1);
        second.then().statusCode(200).contentType(ContentType.JSON);
        String r2 = second.cookie("chat_refresh");
        assertNotEquals(r1, r2);
        // The old token again (a thief's copy): refused, and the whole family with it.
        refresh(r1).then().statusCode(401).body("error", org.hamcrest.Matchers.equalTo("invalid_refresh"));
        refresh(r2).then().statusCode(401);

        // Logout of this device: its refresh token is refused afterwards.
        String r3 = login(a[0], a[1]).cookie("chat_refresh");
        given().baseUri(stack().baseUrl()).cookie("chat_refresh", r3).post("/api/auth/logout").then().statusCode(204);
        refresh(r3).then().statusCode(401);
    }

    /**
     * An access token of a revoked session is refused (401 with the JSON body) by chat-node's REST API and
     * presence-service's, not only by user-service, within their staleness bound (1 s: they answer from an in-memory
     * view of the revoked sessions): after logout of its device, and after a password change made on another device
     * (which revokes every other session); the device that changed the password keeps working.
     */
    @Test
    void aRevokedSessionsAccessTokenIsRefusedByEveryService() {
        String[] a = account("revoked");
        Response laptop = login(a[0], a[1]);
        Response phone = login(a[0], a[1]);
        Response tablet = login(a[0], a[1]);
        String laptopToken = laptop.path("token");
        String phoneToken = phone.path("token");
        String tabletToken = tablet.path("token");
        assertAccepted(laptopToken, a[0]);

        given().baseUri(stack().baseUrl()).cookie("chat_refresh", laptop.cookie("chat_refresh"))
                .post("/api/auth/logout").then().statusCode(204);
        assertRefused(laptopToken, a[0], "after logout");
        assertAccepted(tabletToken, a[0]);

        given().baseUri(stack().baseUrl()).auth().oauth2(phoneToken).contentType(ContentType.JSON)
                .body(Map.of("currentPassword", a[1], "newPassword", "pw-" + UUID.randomUUID()))
                .post("/api/auth/password").then().statusCode(204);
        assertRefused(tabletToken, a[0], "after a password change on another device");
        assertAccepted(phoneToken, a[0]);
    }

    private static void assertAccepted(String token, String self) {
        for (String path : new String[] {"/api/conversations", "/api/groups", "/api/presence/" + self}) {
            given().baseUri(stack().baseUrl()).auth().oauth2(token).get(path).then().statusCode(200);
        }
    }

    private static void assertRefused(String token, String self, String when) {
        for (String path : new String[] {"/api/conversations", "/api/groups", "/api/presence/" + self}) {
            // The bound is 1 s; the deadline leaves a loaded machine room (a poll, not a timing assertion), and
            // HAProxy's 503 while an overloaded service is out of its backend is asked again, not taken as the answer.
            Response r = Poll.until(Duration.ofSeconds(20),
                    () -> given().baseUri(stack().baseUrl()).auth().oauth2(token).get(path),
                    x -> x.statusCode() == 401,
                    x -> when + ": " + path + " still answers " + x.statusCode() + " " + x.asString());
            assertEquals(401, r.statusCode(), when + ": " + path + " answered " + r.statusCode() + " " + r.asString());
            assertEquals("unauthorized", r.path("error"), when + ": " + path + " " + r.asString());
        }
    }

    /**
     * Logout of one device closes that session's sockets on every chat node (each node reads the revocations once a
     * second), and only that session's; logout everywhere then closes the account's other sessions' sockets on every
     * node. Sockets are opened on each node's own port, so all three nodes are seen to close them.
     */
    @Test
    void logoutClosesTheSessionsSocketsOnEveryNode() {
        String[] a = account("bye");
        Response laptop = login(a[0], a[1]);
        Response phone = login(a[0], a[1]);
        List<ChatClient> laptopSockets = new ArrayList<>();
        List<ChatClient> phoneSockets = new ArrayList<>();
        try {
            for (int i = 1; i <= 3; i++) {
                URI node = URI.create(stack().nodeUrl(i).replaceFirst("^http", "ws") + "/ws/chat");
                laptopSockets.add(ChatClient.connect(node, laptop.path("token")));
                phoneSockets.add(ChatClient.connect(node, phone.path("token")));
            }
            given().baseUri(stack().baseUrl()).cookie("chat_refresh", laptop.cookie("chat_refresh"))
                    .post("/api/auth/logout").then().statusCode(204);
            refresh(laptop.cookie("chat_refresh")).then().statusCode(401);
            awaitSignedOut(laptopSockets, "after logout of the laptop");
            for (ChatClient c : phoneSockets) {
                assertTrue(c.isOpen(), "the phone's session is another: its sockets stay open");
            }

            given().baseUri(stack().baseUrl()).auth().oauth2((String) phone.path("token"))
                    .post("/api/auth/logout-all").then().statusCode(204);
            refresh(phone.cookie("chat_refresh")).then().statusCode(401);
            awaitSignedOut(phoneSockets, "after logout everywhere");
        } finally {
            laptopSockets.forEach(ChatClient::close);
            phoneSockets.forEach(ChatClient::close);
        }
    }

    private static void awaitSignedOut(List<ChatClient> sockets, String when) {
        for (int i = 0; i < sockets.size(); i++) {
            ChatClient c = sockets.get(i);
            int node = i + 1;
            // The bound is about a second; the deadline leaves a loaded machine room (a poll, not a timing assertion).
            assertEquals(1008, c.awaitClose(WAIT), when + ": chat node " + node + " closed with 1008 (signed out)");
        }
    }

    @Test
    void anOpenSocketRenewsItsTokenWithReauth() {
        String[] a = account("reauth");
        Response signedIn = login(a[0], a[1]);
        String token = signedIn.path("token");
        Response renewed = refresh(signedIn.cookie("chat_refresh"));
        renewed.then().statusCode(200);
        String fresh = renewed.path("token");
        long exp = ((Number) renewed.path("expiresAt")).longValue();
        String[] other = account("reauth_peer");
        try (ChatClient c = ChatClient.connect(URI.create(stack().wsUrl()), token)) {
            c.send("{\"type\":\"reauth\",\"id\":\"r1\",\"token\":\"" + fresh + "\"}");
            JsonNode answer = c.await(frame("reauthed", "r1"), WAIT);
            assertEquals(exp, answer.get("exp").asLong(), "the socket now lives until the fresh token's exp");
            String otherToken = login(other[0], other[1]).path("token");
            c.send("{\"type\":\"reauth\",\"id\":\"r2\",\"token\":\"" + otherToken + "\"}");
            c.await(f -> "error".equals(f.path("type").asText()) && "r2".equals(f.path("id").asText())
                    && "wrong_user".equals(f.path("code").asText()), WAIT);
            String m = UUID.randomUUID().toString();
            c.sendMessage(m, other[0], "still open");
            c.await(frame("ack", m), WAIT);
        }
    }

    /**
     * 300 concurrent logins through HAProxy at the stack's bcrypt cost (the shipped 12): every one answered with a
     * token, or 429/503 with Retry-After (user-service's busy or throttled answers, or HAProxy's queue timeout); never
     * a timeout; and HAProxy never marks user-service DOWN (its check counter of UP-to-DOWN transitions does not move).
     */
    @Test
    void aLoginStormIsAnsweredAndUserServiceStaysUp() throws Exception {
        String[] a = account("storm");
        String body = "{\"username\":\"" + a[0] + "\",\"password\":\"" + a[1] + "\"}";
        Map<String, Integer> tally = storm("/api/auth/login", i -> body, 200);
        System.out.println("300 concurrent logins through HAProxy: " + tally);
    }

    /**
     * 300 concurrent sign-ups (each a new name) through HAProxy at the stack's bcrypt cost: every one answered 201, or
     * 429/503 with Retry-After from the service, and HAProxy never marks user-service DOWN (issue 17's storm, the
     * sign-up half). The local stack raises the per-source sign-up limit, so this is the hashing pool's shedding.
     */
    @Test
    void aSignUpStormIsAnsweredAndUserServiceStaysUp() throws Exception {
        String prefix = "su" + UUID.randomUUID().toString().substring(0, 6) + "_";
        String password = "pw-" + UUID.randomUUID();
        Map<String, Integer> tally = storm("/api/users",
                i -> "{\"username\":\"" + prefix + i + "\",\"password\":\"" + password + "\"}", 201);
        System.out.println("300 concurrent sign-ups through HAProxy: " + tally);
    }

    /**
     * Sends 300 POSTs to {@code path} at once (body {@code i} for the i-th) and checks each answer is {@code ok} or
     * 429/503 with {@code Retry-After}, that some are {@code ok}, and that HAProxy kept user-service UP all along;
     * answers the tally of statuses and error codes.
     */
    private static Map<String, Integer> storm(String path, java.util.function.IntFunction<String> body, int ok)
            throws Exception {
        long downBefore = userServiceDownTransitions();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            HttpRequest req = HttpRequest.newBuilder(URI.create(stack().baseUrl() + path))
                    .timeout(Duration.ofSeconds(120)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body.apply(i))).build();
            answers.add(http.sendAsync(req, HttpResponse.BodyHandlers.ofString()));
        }
        Map<String, Integer> tally = new TreeMap<>();
        for (CompletableFuture<HttpResponse<String>> f : answers) {
            HttpResponse<String> r = f.get(180, java.util.concurrent.TimeUnit.SECONDS);
            int s = r.statusCode();
            String kind = s + (s == ok ? "" : " " + errorCode(r.body()));
            tally.merge(kind, 1, Integer::sum);
            assertTrue(s == ok || s == 429 || s == 503, "answered " + s + " " + r.body());
            if (s != ok) {
                assertTrue(r.headers().firstValue("Retry-After").isPresent(), s + " without Retry-After: " + r.body());
                // The service's own refusal (busy hashing, or its throttle), never HAProxy's: not its <NOSRV> or queue
                // timeout (503 unavailable), nor its rate limit (429 rate_limited).
                String code = errorCode(r.body());
                assertTrue(s == 503 ? code.equals("busy") : code.equals("too_many_attempts"),
                        s + " not from the service: " + r.body());
            }
        }
        assertTrue(tally.getOrDefault(Integer.toString(ok), 0) > 0, "some succeed: " + tally);
        assertEquals(downBefore, userServiceDownTransitions(), "HAProxy never marked user-service DOWN: " + tally);
        return tally;
    }

    private static String errorCode(String body) {
        int i = body.indexOf("\"error\":\"");
        return i < 0 ? "?" : body.substring(i + 9, body.indexOf('"', i + 9));
    }

    /** HAProxy's count of UP-to-DOWN transitions of the user_service servers (the stats CSV's chkdown). */
    private static long userServiceDownTransitions() {
        String csv = given().urlEncodingEnabled(false).get(stack().statsUrl() + "/stats;csv").asString();
        List<String> lines = csv.lines().toList();
        List<String> header = Arrays.asList(lines.get(0).replaceFirst("^# ", "").split(","));
        int chkdown = header.indexOf("chkdown");
        int status = header.indexOf("status");
        long total = 0;
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",", -1);
            if (f.length > chkdown && f[0].equals("user_service") && !f[1].equals("FRONTEND") && !f[1].equals("BACKEND")) {
                assertEquals("UP", f[status].split(" ")[0], "user-service server state: " + line);
                total += Long.parseLong(f[chkdown]);
            }
        }
        return total;
    }
}

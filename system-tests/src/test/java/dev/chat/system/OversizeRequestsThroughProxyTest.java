package dev.chat.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

import dev.chat.system.ProxyEdgeTest.Raw;

/**
 * Requests around the size limits, through HAProxy of the running stack: every answer carries the JSON error body.
 * Just under HAProxy's 414 and 431 thresholds the service answers (its own JSON 401 or 404, never its HTTP codec's
 * empty 414 or 431: HAProxy's thresholds sit below the codec's limits); just over, HAProxy answers 414 or 431 with
 * the JSON body. Each sweep crosses the threshold, so both sides are seen.
 */
@ResourceLock(Lanes.SHARED_STACK)
class OversizeRequestsThroughProxyTest {

    private static LocalStack stack() {
        return LocalStack.shared();
    }

    @Test
    void requestLinesAroundTheLimitGetAJsonAnswerFromTheServiceOrFromHaproxy() throws IOException {
        // pathq lengths: 4 KiB for chat-node and user-service, 16 KiB for presence-service (HAProxy: 4064 and 16352).
        sweepUris("/api/conversations/", 4030, 4100);
        sweepUris("/api/users/", 4030, 4100);
        sweepUris("/api/presence/", 16_320, 16_390);
    }

    @Test
    void headersAroundTheLimitGetAJsonAnswerFromTheServiceOrFromHaproxy() throws IOException {
        for (String path : List.of("/api/conversations", "/api/users/me", "/api/presence/x")) {
            List<Integer> statuses = new ArrayList<>();
            for (int filler = 19_850; filler <= 20_050; filler += 25) {
                Raw r = ask("GET " + path + " HTTP/1.1\r\nHost: x\r\nX-Filler: " + "a".repeat(filler)
                        + "\r\nConnection: close\r\n\r\n");
                assertJson(r, path + " with " + filler + " bytes of header", 431, "headers_too_large");
                statuses.add(r.status());
            }
            assertTrue(statuses.contains(431) && statuses.stream().anyMatch(x -> x != 431),
                    path + ": both sides of the limit: " + statuses);
        }
    }

    private static void sweepUris(String prefix, int from, int to) throws IOException {
        List<Integer> statuses = new ArrayList<>();
        for (int length = from; length <= to; length += 5) {
            String uri = prefix + "a".repeat(length - prefix.length());
            Raw r = ask("GET " + uri + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertJson(r, prefix + " with a " + length + "-byte URI", 414, "uri_too_long");
            statuses.add(r.status());
        }
        assertTrue(statuses.contains(414) && statuses.stream().anyMatch(x -> x != 414),
                prefix + ": both sides of the limit: " + statuses);
    }

    /**
     * The service's own answer (401 without a token, or 404 for a path it does not serve) or HAProxy's refusal with
     * {@code error}, each with the JSON error body; never the codec's empty 414 or 431, nor HAProxy's HTML 400.
     */
    private static void assertJson(Raw r, String what, int refusal, String error) {
        assertTrue(r.status() == 401 || r.status() == 404 || r.status() == refusal, what + ": " + r);
        assertTrue(String.valueOf(r.headers().get("content-type")).startsWith("application/json"), what + ": " + r);
        assertTrue(r.status() != refusal || r.body().contains("\"error\":\"" + error + "\""), what + ": " + r);
        assertTrue(r.body().contains("\"error\":\"") && r.body().contains("\"message\":"), what + ": " + r);
    }

    private static Raw ask(String request) throws IOException {
        return ProxyEdgeTest.raw("127.0.0.1", URI.create(stack().baseUrl()).getPort(), request);
    }
}

package dev.chat.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

class FramesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aSendIsValidJsonWhateverTheBodyHolds() throws Exception {
        String body = "quote \" backslash \\ newline \n tab \t nul \u0000 é 😀";
        JsonNode n = JSON.readTree(Frames.send("id-1", "bob", body));
        assertEquals("send", n.path("type").asText());
        assertEquals("id-1", n.path("id").asText());
        assertEquals("bob", n.path("to").asText());
        assertEquals(body, n.path("body").asText());
        assertEquals(4, n.size());
    }

    @Test
    void anAckCarriesTheIdEscaped() throws Exception {
        assertEquals("{\"type\":\"ack\",\"id\":\"abc\"}", Frames.ack("abc"));
        assertEquals("a\"b", JSON.readTree(Frames.ack("a\"b")).path("id").asText());
    }

    @Test
    void nullsAreWrittenAsJsonNull() throws Exception {
        JsonNode n = JSON.readTree(Frames.send(null, "bob", null));
        assertTrue(n.path("id").isNull());
        assertTrue(n.path("body").isNull());
        assertTrue(JSON.readTree(Frames.ack(null)).path("id").isNull());
    }

    @Test
    void aMsgIsReadWithEveryField() {
        Frame f = Frames.read("{\"type\":\"msg\",\"id\":\"m1\",\"from\":\"alice\",\"to\":\"bob\",\"body\":\"hi\\n\","
                + "\"ts\":1700000000000,\"extra\":{\"nested\":[1,2]}}");
        assertTrue(f.readable());
        assertTrue(f.isMsg());
        assertEquals(new Frame("msg", "m1", "alice", "bob", "hi\n", 1700000000000L, null, null, -1, null), f);
    }

    @Test
    void anErrorSaysWhenToTryAgain() {
        Frame unavailable = Frames.read("{\"type\":\"error\",\"id\":\"m1\",\"code\":\"unavailable\",\"message\":\"x\"}");
        Frame limited = Frames.read("{\"type\":\"error\",\"id\":\"m2\",\"code\":\"rate_limited\",\"retryAfterMs\":7}");
        Frame limitedNoHint = Frames.read("{\"type\":\"error\",\"id\":\"m2\",\"code\":\"rate_limited\"}");
        Frame refused = Frames.read("{\"type\":\"error\",\"id\":null,\"code\":\"bad_request\",\"message\":\"no\"}");
        assertEquals(500, Frames.retryAfterMillis(unavailable));
        assertEquals(50, Frames.retryAfterMillis(limited), "at least 50 ms");
        assertEquals(1000, Frames.retryAfterMillis(limitedNoHint));
        assertEquals(-1, Frames.retryAfterMillis(refused));
        assertNull(refused.id(), "a null id is no id");
        assertEquals("no", refused.message());
    }

    @Test
    void eachUnavailableForTheSameSendDoublesTheWaitUpToItsCap() {
        Frame unavailable = Frames.read("{\"type\":\"error\",\"id\":\"m1\",\"code\":\"unavailable\",\"message\":\"x\"}");
        long[] waits = new long[7];
        for (int n = 0; n < waits.length; n++) {
            waits[n] = Frames.retryAfterMillis(unavailable, n);
        }
        assertArrayEquals(new long[] {500, 1000, 2000, 4000, 8000, 8000, 8000}, waits);
        assertEquals(8000, Frames.retryAfterMillis(unavailable, Integer.MAX_VALUE), "no overflow");
        // A server's hint is a floor, never a ceiling.
        Frame hinted = Frames.read("{\"type\":\"error\",\"id\":\"m1\",\"code\":\"unavailable\",\"retryAfterMs\":3000}");
        assertEquals(3000, Frames.retryAfterMillis(hinted, 0));
        assertEquals(4000, Frames.retryAfterMillis(hinted, 3));
        // Writes again for want of an answer: resend-after, then twice as long each time, up to 8 times it.
        long[] resend = new long[6];
        for (int n = 0; n < resend.length; n++) {
            resend[n] = Frames.resendWaitNanos(6, n);
        }
        assertArrayEquals(new long[] {6, 12, 24, 48, 48, 48}, resend);
        // rate_limited follows its hint whatever came before.
        Frame limited = Frames.read("{\"type\":\"error\",\"id\":\"m2\",\"code\":\"rate_limited\",\"retryAfterMs\":70}");
        assertEquals(70, Frames.retryAfterMillis(limited, 5));
    }

    @Test
    void textThatIsNotOneObjectIsUnreadableNotThrown() {
        for (String bad : new String[] {"", "nope", "[1]", "{\"type\":", "{\"id\":\"x\"}", "{\"type\":\"ack\"} {}",
                "{\"type\":7}"}) {
            Frame f = Frames.read(bad);
            assertFalse(f.readable(), bad);
            assertEquals(bad, f.text());
        }
    }

    @Test
    void extensionsKeepTheirType() {
        Frame f = Frames.read("{\"type\":\"receipt\",\"id\":\"m1\",\"seenBy\":[\"bob\"]}");
        assertTrue(f.readable());
        assertEquals("receipt", f.type());
        assertFalse(f.isAck() || f.isMsg() || f.isError());
    }
}

package dev.chat.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The session against {@link FakeChatServer} on loopback: what the contract asks of a client, and recovery. */
class ChatSessionTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** Short heartbeat and backoff; resends only when a test asks (a minute is past every test's end). */
    private static final ChatSession.Options OPTIONS = new ChatSession.Options(Duration.ofSeconds(5),
            Duration.ofMillis(100), Duration.ofMillis(600), Duration.ofMillis(20), Duration.ofMillis(200),
            Duration.ofMinutes(1));

    private FakeChatServer server;
    private Connector connector;
    private ScheduledExecutorService timer;
    private final List<ChatSession> sessions = new ArrayList<>();

    /** What a session's listener heard. */
    static final class Heard implements ChatSession.Listener {
        final List<String> acks = Collections.synchronizedList(new ArrayList<>());
        final List<String> shown = Collections.synchronizedList(new ArrayList<>());
        final List<String> repeats = Collections.synchronizedList(new ArrayList<>());
        final List<String> errors = Collections.synchronizedList(new ArrayList<>());
        final List<String> drops = Collections.synchronizedList(new ArrayList<>());
        final Map<String, Boolean> answered = new ConcurrentHashMap<>();

        @Override
        public void onAck(ChatSession s, String id, long firstSent, long at) {
            acks.add(id);
        }

        @Override
        public void onMessage(ChatSession s, ChatSession.Incoming m, boolean first, long at) {
            (first ? shown : repeats).add(m.id() + " from " + m.from() + ": " + m.body());
        }

        @Override
        public void onError(ChatSession s, String id, String code, String message) {
            errors.add(id + " " + code);
        }

        @Override
        public void onDisconnected(ChatSession s, long at, String reason) {
            drops.add(reason);
        }

        @Override
        public void onAnswerWait(ChatSession s, String id, long writtenAt, long endedAt, boolean wasAnswered) {
            answered.merge(id, wasAnswered, (a, b) -> a || b);
        }

        @Override
        public String toString() {
            return "acks " + acks + ", shown " + shown + ", repeats " + repeats + ", errors " + errors + ", drops "
                    + drops;
        }
    }

    @BeforeEach
    void start() {
        server = new FakeChatServer();
        connector = Connector.of(server.uri(), null, Duration.ofSeconds(5));
        timer = Executors.newScheduledThreadPool(1);
    }

    @AfterEach
    void stop() {
        sessions.forEach(ChatSession::stop);
        timer.shutdownNow();
        connector.close();
        server.close();
    }

    private ChatSession open(String user, ChatSession.Options options, ChatSession.TokenSource tokens, Heard heard) {
        ChatSession s = new ChatSession(user, connector, tokens, options, timer, heard);
        sessions.add(s);
        s.start();
        Await.until(user + "'s socket opens", WAIT, s::isOpen, heard::toString);
        return s;
    }

    private ChatSession open(String user, Heard heard) {
        return open(user, OPTIONS, fresh -> "good:" + user, heard);
    }

    @Test
    void aSendIsAckedAndShownOnceAndTheRecipientAcksIt() {
        Heard a = new Heard();
        Heard b = new Heard();
        ChatSession alice = open("alice", a);
        open("bob", b);

        alice.send("m1", "bob", "hello \"bob\"\n");

        Await.until("the ack", WAIT, () -> a.acks.contains("m1"), a::toString);
        Await.until("bob shows it", WAIT, () -> b.shown.size() == 1, b::toString);
        assertEquals("m1 from alice: hello \"bob\"\n", b.shown.get(0));
        assertEquals(0, alice.pendingCount());
        assertEquals(Boolean.TRUE, a.answered.get("m1"), "the send's wait ended with an answer");
        Await.until("bob's ack reaches the server", WAIT, () -> server.unackedFor("bob") == 0, b::toString);
        assertEquals(List.of(), b.repeats);
    }

    @Test
    void anUnackedSendGoesAgainWithTheSameIdOnTheNextSocket() {
        Heard a = new Heard();
        Heard b = new Heard();
        ChatSession alice = open("alice", a);
        open("bob", b);
        server.swallowSends(1);

        alice.send("m1", "bob", "one");
        Await.until("the server saw the first write", WAIT, () -> server.writesOf("m1") == 1, a::toString);
        assertEquals(1, alice.pendingCount(), "unacked, so still kept");
        server.closeAll((short) 1012);

        Await.until("the ack after the reconnect", WAIT, () -> a.acks.contains("m1"), a::toString);
        assertEquals(2, server.writesOf("m1"), "written again on the new socket");
        assertEquals(List.of("m1"), server.acceptedFrom("alice"));
        assertTrue(alice.connects() >= 2, "reconnected: " + alice.connects());
        assertTrue(a.drops.stream().anyMatch(r -> r.startsWith("closed 1012")), a.drops.toString());
        Await.until("bob shows it", WAIT, () -> b.shown.size() == 1, b::toString);
    }

    @Test
    void aRedeliveredMessageIsAckedAgainButShownOnce() {
        Heard a = new Heard();
        Heard b = new Heard();
        ChatSession alice = open("alice", a);
        ChatSession bob = open("bob", b);
        server.ignoreAcks(true);

        alice.send("m1", "bob", "once");
        Await.until("bob shows it", WAIT, () -> b.shown.size() == 1, b::toString);
        server.closeAll((short) 1012);
        Await.until("the redelivery on bob's new socket", WAIT, () -> b.repeats.size() >= 1, b::toString);

        assertEquals(1, b.shown.size(), "shown once: " + b);
        assertTrue(b.repeats.get(0).startsWith("m1 "), b.toString());
        assertTrue(bob.connects() >= 2);
        assertEquals(List.of("m1"), a.acks);
    }

    @Test
    void aRefusedTokenIsReplacedByAFreshOne() {
        Heard h = new Heard();
        List<Boolean> asked = Collections.synchronizedList(new ArrayList<>());
        ChatSession carol = open("carol", OPTIONS, fresh -> {
            asked.add(fresh);
            return fresh ? "good:carol" : "expired";
        }, h);

        assertEquals(List.of(false, true), asked, "a stale token first, then a fresh one after the 401");
        assertEquals(1, server.refusals());
        assertEquals(1, carol.connects());
    }

    @Test
    void anUnavailableSendIsWrittenAgainSoonWithTheSameId() {
        Heard a = new Heard();
        ChatSession alice = open("alice", a);
        open("bob", new Heard());
        server.failSends(1, "unavailable");

        alice.send("m1", "bob", "retry me");

        Await.until("the ack of the retry", WAIT, () -> a.acks.contains("m1"), a::toString);
        assertEquals(List.of("m1 unavailable"), a.errors);
        assertEquals(2, server.writesOf("m1"), "the error asked for one more write, the same socket");
        assertEquals(1, alice.connects());
    }

    @Test
    void eachFurtherUnavailableForTheSameSendWaitsTwiceAsLong() {
        Heard a = new Heard();
        ChatSession alice = open("alice", a);
        open("bob", new Heard());
        server.failSends(4, "unavailable");

        alice.send("m1", "bob", "an overloaded node");

        Await.until("the ack of the fifth write", Duration.ofSeconds(30), () -> a.acks.contains("m1"), a::toString);
        List<Long> at = server.writeMillisOf("m1");
        assertEquals(5, at.size(), "four unavailable, then the ack: " + at);
        // 500 ms, 1 s, 2 s, 4 s (the session's timer ticks every 100 ms here, so each gap is at most a tick longer).
        assertGapsAtLeast(at, 500, 1000, 2000, 4000);
        assertEquals(1, alice.connects(), "all on one socket");
    }

    @Test
    void aSendWrittenAgainForWantOfAnAnswerWaitsTwiceAsLongForTheNext() {
        Heard a = new Heard();
        ChatSession.Options quick = new ChatSession.Options(OPTIONS.connectTimeout(), OPTIONS.pingInterval(),
                OPTIONS.silenceTimeout(), OPTIONS.backoffMin(), OPTIONS.backoffMax(), Duration.ofMillis(300));
        ChatSession alice = open("alice", quick, fresh -> "good:alice", a);
        open("bob", new Heard());
        server.swallowSends(3);

        alice.send("m1", "bob", "a node that answers nothing");

        Await.until("the ack of the fourth write", Duration.ofSeconds(30), () -> a.acks.contains("m1"), a::toString);
        List<Long> at = server.writeMillisOf("m1");
        assertEquals(4, at.size(), "three unanswered, then the ack: " + at);
        assertGapsAtLeast(at, 300, 600, 1200);
    }

    /** Each write after the first came at least {@code least[k]} ms (less 20 for the clocks) after the one before. */
    private static void assertGapsAtLeast(List<Long> at, long... least) {
        for (int k = 0; k < least.length; k++) {
            long gap = at.get(k + 1) - at.get(k);
            assertTrue(gap >= least[k] - 20, "write " + (k + 2) + " came " + gap + " ms after the one before: " + at);
        }
    }

    @Test
    void aFinalErrorIsReportedAndTheSendIsNotRewrittenBeforeResendAfter() {
        Heard a = new Heard();
        ChatSession alice = open("alice", a);
        server.failSends(1, "bad_request");

        alice.send("m1", "bob", "refused");

        Await.until("the error", WAIT, () -> a.errors.size() == 1, a::toString);
        assertEquals("m1 bad_request", a.errors.get(0));
        assertEquals(1, alice.pendingCount(), "kept: the caller decides; resendAfter (a minute) is far away");
        assertEquals(1, server.writesOf("m1"));
    }

    @Test
    void aSilentSocketIsGivenUpAndReplaced() {
        Heard h = new Heard();
        ChatSession dave = open("dave", h);
        server.mute("dave");

        Await.until("a second socket", WAIT, () -> dave.connects() >= 2 && dave.isOpen(), h::toString);
        assertTrue(h.drops.stream().anyMatch(r -> r.startsWith("silent for")), h.drops.toString());
    }

    @Test
    void sendsWhileClosedGoOutOnTheFirstSocketAndTheSameIdTwiceIsRefused() {
        Heard a = new Heard();
        ChatSession alice = new ChatSession("alice", connector, fresh -> "good:alice", OPTIONS, timer, a);
        sessions.add(alice);
        alice.send("m1", "bob", "early");
        assertThrows(IllegalArgumentException.class, () -> alice.send("m1", "bob", "again"));

        alice.start();

        Await.until("the ack", WAIT, () -> a.acks.contains("m1"), a::toString);
        assertEquals(1, server.writesOf("m1"));
    }

    @Test
    void stopClosesTheSocketAndStopsReconnecting() {
        Heard h = new Heard();
        ChatSession erin = open("erin", h);
        int upgrades = server.upgrades();

        erin.stop();

        Await.until("the server lets the socket go", WAIT, () -> server.unackedFor("erin") == 0 && !erin.isOpen(),
                h::toString);
        server.closeAll((short) 1012);
        alice(); // a second session proves the server still takes upgrades, so none from erin means none tried
        assertEquals(upgrades + 1, server.upgrades(), "only alice's upgrade; erin stays closed");
    }

    private void alice() {
        open("alice", new Heard());
    }
}

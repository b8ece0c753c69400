package dev.chat.loadgen.measure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

/** The wait for a steady system, on a fake clock: no test here sleeps. */
class SteadinessTest {
    private static final long MS = 1_000_000L;

    /** A clock that only sleeps move, and a reading that takes {@code readMillis} of it. */
    private static final class FakeTime {
        long now = 1_000 * MS;
        final List<Long> sleeps = new ArrayList<>();

        void sleep(long ms) {
            sleeps.add(ms);
            now += ms * MS;
        }
    }

    /** A check that holds from {@code from} ms on the fake clock, except in [{@code flapFrom}, {@code flapTo}). */
    private static Steadiness.Check holdsFrom(FakeTime t, long from, long flapFrom, long flapTo, String why) {
        return () -> {
            long ms = t.now / MS - 1_000;
            t.now += 20 * MS; // a reading takes 20 ms
            return ms >= from && (ms < flapFrom || ms >= flapTo) ? null : why;
        };
    }

    @Test
    void steadyOnceEveryCheckHeldForTheWholeHold() {
        FakeTime t = new FakeTime();
        Steadiness s = new Steadiness(List.of(holdsFrom(t, 0, -1, -1, "a"), holdsFrom(t, 3_000, -1, -1, "b: HTTP 503")),
                () -> t.now, t::sleep);
        Steadiness.Outcome o = s.await(Duration.ofSeconds(5), Duration.ofSeconds(95), Duration.ofMillis(100));
        assertTrue(o.steady(), o.toString());
        // b holds from 3 s; the hold of 5 s ends about 8 s after the start (a reading and a poll of slack).
        assertTrue(o.seconds() >= 8 && o.seconds() < 8.3, o.toString());
        assertTrue(o.notSteady().isEmpty());
    }

    @Test
    void aBreakDuringTheHoldStartsItAgain() {
        FakeTime t = new FakeTime();
        // Ready at 1 s, down again from 4 s to 4.5 s (a flap), then for good.
        Steadiness s = new Steadiness(List.of(holdsFrom(t, 1_000, 4_000, 4_500, "node UP->DOWN")), () -> t.now, t::sleep);
        Steadiness.Outcome o = s.await(Duration.ofSeconds(5), Duration.ofSeconds(95), Duration.ofMillis(100));
        assertTrue(o.steady(), o.toString());
        assertTrue(o.seconds() >= 9.5 && o.seconds() < 9.8, "5 s after the flap ended at 4.5 s: " + o);
    }

    @Test
    void notSteadyByTheDeadlineSaysWhatWasNot() {
        FakeTime t = new FakeTime();
        Steadiness s = new Steadiness(List.of(holdsFrom(t, 0, -1, -1, "a"), holdsFrom(t, 1_000_000, -1, -1, "chat-node-2 ready: HTTP 503"),
                holdsFrom(t, 1_000_000, -1, -1, "haproxy: chat_nodes/node2 DOWN")), () -> t.now, t::sleep);
        Steadiness.Outcome o = s.await(Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofMillis(100));
        assertFalse(o.steady());
        assertEquals(List.of("chat-node-2 ready: HTTP 503", "haproxy: chat_nodes/node2 DOWN"), o.notSteady());
        assertTrue(o.seconds() >= 30 && o.seconds() < 30.2, "gives up at the deadline, not later: " + o);
        assertTrue(t.sleeps.stream().allMatch(ms -> ms >= 1 && ms <= 100), "polls every 100 ms at most: " + t.sleeps);
    }

    @Test
    void steadyButNotForLongEnoughByTheDeadlineIsNotSteady() {
        FakeTime t = new FakeTime();
        Steadiness s = new Steadiness(List.of(holdsFrom(t, 28_000, -1, -1, "late")), () -> t.now, t::sleep);
        Steadiness.Outcome o = s.await(Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofMillis(100));
        assertFalse(o.steady(), o.toString());
        assertTrue(o.notSteady().isEmpty(), "everything held at the end, only not for the whole hold: " + o);
    }

    @Test
    void aZeroHoldIsTheFirstReadingWhereEverythingHolds() {
        FakeTime t = new FakeTime();
        Steadiness s = new Steadiness(List.of(holdsFrom(t, 0, -1, -1, "a")), () -> t.now, t::sleep);
        Steadiness.Outcome o = s.await(Duration.ZERO, Duration.ofSeconds(1), Duration.ofMillis(100));
        assertTrue(o.steady());
        assertTrue(t.sleeps.isEmpty(), "no wait at all: " + t.sleeps);
        assertThrows(IllegalArgumentException.class, () -> new Steadiness(List.of(), () -> 0, ms -> { }));
    }

    /**
     * The drill's wait after keepalived-stop, on the fake clock: the pair's reports as the script would read them
     * (keepalived of proxy1 stopped, proxy2 MASTER at once, proxy1 back as BACKUP at 2 s, a VRRP flap from 2.6 s to
     * 2.8 s that shows the VIP on both), and both HAProxies UP only from 1.5 s. Steady only a whole hold after the
     * last flap, and while waiting the outcome names the pair's part that is not steady.
     */
    @Test
    void theDrillsPairIsSteadyAHoldAfterItsLastFlap() {
        FakeTime t = new FakeTime();
        Steadiness.Check pair = () -> {
            long ms = t.now / MS - 1_000;
            t.now += 30 * MS; // bash reading the states
            String report = ms < 2_000 ? "proxy1 DOWN -\nproxy2 MASTER vip"
                    : ms >= 2_600 && ms < 2_800 ? "proxy1 BACKUP vip\nproxy2 MASTER vip"
                    : "proxy1 BACKUP -\nproxy2 MASTER vip";
            String why = VrrpPair.whyNot(report);
            return why == null ? null : "keepalived pair: " + why;
        };
        Steadiness s = new Steadiness(List.of(pair, holdsFrom(t, 1_500, -1, -1, "haproxy: chat_nodes/node-2 DOWN")),
                () -> t.now, t::sleep);
        assertEquals(List.of("keepalived pair: proxy1 keepalived not running", "haproxy: chat_nodes/node-2 DOWN"), s.notSteadyNow());
        Steadiness.Outcome o = s.await(Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofMillis(100));
        assertTrue(o.steady(), o.toString());
        assertTrue(o.seconds() >= 3.7 && o.seconds() < 4.0, "a hold of 1 s after the flap ended at 2.8 s: " + o);

        FakeTime t2 = new FakeTime();
        Steadiness never = new Steadiness(List.of(() -> {
            t2.now += 30 * MS;
            return "keepalived pair: " + VrrpPair.whyNot("proxy1 FAULT -\nproxy2 MASTER vip");
        }), () -> t2.now, t2::sleep);
        Steadiness.Outcome late = never.await(Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofMillis(100));
        assertFalse(late.steady());
        assertEquals(List.of("keepalived pair: proxy1 FAULT, not BACKUP"), late.notSteady());
    }

    @Test
    void haproxyIsSteadyWhenEveryServerOutsideTheIgnoredBackendsIsUp() {
        String csv = """
                # pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight
                public,FRONTEND,,,0,0,,,,,,,,,,,,OPEN,
                chat_nodes,node1,0,0,0,0,,,,,,,,,,,,UP,1
                chat_nodes,node2,0,0,0,0,,,,,,,,,,,,DOWN,1
                chat_nodes,BACKEND,0,0,0,0,,,,,,,,,,,,UP,1
                users,user1,0,0,0,0,,,,,,,,,,,,UP,1
                pg_primary,pg1,0,0,0,0,,,,,,,,,,,,DOWN,1
                """;
        Pattern pg = Pattern.compile("pg_.*");
        assertEquals("haproxy: chat_nodes/node2 DOWN", Steadiness.haproxyWhyNot(csv, pg));
        assertNull(Steadiness.haproxyWhyNot(csv.replace("DOWN,1\nchat_nodes,BACKEND", "UP,1\nchat_nodes,BACKEND"), pg));
        assertEquals("haproxy: chat_nodes/node2 DOWN, pg_primary/pg1 DOWN", Steadiness.haproxyWhyNot(csv, null));
        assertEquals("haproxy: no server", Steadiness.haproxyWhyNot("# pxname,svname,status\npublic,FRONTEND,OPEN\n", pg));
        // An added server before its first check passed ("UP 1/2") is not UP yet.
        assertEquals("haproxy: chat_nodes/node4 UP 1/2",
                Steadiness.haproxyWhyNot("# pxname,svname,status\nchat_nodes,node4,UP 1/2\n", pg));
    }

    @Test
    void theReadinessAndCommandChecksSayWhyNot() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        int[] status = {503};
        server.createContext("/q/health/ready", x -> {
            byte[] b = "{}".getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(status[0], b.length);
            x.getResponseBody().write(b);
            x.close();
        });
        server.start();
        try {
            Steadiness.Check c = Steadiness.ready("chat-node-1",
                    URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/q/health/ready"));
            assertEquals("chat-node-1 ready: HTTP 503", c.whyNot());
            status[0] = 200;
            assertNull(c.whyNot());
        } finally {
            server.stop(0);
        }
        assertNull(Steadiness.command("ok", "true", Duration.ofSeconds(10)).whyNot());
        assertEquals("pg pair: exit 1 (no sync standby)",
                Steadiness.command("pg pair", "echo checking; echo no sync standby; exit 1", Duration.ofSeconds(10)).whyNot());
        assertNull(Steadiness.vrrpPair("keepalived pair", "printf 'proxy1 BACKUP -\\nproxy2 MASTER vip\\n'",
                Duration.ofSeconds(10)).whyNot());
        assertEquals("keepalived pair: proxy2 FAULT, not BACKUP", Steadiness.vrrpPair("keepalived pair",
                "echo proxy1 MASTER vip; echo proxy2 FAULT -", Duration.ofSeconds(10)).whyNot());
        assertEquals("keepalived pair: state unreadable, exit 2 (no run dir)",
                Steadiness.vrrpPair("keepalived pair", "echo no run dir; exit 2", Duration.ofSeconds(10)).whyNot());
    }
}

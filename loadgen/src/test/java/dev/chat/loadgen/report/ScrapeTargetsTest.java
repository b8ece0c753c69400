package dev.chat.loadgen.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class ScrapeTargetsTest {
    /** The shape of Prometheus 2's GET /api/v1/targets?state=active (fields the check does not read left out). */
    private static final String ANSWER = """
            {"status":"success","data":{"activeTargets":[
             {"labels":{"instance":"10.1.2.20:8121","job":"chat-node"},"scrapePool":"chat-node","health":"up","lastError":""},
             {"labels":{"instance":"10.1.2.11:8084","job":"haproxy-pair"},"scrapePool":"haproxy-pair","health":"up","lastError":""},
             {"labels":{"instance":"10.1.2.12:8084","job":"haproxy-pair"},"scrapePool":"haproxy-pair","health":"%s","lastError":"%s"}
            ],"droppedTargets":[]}}
            """;

    @Test
    void everyTargetUpAndEveryExpectedOneThereIsOk() {
        List<ScrapeTargets.Target> t = ScrapeTargets.parse(ANSWER.formatted("up", ""));
        assertEquals(3, t.size());
        assertEquals(new ScrapeTargets.Target("haproxy-pair", "10.1.2.12:8084", "up", ""), t.get(2));
        ScrapeTargets.Verdict v = ScrapeTargets.judge(t, List.of("10.1.2.11:8084", "10.1.2.12:8084"));
        assertTrue(v.ok(), v.toString());
    }

    @Test
    void aTargetDownOrNeverScrapedFailsAndIsNamed() {
        ScrapeTargets.Verdict down = ScrapeTargets.judge(ScrapeTargets.parse(ANSWER.formatted("down", "connection refused")), List.of());
        assertFalse(down.ok());
        assertEquals(List.of("haproxy-pair 10.1.2.12:8084: down (connection refused)"), down.down());
        assertFalse(ScrapeTargets.judge(ScrapeTargets.parse(ANSWER.formatted("unknown", "")), List.of()).ok());
    }

    @Test
    void anExpectedTargetPrometheusDoesNotScrapeFails() {
        ScrapeTargets.Verdict v = ScrapeTargets.judge(ScrapeTargets.parse(ANSWER.formatted("up", "")), List.of("10.1.2.13:8084"));
        assertFalse(v.ok());
        assertEquals(List.of("10.1.2.13:8084"), v.missing());
    }

    @Test
    void noAnswerOrAnErrorIsNoTargetAndNotOk() {
        assertEquals(List.of(), ScrapeTargets.parse(""));
        assertEquals(List.of(), ScrapeTargets.parse("{\"status\":\"error\",\"error\":\"bad\"}"));
        assertEquals(List.of(), ScrapeTargets.parse("<html>"));
        assertFalse(ScrapeTargets.judge(List.of(), List.of()).ok());
    }
}

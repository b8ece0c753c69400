package dev.chat.loadgen.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class AlertPostsTest {
    /** What Alertmanager posts to a webhook (version 4), as notify.sh's alert and a rule's alert make it. */
    private static String post(String host, String state) {
        return """
                {"version":"4","status":"firing","receiver":"webhook","groupLabels":{"alertname":"VrrpTransition"},
                 "alerts":[{"status":"firing","labels":{"alertname":"VrrpTransition","host":"%s","state":"%s","vrrp":"VI_CHAT"},
                 "annotations":{"summary":"..."},"startsAt":"2026-12-06T16:40:00Z","endsAt":"2026-12-06T16:45:00Z"},
                 {"status":"firing","labels":{"alertname":"ChatNodeDown","instance":"10.1.2.20:8123"}}]}
                """.formatted(host, state);
    }

    @Test
    void eachHostsVrrpStatesAreCollectedOnceEachAndOtherAlertsKeptApart() {
        List<AlertPosts.Alert> all = new ArrayList<>();
        all.addAll(AlertPosts.parse(post("proxy1", "MASTER")));
        all.addAll(AlertPosts.parse(post("proxy2", "BACKUP")));
        all.addAll(AlertPosts.parse(post("proxy1", "FAULT")));
        all.addAll(AlertPosts.parse(post("proxy1", "MASTER")));
        assertEquals(8, all.size());
        assertEquals("ChatNodeDown", all.get(1).name());
        assertEquals(Map.of("proxy1", List.of("MASTER", "FAULT"), "proxy2", List.of("BACKUP")), AlertPosts.vrrpTransitions(all));
    }

    @Test
    void aBodyThatIsNoPostHoldsNoAlert() {
        assertEquals(List.of(), AlertPosts.parse(""));
        assertEquals(List.of(), AlertPosts.parse("not json"));
        assertEquals(List.of(), AlertPosts.parse("{\"alerts\":\"no\"}"));
    }
}

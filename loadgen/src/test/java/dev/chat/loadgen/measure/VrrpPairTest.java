package dev.chat.loadgen.measure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The drill's verdict on its keepalived pair, from the states the script reads. */
class VrrpPairTest {
    @Test
    void oneMasterHoldingTheVipAndOneBackupIsSteady() {
        assertNull(VrrpPair.whyNot("proxy1 MASTER vip\nproxy2 BACKUP -\n"));
        // Either way round (after a takeover without preempt the VIP stays on proxy2).
        assertNull(VrrpPair.whyNot("proxy1 BACKUP -\nproxy2 MASTER vip"));
    }

    @Test
    void namesEachHostThatIsNotWhereItShouldBe() {
        assertEquals("proxy2 FAULT, not BACKUP", VrrpPair.whyNot("proxy1 MASTER vip\nproxy2 FAULT -"));
        assertEquals("proxy1 keepalived not running", VrrpPair.whyNot("proxy1 DOWN -\nproxy2 MASTER vip"));
        // keepalived crashed (kill -9) leaves its VIP behind: two holders until someone removes it.
        assertEquals("the VIP on proxy1 and proxy2; proxy1 keepalived not running (the VIP still on it)",
                VrrpPair.whyNot("proxy1 DOWN vip\nproxy2 MASTER vip"));
        assertEquals("the VIP on no host; proxy1 MASTER without the VIP", VrrpPair.whyNot("proxy1 MASTER -\nproxy2 BACKUP -"));
        assertEquals("proxy1 MASTER without the VIP; proxy2 BACKUP holding the VIP, not MASTER",
                VrrpPair.whyNot("proxy1 MASTER -\nproxy2 BACKUP vip"));
        // Started, but no transition logged yet by notify.sh.
        assertEquals("proxy2 NONE, not BACKUP", VrrpPair.whyNot("proxy1 MASTER vip\nproxy2 NONE -"));
    }

    @Test
    void aReportOfAnotherShapeIsNotSteadyAndSaysSo() {
        assertEquals("not a pair: 1 host reported", VrrpPair.whyNot("proxy1 MASTER vip"));
        assertEquals("not a pair: 0 hosts reported", VrrpPair.whyNot(""));
        assertEquals("unreadable state: not NAME STATE vip|-: 'proxy1 MASTER yes'", VrrpPair.whyNot("proxy1 MASTER yes\nproxy2 BACKUP -"));
        assertThrows(IllegalArgumentException.class, () -> VrrpPair.parse("proxy1 MASTER"));
        assertEquals(List.of(new VrrpPair.Host("proxy1", "MASTER", true), new VrrpPair.Host("proxy2", "BACKUP", false)),
                VrrpPair.parse("\n  proxy1  MASTER vip \n\nproxy2 BACKUP -\n"));
    }
}

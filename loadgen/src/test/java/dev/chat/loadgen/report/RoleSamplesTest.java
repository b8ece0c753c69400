package dev.chat.loadgen.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class RoleSamplesTest {
    private static final List<String> CUT = List.of(
            "1000 pg-1=primary:2 pg-2=standby:2",
            "2000 pg-1=primary:2 pg-2=standby:2",
            "garbage line",
            "2600 pg-1=primary:2 pg-2=down",
            "4500 pg-1=down pg-2=primary:3",
            "5000 pg-1=standby:3 pg-2=primary:3");

    @Test
    void fromTheCutItCountsSamplesAndTimesTheStepDownAndThePromotion() {
        RoleSamples.Analysis a = RoleSamples.parse(CUT).analyse(2000, "pg-1", "pg-2");
        assertEquals(4, a.samples());
        assertEquals(0, a.bothPrimary());
        assertEquals(2.5, a.isolatedLeftPrimaryAfter().getAsDouble());
        assertEquals(2.5, a.otherPromotedAfter().getAsDouble());
    }

    @Test
    void twoPrimariesInOneSampleAreCountedEvenBeforeTheCut() {
        RoleSamples r = RoleSamples.parse(List.of("900 pg-1=primary:2 pg-2=primary:2", "2100 pg-1=primary:2 pg-2=primary:3"));
        RoleSamples.Analysis a = r.analyse(2000, "pg-1", "pg-2");
        assertEquals(2, a.bothPrimary());
        assertEquals(1, a.samples());
        assertTrue(a.isolatedLeftPrimaryAfter().isEmpty());
        assertEquals(0.1, a.otherPromotedAfter().getAsDouble());
        assertEquals("primary:3", r.lastRole("pg-2"));
    }
}

package dev.chat.loadgen.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

class HistoTest {
    @Test
    void percentilesStayWithinTwoPercentOfTheExactOnes() {
        Random r = new Random(42);
        long[] values = new long[100_000];
        Histo h = new Histo();
        for (int i = 0; i < values.length; i++) {
            // log-normal-ish latencies from 50 us to seconds
            values[i] = (long) Math.exp(4 + r.nextGaussian() * 2);
            h.record(values[i]);
        }
        Arrays.sort(values);
        for (double q : new double[] {0.5, 0.9, 0.99, 0.999}) {
            double exact = values[(int) Math.ceil(q * values.length) - 1] / 1000.0;
            double got = h.percentileMillis(q);
            assertTrue(Math.abs(got - exact) <= Math.max(0.002, exact * 0.02), "q=" + q + ": " + got + " vs " + exact);
        }
        assertEquals(values[values.length - 1] / 1000.0, h.maxMillis(), 1e-9);
        assertEquals(values.length, h.count());
    }

    @Test
    void histogramsOfSeveralProcessesMergeExactlyThroughJson() {
        ObjectMapper json = new ObjectMapper();
        Histo a = new Histo();
        Histo b = new Histo();
        Histo all = new Histo();
        for (int i = 1; i <= 5000; i++) {
            (i % 2 == 0 ? a : b).record(i * 37L);
            all.record(i * 37L);
        }
        Histo merged = Histo.fromJson(json.valueToTree(a.toJson(json)));
        merged.merge(Histo.fromJson(b.toJson(json)));
        for (double q : new double[] {0.5, 0.9, 0.99, 0.999, 1.0}) {
            assertEquals(all.percentileMillis(q), merged.percentileMillis(q), 1e-9, "q=" + q);
        }
        assertEquals(all.count(), merged.count());
    }

    @Test
    void smallAndHugeValuesHaveBuckets() {
        Histo h = new Histo();
        h.record(0);
        h.record(1);
        h.record(63);
        h.record(64);
        h.record(Long.MAX_VALUE / 2);
        assertEquals(5, h.count());
        assertEquals(0.063, h.percentileMillis(0.6), 1e-9);
        assertTrue(Double.isNaN(new Histo().percentileMillis(0.5)));
    }

    @Test
    void theCurveHoldsOnlyQuantilesTheSamplesFillThenTheMaximum() {
        ObjectMapper json = new ObjectMapper();
        Histo h = new Histo();
        for (int i = 1; i <= 1000; i++) {
            h.record(i * 1000L);
        }
        var curve = h.curveJson(json);
        // 1,000 samples fill 0.5 .. 0.999 (one sample above the 99.9th) but not 0.9995 or 0.9999; then the maximum.
        assertEquals(8, curve.size(), curve.toString());
        assertEquals(0.5, curve.get(0).get(0).asDouble());
        assertEquals(h.percentileMillis(0.5), curve.get(0).get(1).asDouble(), 1e-9);
        assertEquals(0.999, curve.get(6).get(0).asDouble());
        assertEquals(1.0, curve.get(7).get(0).asDouble());
        assertEquals(1000.0, curve.get(7).get(1).asDouble(), 1e-9);
        for (int k = 1; k < curve.size(); k++) {
            assertTrue(curve.get(k).get(1).asDouble() >= curve.get(k - 1).get(1).asDouble(), "never falls: " + curve);
        }
        assertEquals(0, new Histo().curveJson(json).size());
    }
}

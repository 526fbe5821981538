package io.capwatch.prevalence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.datasketches.hll.HllSketch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HostSketchesTest {
    private static final int LG_K = PrevalenceDerivation.Settings.DEFAULT_LG_K;
    /** Three relative standard errors of a sketch with 2^12 registers: 1.04 / 64 each. */
    private static final double THREE_STANDARD_ERRORS = 3 * 1.04 / Math.sqrt(1 << LG_K);

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 10, 50})
    void smallCountsAreExact(int hosts) {
        assertEquals(hosts, HostSketches.estimate(roundTrip(sketchOf(0, hosts))));
    }

    @ParameterizedTest
    @ValueSource(ints = {1_000, 100_000})
    void largeCountsStayWithinError(int hosts) {
        long estimate = HostSketches.estimate(roundTrip(sketchOf(0, hosts)));
        double error = Math.abs(estimate - hosts) / (double) hosts;
        assertTrue(
                error <= THREE_STANDARD_ERRORS,
                hosts + " hosts estimated as " + estimate + ", off by " + error);
    }

    @Test
    void unionCountsHostOnceAcrossBuckets() {
        HllSketch monday = sketchOf(0, 30);
        HllSketch tuesday = sketchOf(20, 30);
        assertEquals(50, HostSketches.estimate(LG_K, List.of(monday, tuesday)));
    }

    @Test
    void oneHostSerializesToTwelveBytes() {
        assertEquals(12, HostSketches.toBytes(sketchOf(0, 1)).length);
    }

    @Test
    void fullSketchSerializesToAboutTwoKilobytes() {
        int bytes = HostSketches.toBytes(sketchOf(0, 100_000)).length;
        assertTrue(bytes <= (1 << (LG_K - 1)) + 64, bytes + " bytes");
    }

    @Test
    void serializationWorksInThisJvm() {
        HostSketches.requireSerialization();
    }

    private static HllSketch sketchOf(int first, int count) {
        HllSketch sketch = HostSketches.create(LG_K);
        for (int i = first; i < first + count; i++) {
            sketch.update("host-" + i + ".corp.example");
        }
        return sketch;
    }

    private static HllSketch roundTrip(HllSketch sketch) {
        return HostSketches.fromBytes(HostSketches.toBytes(sketch));
    }
}

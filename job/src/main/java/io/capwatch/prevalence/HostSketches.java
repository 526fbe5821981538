package io.capwatch.prevalence;

import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.hll.TgtHllType;
import org.apache.datasketches.hll.Union;

/**
 * HyperLogLog sketches of distinct host names, built with Apache DataSketches and kept in Flink
 * state as their compact serialization.
 *
 * <p>A sketch with {@code 2^lgK} registers has a relative standard error of about {@code 1.04 /
 * sqrt(2^lgK)}: 1.6 % at lgK 12, 0.8 % at lgK 14. Until it holds about {@code 3/4 * 2^(lgK-3)}
 * distinct values (384 at lgK 12, 1,536 at lgK 14) it stores the values' hashed coupons rather
 * than registers, and its estimate rounds to the exact count.
 */
public final class HostSketches {
    /** 4-bit registers: the smallest serialization, about {@code 2^(lgK-1)} bytes when full. */
    static final TgtHllType TYPE = TgtHllType.HLL_4;

    private HostSketches() {}

    /** Creates an empty sketch with {@code 2^lgK} registers. */
    public static HllSketch create(int lgK) {
        return new HllSketch(lgK, TYPE);
    }

    /** Reads a sketch from the bytes {@link #toBytes} wrote. */
    public static HllSketch fromBytes(byte[] bytes) {
        return HllSketch.heapify(bytes);
    }

    /** Serializes a sketch compactly: 12 bytes for one host, at most about 2 KB at lgK 12. */
    public static byte[] toBytes(HllSketch sketch) {
        return sketch.toCompactByteArray();
    }

    /** Returns the estimate of distinct hosts in the union of {@code sketches}, rounded. */
    public static long estimate(int lgK, Iterable<HllSketch> sketches) {
        return Math.round(unionOf(lgK, sketches).getEstimate());
    }

    /** Returns the union of {@code sketches} as a sketch with {@code 2^lgK} registers. */
    public static HllSketch union(int lgK, Iterable<HllSketch> sketches) {
        return unionOf(lgK, sketches).getResult(TYPE);
    }

    private static Union unionOf(int lgK, Iterable<HllSketch> sketches) {
        Union union = new Union(lgK);
        for (HllSketch sketch : sketches) {
            union.update(sketch);
        }
        return union;
    }

    /** Returns the estimate of one sketch, rounded. */
    public static long estimate(HllSketch sketch) {
        return Math.round(sketch.getEstimate());
    }

    /**
     * Checks that this JVM can serialize sketches, and fails with the fix when it cannot.
     *
     * <p>datasketches-java 7.0.1 serializes through datasketches-memory 4.1, which is built on the
     * foreign-memory API that Java 17 ships as the incubator module {@code jdk.incubator.foreign}.
     * The JVM only loads that module with {@code --add-modules=jdk.incubator.foreign}; without it
     * the first serialization fails with {@link NoClassDefFoundError}. Java 21 and later no longer
     * have the module, so this library version runs on Java 17 only.
     *
     * @throws IllegalStateException when sketches cannot be serialized here
     */
    public static void requireSerialization() {
        try {
            HllSketch probe = create(4);
            probe.update("probe");
            fromBytes(toBytes(probe));
        } catch (LinkageError e) {
            throw new IllegalStateException(
                    "Failed to serialize a HyperLogLog sketch on Java "
                            + Runtime.version().feature()
                            + ": start the JVM with --add-modules=jdk.incubator.foreign on Java 17"
                            + " (on a Flink cluster, add it to env.java.opts.all), or turn off"
                            + " --derive-prevalence and --group-alerts-window",
                    e);
        }
    }
}

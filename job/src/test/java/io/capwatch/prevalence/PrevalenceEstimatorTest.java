package io.capwatch.prevalence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The estimator on Flink's keyed operator test harness, with event time driven by hand. */
// Flink's test harnesses declare close() with InterruptedException; the tests let it propagate.
@SuppressWarnings("try")
class PrevalenceEstimatorTest {
    private static final String BINARY = "ab".repeat(32);
    private static final long DAY = Duration.ofDays(1).toMillis();
    private static final long DAY_0 = Instant.parse("2024-05-01T00:00:00Z").toEpochMilli();
    private static final double THREE_STANDARD_ERRORS = 3 * 1.04 / Math.sqrt(1 << 12);

    private static final PrevalenceDerivation.Settings SETTINGS =
            PrevalenceDerivation.Settings.defaults(50);

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 10, 50})
    void smallCountsAreExact(int hosts) throws Exception {
        try (var harness = harness(SETTINGS)) {
            startOnHosts(harness, hosts, DAY_0);
            assertEquals(hosts, last(harness).hostCount);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1_000, 100_000})
    void largeCountsStayWithinError(int hosts) throws Exception {
        // Every change is emitted, so the last record is the final estimate, not a throttled one.
        PrevalenceDerivation.Settings everyChange =
                new PrevalenceDerivation.Settings(
                        Duration.ofDays(30), Duration.ofDays(1), 12, 50, 1e-9);
        try (var harness = harness(everyChange)) {
            // Spread over three days, each host on two of them, so the union is exercised.
            for (int i = 0; i < hosts; i++) {
                long day = DAY_0 + (i % 3) * DAY;
                harness.processElement(start("host-" + i, day + i % 1000), day + i % 1000);
                harness.processElement(start("host-" + i, day + DAY + 1), day + DAY + 1);
            }
            long estimate = last(harness).hostCount;
            double error = Math.abs(estimate - hosts) / (double) hosts;
            assertTrue(
                    error <= THREE_STANDARD_ERRORS,
                    hosts + " hosts estimated as " + estimate + ", off by " + error);
        }
    }

    @Test
    void everySmallCountIsEmitted() throws Exception {
        try (var harness = harness(SETTINGS)) {
            startOnHosts(harness, 50, DAY_0);
            List<PrevalenceRecord> records = harness.extractOutputValues();
            assertEquals(50, records.size());
            for (int i = 0; i < 50; i++) {
                assertEquals(i + 1, records.get(i).hostCount);
            }
        }
    }

    @Test
    void largeCountsAreThrottled() throws Exception {
        try (var harness = harness(SETTINGS)) {
            startOnHosts(harness, 1_000, DAY_0);
            List<PrevalenceRecord> records = harness.extractOutputValues();
            // 50 small counts, then one record per 10 % rise: 51, 57, 63, ... about 30 more.
            assertTrue(records.size() < 90, records.size() + " records");
            assertEquals(51, records.get(50).hostCount);
        }
    }

    @Test
    void heldBackCountIsEmittedAtBucketEnd() throws Exception {
        try (var harness = harness(SETTINGS)) {
            startOnHosts(harness, 60, DAY_0);
            assertEquals(57, last(harness).hostCount);
            harness.processWatermark(DAY_0 + DAY);
            assertEquals(60, last(harness).hostCount);
            assertEquals(DAY_0 + 59, last(harness).asOf);
        }
    }

    @Test
    void heldBackCountIsEmittedAtEndOfInput() throws Exception {
        try (var harness = harness(SETTINGS)) {
            startOnHosts(harness, 60, DAY_0);
            harness.processWatermark(Long.MAX_VALUE);
            assertEquals(60, last(harness).hostCount);
        }
    }

    @Test
    void repeatedHostEmitsOnce() throws Exception {
        try (var harness = harness(SETTINGS)) {
            harness.processElement(start("h1", DAY_0), DAY_0);
            harness.processElement(start("h1", DAY_0 + 1000), DAY_0 + 1000);
            harness.processElement(start("h1", DAY_0 + 2 * DAY), DAY_0 + 2 * DAY);
            assertEquals(1, harness.extractOutputValues().size());
        }
    }

    @Test
    void recordCarriesFirstSeenAndAsOf() throws Exception {
        try (var harness = harness(SETTINGS)) {
            harness.processElement(start("h1", DAY_0 + 5000), DAY_0 + 5000);
            harness.processElement(start("h2", DAY_0 + 9000), DAY_0 + 9000);
            PrevalenceRecord record = last(harness);
            assertEquals(BINARY, record.binary);
            assertEquals(2, record.hostCount);
            assertEquals(DAY_0 + 5000, record.firstSeen);
            assertEquals(DAY_0 + 9000, record.asOf);
            assertEquals(PrevalenceSource.DERIVED, record.source);
        }
    }

    @Test
    void sameMillisecondRecordsStayOrdered() throws Exception {
        try (var harness = harness(SETTINGS)) {
            harness.processElement(start("h1", DAY_0), DAY_0);
            harness.processElement(start("h2", DAY_0), DAY_0);
            harness.processElement(start("h3", DAY_0 - 10), DAY_0 - 10);
            List<PrevalenceRecord> records = harness.extractOutputValues();
            assertEquals(3, records.size());
            assertEquals(DAY_0, records.get(0).asOf);
            assertEquals(DAY_0 + 1, records.get(1).asOf);
            assertEquals(DAY_0 + 2, records.get(2).asOf);
            assertEquals(DAY_0 - 10, records.get(2).firstSeen);
        }
    }

    @Test
    void hostSeen31DaysAgoNoLongerCounts() throws Exception {
        try (var harness = harness(SETTINGS)) {
            harness.processElement(start("old-host-1", DAY_0), DAY_0);
            harness.processElement(start("old-host-2", DAY_0 + 1), DAY_0 + 1);
            harness.processElement(start("new-host", DAY_0 + 31 * DAY), DAY_0 + 31 * DAY);
            PrevalenceRecord record = last(harness);
            assertEquals(1, record.hostCount);
            assertEquals(DAY_0 + 31 * DAY, record.asOf);
            assertEquals(DAY_0 + 31 * DAY, record.firstSeen);
        }
    }

    @Test
    void hostSeen30DaysAgoStillCounts() throws Exception {
        try (var harness = harness(SETTINGS)) {
            harness.processElement(start("old-host", DAY_0), DAY_0);
            long later = DAY_0 + 30 * DAY + 12 * 3600_000L;
            harness.processElement(start("new-host", later), later);
            assertEquals(2, last(harness).hostCount);
        }
    }

    @Test
    void watermarkExpiresBucketsAndClearsState() throws Exception {
        try (var harness = harness(SETTINGS)) {
            harness.processElement(start("h1", DAY_0), DAY_0);
            harness.processElement(start("h2", DAY_0 + DAY), DAY_0 + DAY);
            harness.processWatermark(DAY_0 + 31 * DAY);
            assertEquals(1, last(harness).hostCount);
            assertEquals(DAY_0 + 31 * DAY, last(harness).asOf);
            assertEquals(1, harness.numEventTimeTimers());

            harness.processWatermark(DAY_0 + 32 * DAY);
            assertEquals(0, last(harness).hostCount);
            assertEquals(0, harness.numKeyedStateEntries());
            assertEquals(0, harness.numEventTimeTimers());
        }
    }

    @Test
    void startBehindLookBackIsNotCounted() throws Exception {
        try (var harness = harness(SETTINGS)) {
            harness.processWatermark(DAY_0 + 40 * DAY);
            harness.processElement(start("h1", DAY_0), DAY_0);
            assertEquals(List.of(), harness.extractOutputValues());
            assertEquals(0, harness.numKeyedStateEntries());
        }
    }

    @Test
    void endOfInputKeepsLastEstimate() throws Exception {
        try (var harness = harness(SETTINGS)) {
            harness.processElement(start("h1", DAY_0), DAY_0);
            harness.processWatermark(Long.MAX_VALUE);
            assertEquals(1, harness.extractOutputValues().size());
            assertEquals(1, last(harness).hostCount);
        }
    }

    @Test
    void sketchesSurviveSnapshotAndRestore() throws Exception {
        OperatorSubtaskState snapshot;
        try (var harness = harness(SETTINGS)) {
            startOnHosts(harness, 10, DAY_0);
            snapshot = harness.snapshot(1, DAY_0 + 1000);
        }
        try (var restored = restore(SETTINGS, snapshot)) {
            restored.processElement(start("host-3", DAY_0 + 2000), DAY_0 + 2000);
            assertEquals(List.of(), restored.extractOutputValues());
            restored.processElement(start("host-new", DAY_0 + 3000), DAY_0 + 3000);
            PrevalenceRecord record = last(restored);
            assertEquals(11, record.hostCount);
            assertEquals(DAY_0, record.firstSeen);
            // The expiry timer came back with the state.
            restored.processWatermark(DAY_0 + 31 * DAY);
            assertEquals(0, last(restored).hostCount);
        }
    }

    @Test
    void stateStaysBoundedByLookBack() throws Exception {
        // 2,000 new hosts a day for 60 days: every daily sketch is full.
        long bytes =
                stateBytesOfOneBinary(
                        harness -> {
                            for (int day = 0; day < 60; day++) {
                                long time = DAY_0 + day * DAY;
                                for (int i = 0; i < 2_000; i++) {
                                    harness.processElement(
                                            start("host-" + day + "-" + i, time + i), time + i);
                                }
                                harness.processWatermark(time + DAY - 1);
                            }
                        });
        // 31 buckets and the older union, each at most 2,092 bytes at lgK 12.
        assertTrue(bytes <= 32 * 2_092 + 500, bytes + " bytes");
        assertTrue(bytes >= 31 * 2_000, bytes + " bytes");
    }

    @Test
    void rareBinaryStateIsSmall() throws Exception {
        // One host, every day for 30 days.
        long bytes =
                stateBytesOfOneBinary(
                        harness -> {
                            for (int day = 0; day < 30; day++) {
                                long time = DAY_0 + day * DAY;
                                harness.processElement(start("h1", time), time);
                            }
                        });
        assertTrue(bytes < 1_200, bytes + " bytes");
    }

    /** Feeds {@link #BINARY}'s starts into a harness. */
    private interface Scenario {
        void feed(KeyedOneInputStreamOperatorTestHarness<String, ProcessStart, PrevalenceRecord> h)
                throws Exception;
    }

    /**
     * Returns the bytes one binary adds to a heap-backend snapshot: the size with the scenario's
     * binary and a one-host binary, less the size with the one-host binary alone. That removes
     * what every snapshot carries once, such as serializer configurations.
     */
    private static long stateBytesOfOneBinary(Scenario scenario) throws Exception {
        ProcessStart other = new ProcessStart("cd".repeat(32), "h0", DAY_0);
        long baseline;
        try (var harness = harness(SETTINGS)) {
            harness.processElement(other, DAY_0);
            baseline = keyedStateBytes(harness.snapshot(1, DAY_0));
        }
        try (var harness = harness(SETTINGS)) {
            harness.processElement(other, DAY_0);
            scenario.feed(harness);
            long bytes = keyedStateBytes(harness.snapshot(1, DAY_0)) - baseline;
            System.out.println("Keyed state of one binary: " + bytes + " bytes");
            return bytes;
        }
    }

    @Test
    void stateTypesAreFlinkPojos() {
        assertInstanceOf(
                PojoTypeInfo.class, TypeInformation.of(PrevalenceEstimator.Progress.class));
        assertInstanceOf(PojoTypeInfo.class, TypeInformation.of(ProcessStart.class));
        assertInstanceOf(PojoTypeInfo.class, TypeInformation.of(PrevalenceRecord.class));
    }

    static ProcessStart start(String host, long timestamp) {
        return new ProcessStart(BINARY, host, timestamp);
    }

    private static void startOnHosts(
            KeyedOneInputStreamOperatorTestHarness<String, ProcessStart, PrevalenceRecord> harness,
            int hosts,
            long time)
            throws Exception {
        for (int i = 0; i < hosts; i++) {
            harness.processElement(start("host-" + i, time + i), time + i);
        }
    }

    private static PrevalenceRecord last(
            KeyedOneInputStreamOperatorTestHarness<String, ProcessStart, PrevalenceRecord>
                    harness) {
        List<PrevalenceRecord> records = harness.extractOutputValues();
        assertTrue(!records.isEmpty(), "no record emitted");
        return records.get(records.size() - 1);
    }

    private static long keyedStateBytes(OperatorSubtaskState snapshot) {
        long bytes = 0;
        for (KeyedStateHandle handle : snapshot.getManagedKeyedState()) {
            bytes += handle.getStateSize();
        }
        return bytes;
    }

    static KeyedOneInputStreamOperatorTestHarness<String, ProcessStart, PrevalenceRecord> harness(
            PrevalenceDerivation.Settings settings) throws Exception {
        var harness = create(settings);
        harness.open();
        return harness;
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, ProcessStart, PrevalenceRecord>
            restore(PrevalenceDerivation.Settings settings, OperatorSubtaskState snapshot)
                    throws Exception {
        var harness = create(settings);
        harness.initializeState(snapshot);
        harness.open();
        return harness;
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, ProcessStart, PrevalenceRecord>
            create(PrevalenceDerivation.Settings settings) throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new PrevalenceEstimator(settings)),
                start -> start.binary,
                Types.STRING);
    }

    @Test
    void firstSeenIsNullOnlyBeforeAnyStart() throws Exception {
        try (var harness = harness(SETTINGS)) {
            harness.processElement(start("h1", DAY_0), DAY_0);
            assertEquals(DAY_0, last(harness).firstSeen);
        }
        assertNull(new PrevalenceRecord().firstSeen);
    }
}

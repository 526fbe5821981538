package io.capwatch.correlation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.capwatch.event.SecurityEvent;
import io.capwatch.rule.Platform;
import io.capwatch.rule.RuleLoader;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The keyed gate on its own: what it hands CEP, with which timestamps, and that a key's state is
 * gone once the watermark has passed the key's last window.
 */
class CandidateGateTest {
    private static final long HOUR = Duration.ofHours(1).toMillis();
    private static final long T0 = 1_715_680_800_000L;
    private static final String KEY = "h1\u001f\\temp\\implant.exe\u001f100";

    private KeyedOneInputStreamOperatorTestHarness<String, Candidate, Candidate> harness;

    @BeforeEach
    void open() throws Exception {
        harness =
                ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                        new CandidateGate(RuleLoader.loadDefault()),
                        candidate -> candidate.key,
                        Types.STRING);
        harness.processWatermark(T0 - 1);
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    @Test
    void pairStampedWithConnectionTime() throws Exception {
        Candidate start = candidate(CandidateKind.START, T0);
        Candidate connection = candidate(CandidateKind.CONNECTION, T0 + 30_000);
        harness.processElement(start, start.timestamp());
        harness.processElement(connection, connection.timestamp());
        assertEquals(0, harness.extractOutputStreamRecords().size());

        harness.processWatermark(T0 + 30_000);

        List<StreamRecord<? extends Candidate>> out = harness.extractOutputStreamRecords();
        assertEquals(2, out.size());
        assertEquals(CandidateKind.START, out.get(0).getValue().kind);
        assertEquals(T0 + 30_000, out.get(0).getTimestamp());
        assertEquals(T0, out.get(0).getValue().timestamp());
        assertSame(CandidateKind.CONNECTION, out.get(1).getValue().kind);
        assertEquals(T0 + 30_000, out.get(1).getTimestamp());
    }

    @Test
    void outOfOrderStartStillPairs() throws Exception {
        Candidate connection = candidate(CandidateKind.CONNECTION, T0 + 30_000);
        Candidate start = candidate(CandidateKind.START, T0);
        harness.processElement(connection, connection.timestamp());
        harness.processElement(start, start.timestamp());

        harness.processWatermark(T0 + 60_000);

        assertEquals(2, harness.extractOutputStreamRecords().size());
    }

    @Test
    void laterConnectionsDoNotPairAgain() throws Exception {
        Candidate start = candidate(CandidateKind.START, T0);
        harness.processElement(start, start.timestamp());
        for (long offset = 1_000; offset <= 3_000; offset += 1_000) {
            Candidate connection = candidate(CandidateKind.CONNECTION, T0 + offset);
            harness.processElement(connection, connection.timestamp());
        }

        harness.processWatermark(T0 + 10_000);

        assertEquals(2, harness.extractOutputStreamRecords().size());
    }

    @Test
    void windowIncludesItsEnd() throws Exception {
        Candidate start = candidate(CandidateKind.START, T0);
        Candidate atEnd = candidate(CandidateKind.CONNECTION, T0 + HOUR);
        harness.processElement(start, start.timestamp());
        harness.processElement(atEnd, atEnd.timestamp());

        harness.processWatermark(T0 + HOUR);

        assertEquals(2, harness.extractOutputStreamRecords().size());
    }

    @Test
    void connectionAfterWindowIsDropped() throws Exception {
        Candidate start = candidate(CandidateKind.START, T0);
        Candidate late = candidate(CandidateKind.CONNECTION, T0 + HOUR + 1);
        harness.processElement(start, start.timestamp());
        harness.processElement(late, late.timestamp());

        harness.processWatermark(T0 + 2 * HOUR);

        assertEquals(0, harness.extractOutputStreamRecords().size());
    }

    @Test
    void signatureCompletesStartWithWaitingConnection() throws Exception {
        Candidate start = candidate(CandidateKind.START, T0);
        start.trust = Trust.UNKNOWN;
        Candidate connection = candidate(CandidateKind.CONNECTION, T0);
        Candidate signature = candidate(CandidateKind.SIGNATURE, T0 + 300);
        harness.processElement(start, start.timestamp());
        harness.processElement(connection, connection.timestamp());
        harness.processElement(signature, signature.timestamp());

        harness.processWatermark(T0 + 1_000);

        assertEquals(2, harness.extractOutputStreamRecords().size());
    }

    @Test
    void noStateAfterWindowsClose() throws Exception {
        Candidate unmatched = candidate(CandidateKind.START, T0);
        Candidate lonely = candidate(CandidateKind.CONNECTION, T0 + 5_000);
        lonely.key = KEY + "1";
        Candidate matched = candidate(CandidateKind.START, T0 + 1_000);
        matched.key = KEY + "2";
        Candidate completing = candidate(CandidateKind.CONNECTION, T0 + 2_000);
        completing.key = KEY + "2";
        for (Candidate candidate : List.of(unmatched, lonely, matched, completing)) {
            harness.processElement(candidate, candidate.timestamp());
        }
        harness.processWatermark(T0 + 10_000);
        assertEquals(1, harness.numKeyedStateEntries());

        // The last window, that of the start completed at T0 + 2 s, ends 1 h 1 ms after T0 + 1 s.
        harness.processWatermark(T0 + 1_000 + HOUR + 1);

        assertEquals(0, harness.numKeyedStateEntries());
        assertEquals(0, harness.numEventTimeTimers());
    }

    private static Candidate candidate(CandidateKind kind, long timestamp) {
        SecurityEvent event = new SecurityEvent();
        event.timestamp = timestamp;
        event.entityId = "proc-a";
        event.pid = 100;
        return new Candidate(kind, Trust.UNTRUSTED, KEY, Platform.WINDOWS, event);
    }
}

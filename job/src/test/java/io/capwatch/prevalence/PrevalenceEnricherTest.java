package io.capwatch.prevalence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.capwatch.alert.Alert;
import io.capwatch.correlation.Candidate;
import io.capwatch.correlation.CandidateKind;
import io.capwatch.correlation.Match;
import io.capwatch.correlation.Trust;
import io.capwatch.event.EventAction;
import io.capwatch.event.EventSource;
import io.capwatch.event.SecurityEvent;
import io.capwatch.ingest.RawRecord;
import io.capwatch.rule.Platform;
import io.capwatch.rule.RiskScoring;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** The enricher on Flink's keyed broadcast operator test harness. */
// Flink's test harnesses declare close() with InterruptedException; the tests let it propagate.
@SuppressWarnings("try")
class PrevalenceEnricherTest {
    private static final String SHA = "ab".repeat(32);
    private static final long T = Instant.parse("2024-05-14T10:00:00Z").toEpochMilli();
    private static final KeySelector<Match, String> BINARY_OF =
            match -> PrevalenceKey.of(match.start.event.sha256, match.start.event.executable);

    @Test
    void olderDerivedRecordDoesNotOverwriteNewer() throws Exception {
        try (var harness = open(0)) {
            harness.processBroadcastElement(derived(60, T + 2000), T);
            harness.processBroadcastElement(derived(1, T + 1000), T);
            harness.processElement(match(), T);
            Alert alert = onlyAlert(harness);
            assertEquals(60, alert.hostCount);
            assertEquals(47, alert.riskScore);
            assertEquals(PrevalenceSource.DERIVED, alert.prevalenceSource);
        }
    }

    @Test
    void recordWithEqualAsOfDoesNotOverwrite() throws Exception {
        try (var harness = open(0)) {
            harness.processBroadcastElement(derived(60, T), T);
            harness.processBroadcastElement(derived(1, T), T);
            harness.processElement(match(), T);
            assertEquals(60, onlyAlert(harness).hostCount);
        }
    }

    @Test
    void newerRecordReplacesOlder() throws Exception {
        try (var harness = open(0)) {
            harness.processBroadcastElement(fileRecord(1, T), T);
            harness.processBroadcastElement(derived(60, T + 1), T);
            harness.processElement(match(), T);
            Alert alert = onlyAlert(harness);
            assertEquals(60, alert.hostCount);
            assertEquals(PrevalenceSource.DERIVED, alert.prevalenceSource);
        }
    }

    @Test
    void alertBeforeAnyRecordIsUnknown() throws Exception {
        try (var harness = open(0)) {
            harness.processElement(match(), T);
            harness.processBroadcastElement(derived(1, T), T);
            harness.processElement(match(), T + 1);
            List<Alert> alerts = harness.extractOutputValues();
            assertEquals(2, alerts.size());
            assertFalse(alerts.get(0).prevalenceKnown);
            assertEquals(73, alerts.get(0).riskScore);
            assertNull(alerts.get(0).prevalenceSource);
            assertTrue(alerts.get(1).prevalenceKnown);
            assertEquals(99, alerts.get(1).riskScore);
        }
    }

    @Test
    void alertCarriesScoreAnchors() throws Exception {
        try (var harness = open(0)) {
            harness.processElement(match(), T);
            Alert alert = onlyAlert(harness);
            assertEquals(73, alert.scoreInputs.unknownPrevalence);
            assertEquals(1, alert.scoreInputs.rareMaxHosts);
            assertEquals(99, alert.scoreInputs.rare);
            assertEquals(50, alert.scoreInputs.commonMinHosts);
            assertEquals(47, alert.scoreInputs.common);
        }
    }

    @Test
    void prevalenceSurvivesRestoreWithoutFileReread() throws Exception {
        OperatorSubtaskState snapshot;
        try (var harness = open(1)) {
            harness.processBroadcastElement(fileRecord(60, T), T);
            harness.processBroadcastElement(new RawRecord("file:/prevalence.ndjson", null), T);
            snapshot = harness.snapshot(1, T);
        }
        // The restored operator still expects one file, but must not wait for it again.
        try (var restored = create(1)) {
            restored.initializeState(snapshot);
            restored.open();
            restored.processElement(match(), T + 1);
            Alert alert = onlyAlert(restored);
            assertTrue(alert.prevalenceKnown);
            assertEquals(60, alert.hostCount);
            assertEquals(47, alert.riskScore);
            assertEquals(PrevalenceSource.FILE, alert.prevalenceSource);
        }
    }

    @Test
    void restoredRecordStillRejectsStaleUpdate() throws Exception {
        OperatorSubtaskState snapshot;
        try (var harness = open(0)) {
            harness.processBroadcastElement(derived(60, T + 5000), T);
            snapshot = harness.snapshot(1, T);
        }
        try (var restored = create(0)) {
            restored.initializeState(snapshot);
            restored.open();
            restored.processBroadcastElement(derived(1, T), T);
            restored.processElement(match(), T + 1);
            assertEquals(60, onlyAlert(restored).hostCount);
        }
    }

    private static RawRecord derived(long hosts, long asOf) {
        return PrevalenceRecordJson.toDerivedRawRecord(new PrevalenceRecord(SHA, hosts, T, asOf));
    }

    private static RawRecord fileRecord(long hosts, long asOf) {
        return new RawRecord(
                "file:/prevalence.ndjson:0",
                PrevalenceRecordJson.toJson(new PrevalenceRecord(SHA, hosts, null, asOf)));
    }

    private static Match match() {
        SecurityEvent start = new SecurityEvent();
        start.source = EventSource.ENDPOINT;
        start.action = EventAction.PROCESS_START;
        start.timestamp = T;
        start.hostId = "h1";
        start.executable = "C:\\Users\\u\\Downloads\\tool.exe";
        start.pid = 42;
        start.sha256 = SHA;
        SecurityEvent connection = new SecurityEvent();
        connection.source = EventSource.ENDPOINT;
        connection.action = EventAction.NETWORK_CONNECTION;
        connection.timestamp = T + 1000;
        connection.hostId = "h1";
        connection.executable = start.executable;
        connection.pid = 42;
        connection.destinationIp = "93.184.216.34";
        return new Match(
                new Candidate(CandidateKind.START, Trust.UNTRUSTED, "h1", Platform.WINDOWS, start),
                new Candidate(CandidateKind.CONNECTION, null, "h1", Platform.WINDOWS, connection));
    }

    private static Alert onlyAlert(
            KeyedBroadcastOperatorTestHarness<String, Match, RawRecord, Alert> harness) {
        List<Alert> alerts = harness.extractOutputValues();
        assertEquals(1, alerts.size());
        return alerts.get(0);
    }

    private static KeyedBroadcastOperatorTestHarness<String, Match, RawRecord, Alert> open(
            int expectedFiles) throws Exception {
        var harness = create(expectedFiles);
        harness.open();
        return harness;
    }

    private static KeyedBroadcastOperatorTestHarness<String, Match, RawRecord, Alert> create(
            int expectedFiles) throws Exception {
        return new KeyedBroadcastOperatorTestHarness<>(
                new CoBroadcastWithKeyedOperator<>(
                        new PrevalenceEnricher(
                                expectedFiles, Map.of(Platform.WINDOWS, RiskScoring.defaults())),
                        List.of(PrevalenceEnricher.PREVALENCE, PrevalenceEnricher.FILES_LOADED)),
                BINARY_OF,
                Types.STRING,
                1,
                1,
                0);
    }
}

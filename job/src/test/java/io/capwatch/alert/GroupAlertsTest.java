package io.capwatch.alert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.capwatch.correlation.Candidate;
import io.capwatch.correlation.CandidateKind;
import io.capwatch.correlation.Match;
import io.capwatch.correlation.Trust;
import io.capwatch.event.EventAction;
import io.capwatch.event.EventSource;
import io.capwatch.event.SecurityEvent;
import io.capwatch.rule.Platform;
import io.capwatch.rule.RiskScoring;
import io.capwatch.rule.RuleLoader;
import io.capwatch.rule.RuleMetadata;
import io.capwatch.sink.elasticsearch.IndexedDocument;
import io.capwatch.sink.elasticsearch.OpType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** The grouping operator on Flink's keyed operator test harness. */
// Flink's test harnesses declare close() with InterruptedException; the tests let it propagate.
@SuppressWarnings("try")
class GroupAlertsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final RuleMetadata RULE = RuleLoader.loadDefault().metadata();
    private static final String INDEX = "logs-capwatch.alerts-test";
    private static final long HOUR = Duration.ofHours(1).toMillis();
    /** The start of an hour-aligned window. */
    private static final long WINDOW = Instant.parse("2024-05-14T10:00:00Z").toEpochMilli();
    private static final String SHA = "ab".repeat(32);

    @Test
    void thousandMatchesBecomeOneAlert() throws Exception {
        List<Alert> alerts = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            alerts.add(alert(SHA, "host-" + (1000 + i), WINDOW + 1000L * i, 99));
        }
        List<IndexedDocument> documents = run(alerts);

        assertEquals(1, documents.size());
        IndexedDocument document = documents.get(0);
        assertEquals(OpType.INDEX, document.opType());
        assertEquals(INDEX, document.index());
        JsonNode doc = JSON.readTree(document.json());
        JsonNode group = doc.path("capwatch").path("group");
        assertEquals(1_000, group.path("match_count").asLong());
        assertEquals(1_000, group.path("host_count").asLong());
        assertEquals(100, group.path("hosts").size());
        assertEquals("host-1000", group.path("hosts").get(0).asText());
        assertEquals("host-1099", group.path("hosts").get(99).asText());
        assertTrue(group.path("hosts_truncated").asBoolean());
        assertEquals("2024-05-14T10:00:00Z", group.path("window").path("start").asText());
        assertEquals("2024-05-14T11:00:00Z", group.path("window").path("end").asText());
        assertEquals("2024-05-14T10:16:39Z", group.path("last_match").asText());
        assertEquals("2024-05-14T10:00:00Z", doc.path("@timestamp").asText());
        assertEquals("host-1000", doc.path("host").path("name").asText());
        assertEquals(101, doc.path("related").path("hosts").size());
        assertTrue(doc.path("message").asText().contains("1000 matches on 1000 hosts"));
    }

    @Test
    void twoWindowsGiveTwoAlerts() throws Exception {
        List<IndexedDocument> documents =
                run(
                        List.of(
                                alert(SHA, "h1", WINDOW + 10, 99),
                                alert(SHA, "h2", WINDOW + HOUR - 1, 99),
                                alert(SHA, "h3", WINDOW + HOUR, 99)));
        assertEquals(2, documents.size());
        assertNotEquals(documents.get(0).id(), documents.get(1).id());
        assertEquals(2, group(documents.get(0)).path("match_count").asLong());
        assertEquals(1, group(documents.get(1)).path("match_count").asLong());
        assertEquals(
                "2024-05-14T11:00:00Z",
                group(documents.get(1)).path("window").path("start").asText());
    }

    @Test
    void binariesAreGroupedApart() throws Exception {
        List<IndexedDocument> documents =
                run(
                        List.of(
                                alert(SHA, "h1", WINDOW + 10, 99),
                                alert("cd".repeat(32), "h1", WINDOW + 20, 99)));
        assertEquals(2, documents.size());
        assertNotEquals(documents.get(0).id(), documents.get(1).id());
    }

    @Test
    void arrivalOrderDoesNotChangeDocument() throws Exception {
        List<Alert> alerts = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            // Three matches per host, and pairs of matches at the same instant.
            alerts.add(alert(SHA, "host-" + (i % 150), WINDOW + 1000L * (i / 2), 40 + i % 50));
        }
        List<IndexedDocument> inOrder = run(alerts);
        List<Alert> shuffled = new ArrayList<>(alerts);
        Collections.shuffle(shuffled, new Random(7));
        List<IndexedDocument> replayed = run(shuffled);

        assertEquals(1, inOrder.size());
        assertEquals(1, replayed.size());
        assertEquals(inOrder.get(0).id(), replayed.get(0).id());
        assertArrayEquals(inOrder.get(0).json(), replayed.get(0).json());
        assertEquals(89, group(inOrder.get(0)).path("max_risk_score").asInt());
        assertEquals(150, group(inOrder.get(0)).path("host_count").asLong());
    }

    @Test
    void idDependsOnRuleBinaryAndWindow() {
        String id = AlertGroupDocument.id(RULE.id(), SHA, WINDOW, HOUR);
        assertEquals(id, AlertGroupDocument.id(RULE.id(), SHA, WINDOW, HOUR));
        assertNotEquals(id, AlertGroupDocument.id("other-rule", SHA, WINDOW, HOUR));
        assertNotEquals(id, AlertGroupDocument.id(RULE.id(), "cd".repeat(32), WINDOW, HOUR));
        assertNotEquals(id, AlertGroupDocument.id(RULE.id(), SHA, WINDOW + HOUR, HOUR));
        assertNotEquals(id, AlertGroupDocument.id(RULE.id(), SHA, WINDOW, 2 * HOUR));
    }

    @Test
    void groupIsWrittenWhenWindowCloses() throws Exception {
        try (var harness = harness()) {
            harness.processElement(alert(SHA, "h1", WINDOW + 10, 99), WINDOW + 10);
            harness.processWatermark(WINDOW + HOUR - 2);
            assertEquals(List.of(), harness.extractOutputValues());
            harness.processWatermark(WINDOW + HOUR - 1);
            assertEquals(1, harness.extractOutputValues().size());
        }
    }

    @Test
    void lateMatchUpdatesClosedGroup() throws Exception {
        try (var harness = harness()) {
            harness.processElement(alert(SHA, "h1", WINDOW + 10, 99), WINDOW + 10);
            harness.processWatermark(WINDOW + HOUR + 5);
            harness.processElement(alert(SHA, "h2", WINDOW + 20, 99), WINDOW + 20);
            List<IndexedDocument> documents = harness.extractOutputValues();
            assertEquals(2, documents.size());
            assertEquals(documents.get(0).id(), documents.get(1).id());
            assertEquals(2, group(documents.get(1)).path("match_count").asLong());
            assertEquals(OpType.INDEX, documents.get(1).opType());
        }
    }

    @Test
    void matchAfterGroupRemovedIsWrittenAlone() throws Exception {
        try (var harness = harness()) {
            harness.processElement(alert(SHA, "h1", WINDOW + 10, 99), WINDOW + 10);
            harness.processWatermark(WINDOW + 2 * HOUR);
            assertEquals(0, harness.numKeyedStateEntries());
            Alert late = alert(SHA, "h2", WINDOW + 20, 99);
            harness.processElement(late, WINDOW + 20);
            List<IndexedDocument> documents = harness.extractOutputValues();
            assertEquals(2, documents.size());
            IndexedDocument alone = documents.get(1);
            assertEquals(AlertIds.alertId(RULE.id(), late.match.start), alone.id());
            assertEquals(OpType.CREATE, alone.opType());
            assertFalse(JSON.readTree(alone.json()).path("capwatch").has("group"));
        }
    }

    @Test
    void groupSurvivesSnapshotAndRestore() throws Exception {
        List<Alert> alerts = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            alerts.add(alert(SHA, "host-" + i, WINDOW + 1000L * i, 99));
        }
        OperatorSubtaskState snapshot;
        try (var harness = harness()) {
            for (Alert alert : alerts.subList(0, 10)) {
                harness.processElement(alert, AlertGroup.matchTime(alert));
            }
            snapshot = harness.snapshot(1, WINDOW);
        }
        List<IndexedDocument> restoredRun;
        try (var restored = create()) {
            restored.initializeState(snapshot);
            restored.open();
            for (Alert alert : alerts.subList(10, 20)) {
                restored.processElement(alert, AlertGroup.matchTime(alert));
            }
            restored.processWatermark(Long.MAX_VALUE);
            restoredRun = restored.extractOutputValues();
        }
        List<IndexedDocument> uninterrupted = run(alerts);
        assertEquals(1, restoredRun.size());
        assertEquals(uninterrupted.get(0).id(), restoredRun.get(0).id());
        assertArrayEquals(uninterrupted.get(0).json(), restoredRun.get(0).json());
    }

    @Test
    void stateTypesAreFlinkPojos() {
        assertInstanceOf(PojoTypeInfo.class, TypeInformation.of(AlertGroup.class));
        assertInstanceOf(PojoTypeInfo.class, TypeInformation.of(Alert.class));
        assertInstanceOf(PojoTypeInfo.class, TypeInformation.of(ScoreInputs.class));
    }

    private static JsonNode group(IndexedDocument document) throws Exception {
        return JSON.readTree(document.json()).path("capwatch").path("group");
    }

    /** Feeds the alerts, then ends the input, and returns the documents. */
    private static List<IndexedDocument> run(List<Alert> alerts) throws Exception {
        try (var harness = harness()) {
            for (Alert alert : alerts) {
                harness.processElement(alert, AlertGroup.matchTime(alert));
            }
            harness.processWatermark(Long.MAX_VALUE);
            return harness.extractOutputValues();
        }
    }

    static Alert alert(String sha256, String host, long connectionTime, int riskScore) {
        SecurityEvent start = new SecurityEvent();
        start.source = EventSource.ENDPOINT;
        start.action = EventAction.PROCESS_START;
        start.timestamp = connectionTime - 5000;
        start.hostId = host + "-id";
        start.hostName = host;
        start.executable = "C:\\Users\\u\\Downloads\\tool.exe";
        start.pid = 42;
        start.sha256 = sha256;
        start.signatureExists = false;
        SecurityEvent connection = new SecurityEvent();
        connection.source = EventSource.ENDPOINT;
        connection.action = EventAction.NETWORK_CONNECTION;
        connection.timestamp = connectionTime;
        connection.hostId = start.hostId;
        connection.hostName = host;
        connection.executable = start.executable;
        connection.pid = 42;
        connection.destinationIp = "93.184.216.34";
        connection.destinationPort = 443;
        Alert alert = new Alert();
        alert.match =
                new Match(
                        new Candidate(CandidateKind.START, Trust.UNTRUSTED, host + "/42", Platform.WINDOWS, start),
                        new Candidate(CandidateKind.CONNECTION, null, host + "/42", Platform.WINDOWS, connection));
        alert.binary = sha256;
        alert.riskScore = riskScore;
        alert.severity = RiskScoring.severity(riskScore);
        alert.scoreInputs = ScoreInputs.of(RiskScoring.defaults());
        return alert;
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, Alert, IndexedDocument> harness()
            throws Exception {
        var harness = create();
        harness.open();
        return harness;
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, Alert, IndexedDocument> create()
            throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new GroupAlerts(HOUR, RULE, INDEX)),
                alert -> alert.binary,
                Types.STRING);
    }
}

package io.capwatch.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.capwatch.metrics.CounterNames;
import io.capwatch.rule.RuleLoader;
import io.capwatch.testing.MiniClusters;
import io.capwatch.testing.PipelineRun;
import io.capwatch.testing.Telemetry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Semantics of the sequence that the detection cases do not pin down, on synthetic input. */
class SequenceSemanticsTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK =
            MiniClusters.withTwoSlots();

    private static final String TEMP_EXE = "C:\\Users\\u\\AppData\\Local\\Temp\\implant.exe";
    private static final String PUBLIC = "93.184.216.34";

    @TempDir Path dir;

    @Test
    void pidReuseWithOtherEntityDoesNotMatch() throws Exception {
        Path input =
                new Telemetry()
                        .start("2024-05-14T10:00:00Z", "h1", 100, "proc-a", TEMP_EXE, false, null)
                        .connection("2024-05-14T10:01:00Z", "h1", 100, "proc-b", TEMP_EXE, PUBLIC)
                        .writeTo(dir);
        assertEquals(0, run(input).alerts().size());
    }

    @Test
    void sameEntityMatches() throws Exception {
        Path input =
                new Telemetry()
                        .start("2024-05-14T10:00:00Z", "h1", 100, "proc-a", TEMP_EXE, false, null)
                        .connection("2024-05-14T10:01:00Z", "h1", 100, "proc-a", TEMP_EXE, PUBLIC)
                        .writeTo(dir);
        assertEquals(1, run(input).alerts().size());
    }

    @Test
    void outOfOrderConnectionWithinBoundMatches() throws Exception {
        Path input =
                new Telemetry()
                        .connection("2024-05-14T10:00:30Z", "h1", 100, TEMP_EXE, PUBLIC)
                        .unsignedStart("2024-05-14T10:00:00Z", "h1", 100, TEMP_EXE)
                        .writeTo(dir);
        PipelineRun.Result result = run(input);
        assertEquals(1, result.alerts().size());
        assertEquals(0, result.lateEvents());
    }

    @Test
    void uncoveredConnectionsDroppedAtGate() throws Exception {
        Path input =
                new Telemetry()
                        .connection("2024-05-14T10:00:00Z", "h1", 100, TEMP_EXE, PUBLIC)
                        .unsignedStart("2024-05-14T10:05:00Z", "h1", 200, TEMP_EXE)
                        .connection("2024-05-14T10:04:59Z", "h1", 200, TEMP_EXE, PUBLIC)
                        .connection("2024-05-14T11:05:00.001Z", "h1", 200, TEMP_EXE, PUBLIC)
                        .writeTo(dir);
        PipelineRun.Result result = run(input);
        assertEquals(0, result.alerts().size());
        assertEquals(3, result.summary().get(CounterNames.CONNECTIONS_WITHOUT_START));
    }

    @Test
    void connectionsOfOneMillisecondKeepTheirArrivalOrder() throws Exception {
        // The first connection arrives before its (out-of-order) start and waits at the gate for
        // the watermark; the second arrives after the start. The first still completes the start.
        Path input =
                new Telemetry()
                        .connection("2024-05-14T10:00:30Z", "h1", 100, TEMP_EXE, PUBLIC)
                        .unsignedStart("2024-05-14T10:00:00Z", "h1", 100, TEMP_EXE)
                        .connection("2024-05-14T10:00:30Z", "h1", 100, TEMP_EXE, "151.101.1.69")
                        .writeTo(dir);
        List<JsonNode> alerts = run(input).alerts();
        assertEquals(1, alerts.size());
        assertEquals(PUBLIC, alerts.get(0).path("destination").path("ip").asText());
    }

    @Test
    void hostsAreKeptApart() throws Exception {
        Path input =
                new Telemetry()
                        .unsignedStart("2024-05-14T10:00:00Z", "h1", 100, TEMP_EXE)
                        .connection("2024-05-14T10:01:00Z", "h2", 100, TEMP_EXE, PUBLIC)
                        .writeTo(dir);
        assertEquals(0, run(input).alerts().size());
    }

    @Test
    void unknownSignatureIsCountedNotMatched() throws Exception {
        Path input =
                new Telemetry()
                        .start("2024-05-14T10:00:00Z", "h1", 100, null, TEMP_EXE, null, null)
                        .connection("2024-05-14T10:01:00Z", "h1", 100, TEMP_EXE, PUBLIC)
                        .writeTo(dir);
        PipelineRun.Result result = run(input);
        assertEquals(0, result.alerts().size());
        assertEquals(1, result.summary().get(CounterNames.STARTS_UNKNOWN_SIGNATURE));
    }

    @Test
    void unknownSignatureAlertsWhenRuleSaysUntrusted() throws Exception {
        Path input =
                new Telemetry()
                        .start("2024-05-14T10:00:00Z", "h1", 100, null, TEMP_EXE, null, null)
                        .connection("2024-05-14T10:01:00Z", "h1", 100, TEMP_EXE, PUBLIC)
                        .writeTo(dir);
        PipelineRun.Result result =
                PipelineRun.over(input)
                        .withRule(RuleLoader.loadDefault().withUnknownSignatureIsUntrusted(true))
                        .execute();
        assertEquals(1, result.alerts().size());
        assertEquals(1, result.summary().get(CounterNames.STARTS_UNKNOWN_AS_UNTRUSTED));
    }

    @Test
    void alertCarriesEcsFields() throws Exception {
        Path input =
                new Telemetry()
                        .start("2024-05-14T10:00:00Z", "h1", 100, "proc-a", TEMP_EXE, false, null)
                        .connection("2024-05-14T10:01:00Z", "h1", 100, "proc-a", TEMP_EXE, PUBLIC)
                        .writeTo(dir);
        List<JsonNode> alerts = run(input).alerts();
        assertEquals(1, alerts.size());
        JsonNode alert = alerts.get(0);
        assertEquals("alert", alert.path("event").path("kind").asText());
        assertEquals(73, alert.path("event").path("risk_score").asInt());
        assertEquals("high", alert.path("capwatch").path("severity").asText());
        assertEquals("T1587", alert.path("threat").path("technique").path("id").get(0).asText());
        assertEquals("TA0042", alert.path("threat").path("tactic").path("id").get(0).asText());
        assertEquals("2024-05-14T10:01:00Z", alert.path("@timestamp").asText());
        assertEquals("2024-05-14T10:00:00Z", alert.path("process").path("start").asText());
        assertEquals(PUBLIC, alert.path("destination").path("ip").asText());
        assertEquals("proc-a", alert.path("process").path("entity_id").asText());
        assertEquals(false, alert.path("process").path("code_signature").path("exists").asBoolean());
        assertEquals("ev-0", alert.path("capwatch").path("start").path("event_id").asText());
        assertEquals("ev-1", alert.path("capwatch").path("connection").path("event_id").asText());
        assertEquals(false, alert.path("capwatch").path("prevalence").path("known").asBoolean());
    }

    @Test
    void streamingAndBatchGiveSameAlertIds() throws Exception {
        Telemetry telemetry = new Telemetry();
        for (int pid = 1; pid <= 20; pid++) {
            telemetry.unsignedStart("2024-05-14T10:00:" + two(pid) + "Z", "h" + pid % 3, pid, TEMP_EXE);
        }
        for (int pid = 1; pid <= 20; pid++) {
            telemetry.connection(
                    "2024-05-14T10:30:" + two(pid) + "Z", "h" + pid % 3, pid, TEMP_EXE, PUBLIC);
        }
        Path input = telemetry.writeTo(dir);
        List<String> streaming = ids(PipelineRun.over(input).withParallelism(2).execute());
        List<String> batch = ids(PipelineRun.over(input).inBatchMode().withParallelism(2).execute());
        assertEquals(20, streaming.size());
        assertEquals(streaming, batch);
    }

    @Test
    void exceptionSuppressesAndCounts() throws Exception {
        String goBuild = "C:\\Users\\dev\\AppData\\Local\\Temp\\go-build123\\b001\\exe\\main.exe";
        Path input =
                new Telemetry()
                        .raw(
                                "{\"@timestamp\":\"2024-05-14T10:00:00Z\",\"agent\":{\"type\":\"endpoint\"},"
                                        + "\"event\":{\"category\":[\"process\"],\"type\":[\"start\"]},"
                                        + "\"host\":{\"id\":\"dev1\"},\"process\":{\"pid\":7,"
                                        + "\"executable\":\"" + goBuild.replace("\\", "\\\\") + "\","
                                        + "\"parent\":{\"executable\":\"C:\\\\Go\\\\bin\\\\go.exe\"},"
                                        + "\"code_signature\":{\"exists\":false}}}")
                        .connection("2024-05-14T10:00:05Z", "dev1", 7, goBuild, PUBLIC)
                        .writeTo(dir);
        PipelineRun.Result result = run(input);
        assertEquals(0, result.alerts().size());
        assertEquals(1, result.summary().get(CounterNames.SUPPRESSED));
    }

    // Records delivered twice, as Kafka redelivers them after a producer retry or a consumer
    // restart: the same bytes again, with the same event.id. A start must still alert once.

    @Test
    void redeliveredStartAlertsOnce() throws Exception {
        Path input = withConnection(withStart(new Telemetry()).repeat(0)).writeTo(dir);
        for (PipelineRun run : streamingAndBatch(input)) {
            PipelineRun.Result result = run.execute();
            assertEquals(1, result.alertDocuments().size(), "alerts: " + result.alerts());
            assertEquals(1, result.summary().get(CounterNames.MATCHES), "matches");
            assertEquals(0, result.deadLetteredRecords(), "dead letters");
        }
    }

    @Test
    void redeliveredConnectionAlertsOnce() throws Exception {
        Path input = withConnection(withStart(new Telemetry())).repeat(1).writeTo(dir);
        for (PipelineRun run : streamingAndBatch(input)) {
            assertEquals(1, run.execute().alertDocuments().size(), "alerts");
        }
    }

    /** A consumer that restarts without a checkpoint reads the start and its connection again. */
    @Test
    void redeliveredPairAlertsOnce() throws Exception {
        Path input = withConnection(withStart(new Telemetry())).repeat(0).repeat(1).writeTo(dir);
        for (PipelineRun run : streamingAndBatch(input)) {
            PipelineRun.Result result = run.execute();
            assertEquals(1, result.alertDocuments().size(), "alerts: " + result.alerts());
        }
    }

    /** A start redelivered after its match, then a new connection of the same process. */
    @Test
    void redeliveredStartAfterMatchAlertsOnce() throws Exception {
        Path input =
                withConnection(withStart(new Telemetry()))
                        .repeat(0)
                        .connection("2024-05-14T10:01:10Z", "h1", 100, "proc-a", TEMP_EXE, "93.184.216.35")
                        .writeTo(dir);
        for (PipelineRun run : streamingAndBatch(input)) {
            PipelineRun.Result result = run.execute();
            assertEquals(1, result.alertDocuments().size(), "alerts: " + result.alerts());
            assertEquals(PUBLIC, result.alerts().get(0).path("destination").path("ip").asText());
        }
    }

    /** Adds an untrusted start of pid 100 at 10:00. */
    private static Telemetry withStart(Telemetry telemetry) {
        return telemetry.start("2024-05-14T10:00:00Z", "h1", 100, "proc-a", TEMP_EXE, false, null);
    }

    /** Adds a connection of pid 100 at 10:01 that completes the start of {@link #withStart}. */
    private static Telemetry withConnection(Telemetry telemetry) {
        return telemetry.connection("2024-05-14T10:01:00Z", "h1", 100, "proc-a", TEMP_EXE, PUBLIC);
    }

    private static List<PipelineRun> streamingAndBatch(Path input) {
        return List.of(
                PipelineRun.over(input).withOutOfOrderness(Duration.ofSeconds(60)),
                PipelineRun.over(input).withOutOfOrderness(Duration.ofSeconds(60)).inBatchMode());
    }

    private static String two(int n) {
        return n < 10 ? "0" + n : Integer.toString(n);
    }

    private static List<String> ids(PipelineRun.Result result) {
        return result.alertDocuments().stream().map(d -> d.id()).sorted().toList();
    }

    private static PipelineRun.Result run(Path input) throws Exception {
        return PipelineRun.over(input).withOutOfOrderness(Duration.ofSeconds(60)).execute();
    }
}

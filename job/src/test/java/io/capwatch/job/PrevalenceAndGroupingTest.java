package io.capwatch.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.capwatch.alert.AlertGroup;
import io.capwatch.metrics.CounterNames;
import io.capwatch.prevalence.PrevalenceEstimator;
import io.capwatch.sink.elasticsearch.IndexedDocument;
import io.capwatch.sink.elasticsearch.OpType;
import io.capwatch.testing.MiniClusters;
import io.capwatch.testing.PipelineRun;
import io.capwatch.testing.Telemetry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Derived fleet prevalence and alert grouping through the whole pipeline, on a MiniCluster. */
class PrevalenceAndGroupingTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK =
            MiniClusters.withTwoSlots();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RARE = "C:\\Users\\u\\AppData\\Local\\Temp\\rare.exe";
    private static final String COMMON = "C:\\Users\\u\\Downloads\\common.exe";
    private static final String SPREADING = "C:\\ProgramData\\svc\\spreading.exe";
    private static final String PUBLIC = "93.184.216.34";
    private static final Instant T0 = Instant.parse("2024-05-14T10:00:00Z");

    @TempDir Path dir;

    @Test
    void derivedPrevalenceScoresRareAndCommon() throws Exception {
        Telemetry telemetry = new Telemetry();
        telemetry.unsignedStart(at(0), "rare-host", 100, RARE);
        telemetry.connection(at(60), "rare-host", 100, RARE, PUBLIC);
        // 59 signed starts count towards prevalence without ever being candidates.
        for (int i = 1; i < 60; i++) {
            telemetry.start(at(i), "host-" + i, 200, null, COMMON, true, true);
        }
        telemetry.unsignedStart(at(100), "host-0", 200, COMMON);
        telemetry.connection(at(160), "host-0", 200, COMMON, PUBLIC);

        PipelineRun.Result result =
                PipelineRun.over(telemetry.writeTo(dir))
                        .inBatchMode()
                        .withParallelism(2)
                        .withDerivedPrevalence()
                        .execute();

        assertEquals(2, result.alerts().size());
        JsonNode rare = alertFor(result, "rare.exe");
        assertEquals(99, rare.path("event").path("risk_score").asInt());
        assertEquals(1, prevalence(rare).path("host_count").asLong());
        assertEquals("derived", prevalence(rare).path("source").asText());
        assertEquals(at(0), prevalence(rare).path("first_seen").asText());
        JsonNode inputs = rare.path("capwatch").path("score").path("inputs");
        assertEquals(1, inputs.path("host_count").asLong());
        assertEquals(50, inputs.path("common_min_hosts").asLong());
        assertEquals(47, inputs.path("common").asLong());

        JsonNode common = alertFor(result, "common.exe");
        assertEquals(47, common.path("event").path("risk_score").asInt());
        assertEquals(60, prevalence(common).path("host_count").asLong());
        assertEquals("derived", prevalence(common).path("source").asText());
        assertEquals(61, result.summary().get(PrevalenceEstimator.STARTS_COUNTED));
    }

    @Test
    void withoutDerivationPrevalenceStaysUnknown() throws Exception {
        Telemetry telemetry = new Telemetry();
        telemetry.unsignedStart(at(0), "rare-host", 100, RARE);
        telemetry.connection(at(60), "rare-host", 100, RARE, PUBLIC);
        PipelineRun.Result result =
                PipelineRun.over(telemetry.writeTo(dir)).inBatchMode().execute();
        assertEquals(73, result.alerts().get(0).path("event").path("risk_score").asInt());
        assertEquals(false, prevalence(result.alerts().get(0)).path("known").asBoolean());
    }

    @Test
    void thousandHostsBecomeOneGroupedAlert() throws Exception {
        Path input = spreadingOn(1_000, 0).writeTo(dir);

        PipelineRun.Result streaming = grouped(input, false, 1);
        assertEquals(1, streaming.alerts().size());
        JsonNode alert = streaming.alerts().get(0);
        JsonNode group = alert.path("capwatch").path("group");
        assertEquals(1_000, group.path("match_count").asLong());
        assertEquals(1_000, group.path("host_count").asLong());
        assertEquals(AlertGroup.MAX_LISTED_HOSTS, group.path("hosts").size());
        assertEquals("host-0", group.path("hosts").get(0).asText());
        assertEquals(at(1), alert.path("@timestamp").asText());
        assertEquals("2024-05-14T10:00:00Z", group.path("window").path("start").asText());
        assertEquals("2024-05-14T11:00:00Z", group.path("window").path("end").asText());
        assertEquals(OpType.INDEX, streaming.alertDocuments().get(0).opType());
        assertEquals(1, streaming.summary().alerts());
    }

    @Test
    void batchStreamingAndReplayWriteSameGroups() throws Exception {
        Telemetry telemetry = spreadingOn(300, 0);
        // A second window, an hour later, on other hosts.
        for (int i = 0; i < 40; i++) {
            telemetry.unsignedStart(at(3600 + i), "late-" + i, 700, SPREADING);
            telemetry.connection(at(3601 + i), "late-" + i, 700, SPREADING, PUBLIC);
        }
        Path input = telemetry.writeTo(dir);

        List<IndexedDocument> streaming = sorted(grouped(input, false, 2));
        List<IndexedDocument> batch = sorted(grouped(input, true, 2));
        List<IndexedDocument> replay = sorted(grouped(input, false, 1));

        assertEquals(2, streaming.size());
        for (int i = 0; i < 2; i++) {
            assertEquals(streaming.get(i).id(), batch.get(i).id());
            assertEquals(json(streaming.get(i)), json(batch.get(i)));
            assertEquals(streaming.get(i).id(), replay.get(i).id());
            assertEquals(json(streaming.get(i)), json(replay.get(i)));
        }
        List<Long> counts =
                streaming.stream()
                        .map(PrevalenceAndGroupingTest::matchCount)
                        .sorted()
                        .toList();
        assertEquals(List.of(40L, 300L), counts);
    }

    @Test
    void groupingWorksWithDerivedPrevalence() throws Exception {
        PipelineRun.Result result =
                PipelineRun.over(spreadingOn(80, 0).writeTo(dir))
                        .inBatchMode()
                        .withDerivedPrevalence()
                        .withAlertGrouping(Duration.ofHours(1))
                        .execute();
        assertEquals(1, result.alerts().size());
        JsonNode alert = result.alerts().get(0);
        assertEquals(80, alert.path("capwatch").path("group").path("match_count").asLong());
        assertEquals(80, prevalence(alert).path("host_count").asLong());
        assertEquals(47, alert.path("event").path("risk_score").asInt());
        assertEquals(1, result.summary().get(CounterNames.ALERTS));
    }

    /** Unsigned starts of one binary on {@code hosts} hosts, each followed by a connection. */
    private static Telemetry spreadingOn(int hosts, int offsetSeconds) {
        Telemetry telemetry = new Telemetry();
        for (int i = 0; i < hosts; i++) {
            int second = offsetSeconds + i * 3600 / (hosts + 1);
            telemetry.unsignedStart(at(second), "host-" + i, 500 + i, SPREADING);
            telemetry.connection(at(second + 1), "host-" + i, 500 + i, SPREADING, PUBLIC);
        }
        return telemetry;
    }

    private static PipelineRun.Result grouped(Path input, boolean batch, int parallelism)
            throws Exception {
        PipelineRun run =
                PipelineRun.over(input)
                        .withParallelism(parallelism)
                        .withAlertGrouping(Duration.ofHours(1));
        return (batch ? run.inBatchMode() : run).execute();
    }

    private static List<IndexedDocument> sorted(PipelineRun.Result result) {
        return result.alertDocuments().stream()
                .sorted(Comparator.comparing(IndexedDocument::id))
                .toList();
    }

    private static String json(IndexedDocument document) {
        return new String(document.json(), StandardCharsets.UTF_8);
    }

    private static long matchCount(IndexedDocument document) {
        try {
            return JSON.readTree(document.json())
                    .path("capwatch")
                    .path("group")
                    .path("match_count")
                    .asLong();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode alertFor(PipelineRun.Result result, String fileName) {
        return result.alerts().stream()
                .filter(a -> a.path("process").path("name").asText().equals(fileName))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no alert for " + fileName));
    }

    private static JsonNode prevalence(JsonNode alert) {
        return alert.path("capwatch").path("prevalence");
    }

    private static String at(int seconds) {
        return T0.plusSeconds(seconds).toString();
    }
}

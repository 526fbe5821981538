package io.capwatch.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.capwatch.rule.RuleLoader;
import io.capwatch.testing.ElasticsearchServer;
import io.capwatch.testing.MiniClusters;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Backfills the sample telemetry into a real Elasticsearch through the job's own sinks and index
 * templates, twice: the alerts are indexed with their ECS mapping, and the second run adds no
 * document.
 */
class ElasticsearchBackfillTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK =
            MiniClusters.withTwoSlots();

    @RegisterExtension static final ElasticsearchServer ELASTICSEARCH = new ElasticsearchServer();

    private static final Path SAMPLE = repositoryRoot().resolve("deploy/sample");

    @Test
    void backfillIndexesSampleAlertsOnce() throws Exception {
        String alertIndex = ELASTICSEARCH.uniqueIndexName("logs-capwatch.alerts-test");
        String deadLetterIndex = ELASTICSEARCH.uniqueIndexName("logs-capwatch.deadletter-test");

        runBackfill(alertIndex, deadLetterIndex);
        assertEquals(5, ELASTICSEARCH.count(alertIndex));
        Map<String, Integer> scores = scoresByExecutable(alertIndex);
        assertEquals(99, scores.get("C:\\Users\\alice\\Downloads\\invoice-viewer.exe"));
        assertEquals(
                66, scores.get("C:\\Users\\bob\\AppData\\Local\\Temp\\7zS1A2B\\setup-helper.exe"));
        assertEquals(73, scores.get("C:\\ProgramData\\Updater\\svchost.exe"));
        assertEquals(47, scores.get("/dev/shm/.kworker"), "Linux, prevalence unknown");
        assertEquals(
                73,
                scores.get("/Users/carol/Downloads/PDFTools.app/Contents/MacOS/PDFTools"),
                "macOS, prevalence unknown");

        JsonNode mapping =
                ELASTICSEARCH.request("GET", "/" + alertIndex + "/_mapping", null).json();
        JsonNode properties = mapping.path(alertIndex).path("mappings").path("properties");
        assertEquals(
                "ip", properties.path("destination").path("properties").path("ip").path("type").asText());
        assertEquals("date", properties.path("@timestamp").path("type").asText());
        assertEquals(
                "keyword",
                properties.path("capwatch").path("properties").path("profile").path("type").asText());

        long deadLetters = ELASTICSEARCH.count(deadLetterIndex);
        assertEquals(1, deadLetters, "the sample's one truncated line");

        runBackfill(alertIndex, deadLetterIndex);
        assertEquals(5, ELASTICSEARCH.count(alertIndex), "a second run must not duplicate alerts");
        assertEquals(1, ELASTICSEARCH.count(deadLetterIndex));
    }

    private static void runBackfill(String alertIndex, String deadLetterIndex) throws Exception {
        JobSettings settings = new JobSettings();
        settings.inputs = List.of(SAMPLE.resolve("telemetry").toString());
        settings.prevalence = List.of(SAMPLE.resolve("prevalence.ndjson").toString());
        settings.elasticsearchUrls = List.of(ELASTICSEARCH.url());
        settings.alertIndex = alertIndex;
        settings.deadLetterIndex = deadLetterIndex;

        var rule = RuleLoader.loadDefault();
        OutputTargets targets = OutputTargets.create(settings, rule);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        env.setParallelism(1);
        new CapwatchJob(
                        rule,
                        settings,
                        CapwatchJob.files(settings.inputs, false),
                        CapwatchJob.files(settings.prevalence, true),
                        1,
                        targets.alerts(),
                        targets.deadLetters())
                .addTo(env);
        RunSummary summary = new RunSummary(env.execute("backfill test").getAllAccumulatorResults());
        assertEquals(5, summary.alerts());
    }

    private static Map<String, Integer> scoresByExecutable(String index) {
        JsonNode hits =
                ELASTICSEARCH
                        .request("GET", "/" + index + "/_search?size=10", null)
                        .json()
                        .path("hits")
                        .path("hits");
        Map<String, Integer> scores = new HashMap<>();
        for (JsonNode hit : hits) {
            JsonNode source = hit.path("_source");
            assertEquals("alert", source.path("event").path("kind").asText());
            scores.put(
                    source.path("process").path("executable").asText(),
                    source.path("event").path("risk_score").asInt());
        }
        assertTrue(scores.size() == 5, "alerts: " + scores);
        return scores;
    }

    static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !dir.resolve("deploy/sample").toFile().isDirectory()) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("repository root with deploy/sample not found");
        }
        return dir;
    }
}

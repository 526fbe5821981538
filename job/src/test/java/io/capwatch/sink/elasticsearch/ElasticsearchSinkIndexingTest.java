package io.capwatch.sink.elasticsearch;

import static io.capwatch.sink.elasticsearch.SinkJobs.alert;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import com.fasterxml.jackson.databind.JsonNode;
import io.capwatch.sink.elasticsearch.SinkJobs.FinishedJob;
import io.capwatch.testing.CapturedLogs;
import io.capwatch.testing.ElasticsearchServer;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The sink against a real Elasticsearch, through Flink jobs on a MiniCluster. */
class ElasticsearchSinkIndexingTest {

    @RegisterExtension static final ElasticsearchServer ELASTICSEARCH = new ElasticsearchServer();

    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = SinkJobs.miniCluster(REPORTER);

    private static final String PID_AS_SHORT =
            "{\"properties\":{\"process\":{\"properties\":{\"pid\":{\"type\":\"short\"}}}}}";

    private ElasticsearchSinkBuilder<IndexedDocument> sinkBuilder(String deadLetterIndex) {
        return ElasticsearchSink.<IndexedDocument>builder()
                .setHosts(ELASTICSEARCH.url())
                .setElementConverter(new IndexedDocumentConverter())
                .setDeadLetterIndex(deadLetterIndex)
                .setInitialBackoff(Duration.ofMillis(20))
                .setMaxBackoff(Duration.ofMillis(200));
    }

    @Test
    void secondRunAddsNoDuplicates() throws Exception {
        String index = ELASTICSEARCH.uniqueIndexName("logs-capwatch.alerts-replay");
        String deadLetterIndex = ELASTICSEARCH.uniqueIndexName("logs-capwatch.deadletter-replay");
        List<IndexedDocument> alerts =
                List.of(
                        alert(index, "alert-1", 4242, "C:\\Temp\\a.exe", "93.184.216.34"),
                        alert(index, "alert-2", 4343, "C:\\Temp\\b.exe", "93.184.216.35"),
                        alert(index, "alert-3", 4444, "C:\\Temp\\c.exe", "93.184.216.36"),
                        alert(index, "alert-4", 4545, "C:\\Temp\\d.exe", "93.184.216.37"),
                        alert(index, "alert-5", 4646, "C:\\Temp\\e.exe", "93.184.216.38"));
        RecordingDeadLetterListener listener = new RecordingDeadLetterListener();

        FinishedJob first =
                SinkJobs.run(
                        alerts,
                        sinkBuilder(deadLetterIndex).setDeadLetterListener(listener).build(),
                        REPORTER);
        assertEquals(5, first.counter("alertsIndexed"));
        assertEquals(5, ELASTICSEARCH.count(index));

        FinishedJob second =
                SinkJobs.run(
                        alerts,
                        sinkBuilder(deadLetterIndex).setDeadLetterListener(listener).build(),
                        REPORTER);
        assertEquals(0, second.counter("alertsIndexed"));
        assertEquals(5, second.counter("alertsAlreadyIndexed"));
        assertEquals(0, second.counter("sinkDeadLettered"));
        assertEquals(List.of(), listener.received());

        assertEquals(5, ELASTICSEARCH.count(index));
        JsonNode hits =
                ELASTICSEARCH
                        .request("GET", "/" + index + "/_search?size=100", null)
                        .json()
                        .path("hits")
                        .path("hits");
        Set<String> ids = new HashSet<>();
        hits.forEach(hit -> ids.add(hit.path("_id").asText()));
        assertEquals(5, hits.size());
        assertEquals(Set.of("alert-1", "alert-2", "alert-3", "alert-4", "alert-5"), ids);
    }

    @Test
    void indexOpTypeOverwritesSameId() throws Exception {
        String index = ELASTICSEARCH.uniqueIndexName("logs-capwatch.alerts-overwrite");
        String deadLetterIndex =
                ELASTICSEARCH.uniqueIndexName("logs-capwatch.deadletter-overwrite");
        IndexedDocument firstVersion =
                overwriting(alert(index, "group-1", 4242, "C:\\Temp\\a.exe", "93.184.216.34"));
        IndexedDocument secondVersion =
                overwriting(alert(index, "group-1", 4343, "C:\\Temp\\a.exe", "93.184.216.34"));
        IndexedDocument created =
                alert(index, "alert-1", 4444, "C:\\Temp\\b.exe", "93.184.216.36");
        IndexedDocument createdAgain =
                alert(index, "alert-1", 4545, "C:\\Temp\\b.exe", "93.184.216.36");

        FinishedJob first =
                SinkJobs.run(
                        List.of(firstVersion, created),
                        sinkBuilder(deadLetterIndex).build(),
                        REPORTER);
        FinishedJob second =
                SinkJobs.run(
                        List.of(secondVersion, createdAgain),
                        sinkBuilder(deadLetterIndex).build(),
                        REPORTER);

        assertEquals(2, first.counter("alertsIndexed"));
        assertEquals(1, second.counter("alertsIndexed"));
        assertEquals(1, second.counter("alertsAlreadyIndexed"));
        assertEquals(2, ELASTICSEARCH.count(index));
        JsonNode group = ELASTICSEARCH.request("GET", "/" + index + "/_doc/group-1", null).json();
        assertEquals(4343, group.path("_source").path("process").path("pid").asLong());
        assertEquals(2, group.path("_version").asLong());
        JsonNode alert = ELASTICSEARCH.request("GET", "/" + index + "/_doc/alert-1", null).json();
        assertEquals(4444, alert.path("_source").path("process").path("pid").asLong());
    }

    private static IndexedDocument overwriting(IndexedDocument document) {
        return new IndexedDocument(document.index(), document.id(), document.json(), OpType.INDEX);
    }

    @Test
    void mappingErrorGoesToDeadLetterIndex() throws Exception {
        String index = ELASTICSEARCH.createIndex("logs-capwatch.alerts-pid-short", PID_AS_SHORT);
        String deadLetterIndex =
                ELASTICSEARCH.uniqueIndexName("logs-capwatch.deadletter-pid-short");
        installDeadLetterTemplate(deadLetterIndex);
        IndexedDocument a =
                alert(index, "alert-a", 4242, "C:\\Users\\user01\\upd.exe", "93.184.216.34");
        IndexedDocument b =
                alert(index, "alert-b", 4343, "C:\\ProgramData\\svc\\x.exe", "93.184.216.35");
        IndexedDocument c = alert(index, "alert-c", 40444, "C:\\Temp\\y.exe", "93.184.216.36");
        RecordingDeadLetterListener listener = new RecordingDeadLetterListener();

        FinishedJob job =
                SinkJobs.run(
                        List.of(a, b, c),
                        sinkBuilder(deadLetterIndex).setDeadLetterListener(listener).build(),
                        REPORTER);

        assertEquals(2, job.counter("alertsIndexed"));
        assertEquals(1, job.counter("sinkDeadLettered"));
        assertEquals(0, job.counter("sinkRetries"));
        assertEquals(0, job.counter("deadLetterWriteFailures"));
        assertEquals(2, ELASTICSEARCH.count(index));
        assertEquals(
                200, ELASTICSEARCH.request("GET", "/" + index + "/_doc/alert-a", null).status());
        assertEquals(
                200, ELASTICSEARCH.request("GET", "/" + index + "/_doc/alert-b", null).status());
        assertEquals(
                404, ELASTICSEARCH.request("GET", "/" + index + "/_doc/alert-c", null).status());

        List<SinkDeadLetter> received = listener.received();
        assertEquals(1, received.size());
        assertEquals("alert-c", received.get(0).request().id());
        assertEquals(SinkFailureReason.SINK_REJECTED, received.get(0).reason());
        assertEquals(400, received.get(0).httpStatus());

        assertEquals(1, ELASTICSEARCH.count(deadLetterIndex));
        JsonNode deadLetter =
                ELASTICSEARCH
                        .request("GET", "/" + deadLetterIndex + "/_doc/alert-c", null)
                        .json()
                        .path("_source");
        // Elasticsearch 8.x names the error document_parsing_exception, 7.x
        // mapper_parsing_exception.
        String errorType = deadLetter.path("error").path("type").asText();
        assertTrue(
                errorType.equals("document_parsing_exception")
                        || errorType.equals("mapper_parsing_exception"),
                "error.type is " + errorType);
        assertFalse(deadLetter.path("error").path("message").asText().isBlank());
        assertEquals("pipeline_error", deadLetter.path("event").path("kind").asText());
        assertEquals(400, deadLetter.path("http").path("response").path("status_code").asInt());
        JsonNode details = deadLetter.path("capwatch").path("dead_letter");
        assertEquals("SINK_REJECTED", details.path("reason").asText());
        assertEquals(index, details.path("target_index").asText());
        assertEquals("alert-c", details.path("document_id").asText());
        assertEquals(
                new String(c.json(), StandardCharsets.UTF_8), details.path("original").asText());
        assertFalse(details.path("original_truncated").asBoolean());
        assertFalse(deadLetter.path("@timestamp").asText().isBlank());

        FinishedJob replay =
                SinkJobs.run(List.of(a, b, c), sinkBuilder(deadLetterIndex).build(), REPORTER);
        assertEquals(2, replay.counter("alertsAlreadyIndexed"));
        assertEquals(1, replay.counter("sinkDeadLettered"));
        assertEquals(0, replay.counter("deadLetterWriteFailures"));
        assertEquals(2, ELASTICSEARCH.count(index));
        assertEquals(1, ELASTICSEARCH.count(deadLetterIndex));
    }

    /** Creates alert documents from sequence numbers; static, because Flink serializes it. */
    private static GeneratorFunction<Long, IndexedDocument> alertsFor(String index) {
        return number ->
                alert(index, "generated-" + number, 1000 + number, "C:\\Temp\\g.exe", "10.0.0.9");
    }

    /** Fails the first attempt of the task at one document, so that the job restores. */
    private static final class FailFirstAttemptAt
            extends RichMapFunction<IndexedDocument, IndexedDocument> {

        private final String failAtId;

        FailFirstAttemptAt(String failAtId) {
            this.failAtId = failAtId;
        }

        @Override
        public IndexedDocument map(IndexedDocument document) {
            if (getRuntimeContext().getTaskInfo().getAttemptNumber() == 0
                    && document.id().equals(failAtId)) {
                throw new IllegalStateException("Intended failure at " + failAtId);
            }
            return document;
        }
    }

    @Test
    void checkpointStateRestoresBufferedDocuments() throws Exception {
        String index = ELASTICSEARCH.uniqueIndexName("logs-capwatch.alerts-restore");
        String deadLetterIndex = ELASTICSEARCH.uniqueIndexName("logs-capwatch.deadletter-restore");
        // Batch size and buffer time are far above what the job reaches, so the sink sends nothing
        // before the end of input: every checkpoint stores the buffered documents in its state.
        ElasticsearchSink<IndexedDocument> sink =
                sinkBuilder(deadLetterIndex)
                        .setMaxBatchSize(1000)
                        .setMaxBufferedRequests(2000)
                        .setMaxTimeInBufferMS(Duration.ofHours(1).toMillis())
                        .build();
        // The source emits 10 documents per completed checkpoint, so generated-15 comes after at
        // least one checkpoint whose sink state contains generated-0 to generated-9, while its
        // source state is past them. Only a working state restore gets those documents indexed.
        DataGeneratorSource<IndexedDocument> source =
                new DataGeneratorSource<>(
                        alertsFor(index),
                        30,
                        RateLimiterStrategy.perCheckpoint(10),
                        TypeInformation.of(IndexedDocument.class));
        Configuration configuration = new Configuration();
        configuration.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        configuration.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 1);
        configuration.set(
                RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(10));
        StreamExecutionEnvironment env = SinkJobs.environment(configuration);
        env.enableCheckpointing(100);
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "generated alerts")
                .map(new FailFirstAttemptAt("generated-15"))
                .sinkTo(sink);

        SinkJobs.execute(env, REPORTER);

        assertEquals(30, ELASTICSEARCH.count(index));
        for (String id : List.of("generated-0", "generated-9", "generated-15", "generated-29")) {
            assertEquals(
                    200,
                    ELASTICSEARCH.request("GET", "/" + index + "/_doc/" + id, null).status(),
                    "document " + id);
        }
    }

    @Test
    void oversizeDocumentIsDeadLettered() throws Exception {
        String index = ELASTICSEARCH.uniqueIndexName("logs-capwatch.alerts-oversize");
        String deadLetterIndex = ELASTICSEARCH.uniqueIndexName("logs-capwatch.deadletter-oversize");
        IndexedDocument small = alert(index, "small", 1, "C:\\Temp\\small.exe", "10.0.0.1");
        String bigExecutable = "C:\\Temp\\" + "x".repeat(4000) + ".exe";
        IndexedDocument big = alert(index, "big", 2, bigExecutable, "10.0.0.2");
        RecordingDeadLetterListener listener = new RecordingDeadLetterListener();

        FinishedJob job =
                SinkJobs.run(
                        List.of(small, big),
                        sinkBuilder(deadLetterIndex)
                                .setMaxRecordSizeInBytes(1024)
                                .setMaxBatchSizeInBytes(4096)
                                .setDeadLetterListener(listener)
                                .build(),
                        REPORTER);

        assertEquals(1, job.counter("alertsIndexed"));
        assertEquals(1, job.counter("sinkDeadLettered"));
        assertEquals(1, ELASTICSEARCH.count(index));
        assertEquals(1, listener.received().size());
        assertEquals("document_too_large", listener.received().get(0).errorType());

        JsonNode details =
                ELASTICSEARCH
                        .request("GET", "/" + deadLetterIndex + "/_doc/big", null)
                        .json()
                        .path("_source")
                        .path("capwatch")
                        .path("dead_letter");
        assertEquals("SINK_REJECTED", details.path("reason").asText());
        assertTrue(details.path("original_truncated").asBoolean());
        assertEquals(1024, details.path("original").asText().length());
    }

    private static final String PID_SHORT_EXECUTABLE_KEYWORD =
            "{\"properties\":{\"process\":{\"properties\":{\"pid\":{\"type\":\"short\"},"
                    + "\"executable\":{\"type\":\"keyword\"}}},"
                    + "\"destination\":{\"properties\":{\"ip\":{\"type\":\"ip\"}}}}}";

    /** Lucene's limit for one indexed term, in UTF-8 bytes. */
    private static final int MAX_TERM_BYTES = 32_766;

    /**
     * One bulk request of 100 alerts into an index with {@code process.pid} mapped as {@code short}
     * and {@code process.executable} as {@code keyword} without {@code ignore_above}: every tenth
     * alert has a pid above 32767 (a mapping conflict), another tenth an executable path longer
     * than one term may be (an immense term), and another a 2,000-character destination address,
     * whose error reason quotes it.
     */
    @Test
    void rejectedItemsOfOneBulkAreDeadLettered() throws Exception {
        String index =
                ELASTICSEARCH.createIndex(
                        "logs-capwatch.alerts-rejections", PID_SHORT_EXECUTABLE_KEYWORD);
        String deadLetterIndex =
                ELASTICSEARCH.uniqueIndexName("logs-capwatch.deadletter-rejections");
        installDeadLetterTemplate(deadLetterIndex);
        String immensePath = "C:\\Temp\\" + "x".repeat(MAX_TERM_BYTES) + ".exe";
        List<IndexedDocument> alerts = new ArrayList<>();
        Set<String> conflicting = new HashSet<>();
        Set<String> immense = new HashSet<>();
        Set<String> badAddress = new HashSet<>();
        String longAddress = "x".repeat(2_000);
        for (int i = 0; i < 100; i++) {
            String id = "batch-" + i;
            if (i % 10 == 3) {
                alerts.add(alert(index, id, 40_000 + i, "C:\\Temp\\a.exe", "93.184.216.34"));
                conflicting.add(id);
            } else if (i % 10 == 0) {
                alerts.add(alert(index, id, i, "C:\\Temp\\a.exe", longAddress));
                badAddress.add(id);
            } else if (i % 10 == 7) {
                alerts.add(alert(index, id, i, immensePath, "93.184.216.34"));
                immense.add(id);
            } else {
                alerts.add(alert(index, id, i, "C:\\Temp\\a.exe", "93.184.216.34"));
            }
        }
        RecordingDeadLetterListener listener = new RecordingDeadLetterListener();

        FinishedJob job;
        List<String> logLines;
        try (CapturedLogs logs = CapturedLogs.start()) {
            job =
                    SinkJobs.run(
                            alerts,
                            sinkBuilder(deadLetterIndex)
                                    .setMaxBatchSize(100)
                                    .setMaxBufferedRequests(200)
                                    .setDeadLetterListener(listener)
                                    .build(),
                            REPORTER);
            logLines = logs.lines();
        }

        assertEquals(1, job.counter("bulkRequests"));
        assertEquals(70, job.counter("alertsIndexed"));
        assertEquals(30, job.counter("sinkDeadLettered"));
        assertEquals(0, job.counter("sinkRetries"));
        assertEquals(70, ELASTICSEARCH.count(index));
        assertEquals(30, ELASTICSEARCH.count(deadLetterIndex));
        for (SinkDeadLetter deadLetter : listener.received()) {
            String id = deadLetter.request().id();
            assertEquals(SinkFailureReason.SINK_REJECTED, deadLetter.reason(), id);
            assertEquals(400, deadLetter.httpStatus(), id);
            if (immense.contains(id)) {
                // The reason quotes the whole value first; the immense term is in its causes.
                assertTrue(
                        deadLetter.errorMessage().contains("immense term"),
                        id + ": " + LogText.truncate(deadLetter.errorMessage()));
            } else if (badAddress.contains(id)) {
                assertTrue(
                        deadLetter.errorMessage().contains("destination.ip"),
                        id + ": " + LogText.truncate(deadLetter.errorMessage()));
            } else {
                assertTrue(conflicting.contains(id), id + " was rejected: " + deadLetter);
                assertTrue(
                        deadLetter.errorMessage().contains("process.pid"),
                        id + ": " + deadLetter.errorMessage());
            }
        }
        JsonNode stored =
                ELASTICSEARCH
                        .request("GET", "/" + deadLetterIndex + "/_doc/batch-7", null)
                        .json()
                        .path("_source");
        assertTrue(stored.path("error").path("message").asText().contains("immense term"));
        assertEquals("SINK_REJECTED", stored.path("capwatch").path("dead_letter").path("reason").asText());
        // Error reasons are cut in log lines. The reason for batch-0, the first of the rejected
        // alerts and so the one whose reason is logged, quotes its long address.
        assertFalse(logLines.isEmpty());
        for (String line : logLines) {
            assertFalse(line.contains("x".repeat(LogText.MAX_CHARS + 1)), "long log line: " + line);
        }
    }

    /**
     * The first three bulk requests for the alert index get HTTP 429 from a fault-injecting proxy
     * in front of the real cluster. The proxy forwards everything else, so the retries reach it.
     */
    @Test
    void throttledRequestsAreRetriedUntilIndexed() throws Exception {
        String index = ELASTICSEARCH.uniqueIndexName("logs-capwatch.alerts-throttled");
        String deadLetterIndex = ELASTICSEARCH.uniqueIndexName("logs-capwatch.deadletter-throttled");
        List<IndexedDocument> alerts = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            alerts.add(alert(index, "throttled-" + i, i, "C:\\Temp\\t.exe", "93.184.216.34"));
        }

        try (ThrottlingProxy proxy = new ThrottlingProxy(ELASTICSEARCH.url(), index, 3)) {
            FinishedJob job =
                    SinkJobs.run(
                            alerts,
                            sinkBuilder(deadLetterIndex).setHosts(proxy.url()).build(),
                            REPORTER);

            assertEquals(3, proxy.rejectedRequests());
            assertEquals(50, job.counter("alertsIndexed"));
            assertTrue(job.counter("sinkRetries") >= 3, "sinkRetries " + job.counter("sinkRetries"));
            assertEquals(0, job.counter("sinkDeadLettered"));
        }
        assertEquals(50, ELASTICSEARCH.count(index));
        assertEquals(404, ELASTICSEARCH.request("GET", "/" + deadLetterIndex, null).status());
    }

    /**
     * A proxy rejects every bulk request for the alert index with 429: the retries end after the
     * retry timeout, and the alerts reach the dead-letter index, which the proxy lets through.
     */
    @Test
    void endlessThrottlingEndsInDeadLetters() throws Exception {
        String index = ELASTICSEARCH.uniqueIndexName("logs-capwatch.alerts-throttled-always");
        String deadLetterIndex =
                ELASTICSEARCH.uniqueIndexName("logs-capwatch.deadletter-throttled-always");
        List<IndexedDocument> alerts =
                List.of(
                        alert(index, "always-a", 1, "C:\\Temp\\a.exe", "93.184.216.34"),
                        alert(index, "always-b", 2, "C:\\Temp\\b.exe", "93.184.216.35"));

        try (ThrottlingProxy proxy = new ThrottlingProxy(ELASTICSEARCH.url(), index, Integer.MAX_VALUE);
                CapturedLogs logs = CapturedLogs.start()) {
            FinishedJob job =
                    SinkJobs.run(
                            alerts,
                            sinkBuilder(deadLetterIndex)
                                    .setHosts(proxy.url())
                                    .setRetryTimeout(Duration.ofSeconds(2))
                                    .build(),
                            REPORTER);

            assertTrue(proxy.rejectedRequests() > 1, "rejected " + proxy.rejectedRequests());
            assertEquals(2, job.counter("sinkRetriesExhausted"));
            assertEquals(2, job.counter("sinkDeadLettered"));
            assertEquals(0, job.counter("alertsIndexed"));
            // One line for the first retry, then at most one per RetryLog.INTERVAL_MILLIS.
            assertEquals(1, logs.linesContaining("Retrying ").size());
        }
        assertEquals(404, ELASTICSEARCH.request("GET", "/" + index, null).status());
        assertEquals(2, ELASTICSEARCH.count(deadLetterIndex));
        JsonNode stored =
                ELASTICSEARCH
                        .request("GET", "/" + deadLetterIndex + "/_doc/always-a", null)
                        .json()
                        .path("_source");
        assertEquals(
                "SINK_RETRIES_EXHAUSTED",
                stored.path("capwatch").path("dead_letter").path("reason").asText());
        assertEquals(429, stored.path("http").path("response").path("status_code").asInt());
        assertEquals("es_rejected_execution_exception", stored.path("error").path("type").asText());
        assertTrue(stored.path("capwatch").path("dead_letter").path("attempts").asInt() > 1);
    }

    private void installDeadLetterTemplate(String deadLetterIndex) throws Exception {
        try (ElasticsearchClient client =
                ElasticsearchConnection.builder()
                        .setHosts(ELASTICSEARCH.url())
                        .build()
                        .createClient()) {
            new IndexTemplates(client).installDeadLetterTemplate(deadLetterIndex);
        }
    }
}

package io.capwatch.sink.elasticsearch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import com.fasterxml.jackson.databind.JsonNode;
import io.capwatch.sink.elasticsearch.SinkJobs.FinishedJob;
import io.capwatch.testing.CapturedLogs;
import io.capwatch.testing.DedicatedElasticsearch;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Stops a dedicated Elasticsearch for a minute while a streaming job writes a steady stream of
 * alerts to it, then starts it again on the same port and data folder. The sink runs with its
 * default retry settings, so this also checks that they ride out a one-minute outage. Restarts are
 * disabled: any failure of the job fails the test.
 */
class ElasticsearchOutageIT {

    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = SinkJobs.miniCluster(REPORTER);

    private static final int ALERTS = 8_000;
    private static final int ALERTS_PER_SECOND = 200;
    private static final int MAX_BUFFERED = 1_000;
    private static final Duration OUTAGE = Duration.ofSeconds(60);

    /** The highest sequence number that reached the sink; the MiniCluster runs in this JVM. */
    private static final AtomicLong EMITTED = new AtomicLong(-1);

    private static final String INDEX = "logs-capwatch.alerts-outage";
    private static final String DEAD_LETTER_INDEX = "logs-capwatch.deadletter-outage";

    /** Creates alert documents from sequence numbers; static, because Flink serializes it. */
    private static GeneratorFunction<Long, IndexedDocument> alerts() {
        return number ->
                SinkJobs.alert(
                        INDEX, "outage-" + number, 1000 + number, "C:\\Temp\\g.exe", "10.0.0.9");
    }

    /** Records how far the stream got, to see that back-pressure held it during the outage. */
    private static final class RecordProgress implements MapFunction<IndexedDocument, IndexedDocument> {
        @Override
        public IndexedDocument map(IndexedDocument document) {
            long number = Long.parseLong(document.id().substring("outage-".length()));
            EMITTED.accumulateAndGet(number, Math::max);
            return document;
        }
    }

    @Test
    void oneMinuteOutageLosesNoAlert() throws Exception {
        try (DedicatedElasticsearch elasticsearch = DedicatedElasticsearch.start("outage");
                CapturedLogs logs = CapturedLogs.start()) {
            ElasticsearchSink<IndexedDocument> sink =
                    ElasticsearchSink.<IndexedDocument>builder()
                            .setHosts(elasticsearch.url())
                            .setElementConverter(new IndexedDocumentConverter())
                            .setDeadLetterIndex(DEAD_LETTER_INDEX)
                            .setMaxBufferedRequests(MAX_BUFFERED)
                            .build();
            try (ElasticsearchClient client = sink.getConnection().createClient()) {
                new IndexTemplates(client).install(INDEX, DEAD_LETTER_INDEX);
            }
            StreamExecutionEnvironment env = SinkJobs.environment();
            env.enableCheckpointing(2_000);
            env.fromSource(
                            new DataGeneratorSource<>(
                                    alerts(),
                                    ALERTS,
                                    RateLimiterStrategy.perSecond(ALERTS_PER_SECOND),
                                    TypeInformation.of(IndexedDocument.class)),
                            WatermarkStrategy.noWatermarks(),
                            "steady alerts")
                    .map(new RecordProgress())
                    .sinkTo(sink);
            JobClient job = env.executeAsync("elasticsearch outage");

            long indexedBeforeOutage = waitForDocuments(elasticsearch, ALERTS / 4);
            elasticsearch.stop();
            long emittedAtStop = EMITTED.get();
            long outageStart = System.nanoTime();
            TimeUnit.NANOSECONDS.sleep(OUTAGE.toNanos());
            long emittedDuringOutage = EMITTED.get() - emittedAtStop;
            elasticsearch.restart();
            long outageSeconds =
                    TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - outageStart);

            job.getJobExecutionResult().get(5, TimeUnit.MINUTES);
            long retrySeconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - outageStart);
            FinishedJob finished = new FinishedJob(job.getJobID(), REPORTER);

            System.out.printf(
                    "Outage test: %d alerts at %d/s, %d indexed before the %d s outage, %d emitted"
                            + " during it, %d document retries%n",
                    ALERTS,
                    ALERTS_PER_SECOND,
                    indexedBeforeOutage,
                    outageSeconds,
                    emittedDuringOutage,
                    finished.counter("sinkRetries"));

            assertEquals(ALERTS, elasticsearch.count(INDEX), "documents in " + INDEX);
            assertEquals(expectedIds(), storedIds(elasticsearch));
            assertEquals(
                    404, elasticsearch.request("GET", "/" + DEAD_LETTER_INDEX, null).status());
            assertEquals(ALERTS, finished.counter("alertsIndexed"));
            assertEquals(0, finished.counter("alertsAlreadyIndexed"));
            assertEquals(0, finished.counter("sinkDeadLettered"));
            assertEquals(0, finished.counter("sinkRetriesExhausted"));
            assertTrue(
                    finished.counter("sinkRetries") > 0,
                    "the outage caused no retry: sinkRetries is "
                            + finished.counter("sinkRetries"));
            // Back-pressure: while Elasticsearch is down, the stream moves on only until the
            // buffer and the requests in flight (2 x 500 documents by default) are full, far
            // below the 12,000 alerts that the source would emit in a minute.
            long heldBound = MAX_BUFFERED + 2L * ElasticsearchSinkBuilder.DEFAULT_MAX_BATCH_SIZE + 500;
            assertTrue(
                    emittedDuringOutage <= heldBound,
                    emittedDuringOutage + " alerts passed during the outage, above " + heldBound);
            // Retries are logged at most once per RetryLog.INTERVAL_MILLIS, plus the first line.
            int retryLines = logs.linesContaining("Retrying ").size();
            long maxRetryLines = retrySeconds * 1000 / RetryLog.INTERVAL_MILLIS + 1;
            assertTrue(
                    retryLines >= 1 && retryLines <= maxRetryLines,
                    retryLines + " retry lines in " + retrySeconds + " s; expected 1 to " + maxRetryLines);
            assertEquals(
                    1, logs.linesContaining("Elasticsearch accepts bulk requests again").size());
        }
    }

    /** Waits until {@code index} has at least {@code minimum} documents; returns the count. */
    private static long waitForDocuments(DedicatedElasticsearch elasticsearch, long minimum)
            throws InterruptedException {
        for (int i = 0; i < 600; i++) {
            long count = elasticsearch.count(INDEX);
            if (count >= minimum) {
                return count;
            }
            TimeUnit.MILLISECONDS.sleep(200);
        }
        throw new AssertionError(INDEX + " did not reach " + minimum + " documents in 2 minutes");
    }

    private static Set<String> expectedIds() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < ALERTS; i++) {
            ids.add("outage-" + i);
        }
        return ids;
    }

    private static Set<String> storedIds(DedicatedElasticsearch elasticsearch) {
        JsonNode hits =
                elasticsearch
                        .request(
                                "GET",
                                "/" + INDEX + "/_search",
                                "{\"size\":" + ALERTS + ",\"_source\":false}")
                        .json()
                        .path("hits")
                        .path("hits");
        Set<String> ids = new HashSet<>();
        for (JsonNode hit : hits) {
            ids.add(hit.path("_id").asText());
        }
        return ids;
    }
}

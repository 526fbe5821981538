package io.capwatch.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.capwatch.job.CapwatchJob;
import io.capwatch.job.JobSettings;
import io.capwatch.rule.RuleLoader;
import io.capwatch.sink.elasticsearch.IndexedDocument;
import io.capwatch.testing.CollectingSink;
import io.capwatch.testing.KafkaBroker;
import io.capwatch.testing.MiniClusters;
import io.capwatch.testing.Telemetry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The job over a real Kafka broker: streaming and backfill paths, idle partitions, late data. */
class KafkaPipelineTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK =
            MiniClusters.withTwoSlots();

    @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TEMP_EXE = "C:\\Users\\u\\AppData\\Local\\Temp\\implant.exe";

    @TempDir Path dir;

    @Test
    void streamingAndBackfillGiveSameAlertIds() throws Exception {
        String topic = createTopic(3);
        List<KafkaBroker.Message> records = new ArrayList<>();
        for (int pid = 1; pid <= 30; pid++) {
            String host = "h" + pid % 6;
            String second = pid < 10 ? "0" + pid : Integer.toString(pid);
            records.add(record(host, new Telemetry()
                    .unsignedStart("2024-05-14T10:00:" + second + "Z", host, pid, TEMP_EXE)));
            records.add(record(host, new Telemetry()
                    .connection("2024-05-14T10:20:" + second + "Z", host, pid, TEMP_EXE, "93.184.216.34")));
        }
        KAFKA.produceMessages(topic, records);

        List<String> streaming = alertIds(runBounded(topic, false));
        List<String> backfill = alertIds(runBounded(topic, true));
        assertEquals(30, streaming.size());
        assertEquals(streaming, backfill);
    }

    @Test
    void silentPartitionsDoNotStallAlerts() throws Exception {
        // Two of three partitions never get a record, and the third falls silent after the
        // connection: only the idle rules can move event time far enough to emit the match.
        String topic = createTopic(3);
        KAFKA.produceMessages(
                topic,
                List.of(
                        KafkaBroker.Message.toPartition(0, "h1", line(new Telemetry()
                                .unsignedStart("2024-05-14T10:00:00Z", "h1", 7, TEMP_EXE))),
                        KafkaBroker.Message.toPartition(0, "h1", line(new Telemetry()
                                .connection("2024-05-14T10:00:30Z", "h1", 7, TEMP_EXE, "93.184.216.34")))));

        JobSettings settings = settings(topic);
        settings.batch = false;
        settings.idleness = Duration.ofMillis(500);
        settings.idleAdvance = Duration.ofSeconds(2);
        settings.outOfOrderness = Duration.ofSeconds(10);

        CollectingSink alerts = new CollectingSink();
        CollectingSink deadLetters = new CollectingSink();
        StreamExecutionEnvironment env = environment(false);
        build(settings, alerts, deadLetters).addTo(env);
        JobClient job = env.executeAsync("idle partitions");
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (alerts.documents().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertEquals(1, alerts.documents().size(), "the match never came out of the silent job");
        } finally {
            job.cancel().get();
            alerts.close();
            deadLetters.close();
        }
    }

    @Test
    void lateRecordReachesDeadLetterTopicWithOffset() throws Exception {
        String topic = createTopic(1);
        String deadLetterTopic = createTopic(1);
        KAFKA.produceMessages(
                topic,
                List.of(
                        record("h-b2", new Telemetry()
                                .unsignedStart("2024-05-14T10:30:00Z", "h-b2", 1, TEMP_EXE)),
                        record("h-a1", new Telemetry()
                                .unsignedStart("2024-05-14T10:00:00Z", "h-a1", 2, TEMP_EXE)),
                        KafkaBroker.Message.keyed("junk", "not json at all")));

        JobSettings settings = settings(topic);
        settings.batch = false;
        settings.watermarkPerRecord = true;
        settings.deadLetterTopic = deadLetterTopic;
        settings.kafka.stoppingOffsets = "latest";
        CollectingSink alerts = new CollectingSink();
        StreamExecutionEnvironment env = environment(false);
        build(settings, alerts, KafkaConnectors.documents(settings.kafka, deadLetterTopic)).addTo(env);
        env.execute("late to dead-letter topic");
        alerts.close();

        List<JsonNode> letters = consumeAll(deadLetterTopic);
        JsonNode late =
                letters.stream()
                        .filter(l -> l.path("error").path("type").asText().equals("LATE_EVENT"))
                        .findFirst()
                        .orElseThrow(() -> new AssertionError("no late event in " + letters));
        assertEquals(topic + "-0@1", late.path("capwatch").path("dead_letter").path("origin").asText());
        assertTrue(late.path("capwatch").path("dead_letter").path("original").asText().contains("h-a1"));
        JsonNode junk =
                letters.stream()
                        .filter(l -> l.path("error").path("type").asText().equals("INVALID_JSON"))
                        .findFirst()
                        .orElseThrow(() -> new AssertionError("no invalid record in " + letters));
        assertEquals(topic + "-0@2", junk.path("capwatch").path("dead_letter").path("origin").asText());
        assertEquals("not json at all", junk.path("capwatch").path("dead_letter").path("original").asText());
    }

    @Test
    void derivedPrevalenceIsSharedThroughTopic() throws Exception {
        String topic = createTopic(2);
        String prevalenceTopic =
                KAFKA.createTopic("capwatch-prevalence", 1, Map.of("cleanup.policy", "compact"));
        List<KafkaBroker.Message> records = new ArrayList<>();
        // The implant runs on one host; a signed updater in Downloads runs on 60.
        records.add(record("h0", new Telemetry()
                .unsignedStart("2024-05-14T10:00:00Z", "h0", 1, TEMP_EXE)));
        records.add(record("h0", new Telemetry()
                .connection("2024-05-14T10:05:00Z", "h0", 1, TEMP_EXE, "93.184.216.34")));
        String updater = "C:\\Users\\u\\Downloads\\updater.exe";
        for (int host = 1; host <= 60; host++) {
            records.add(record("h" + host, new Telemetry()
                    .start("2024-05-14T09:00:00Z", "h" + host, 50, null, updater, true, true)));
        }
        KAFKA.produceMessages(topic, records);

        JobSettings derive = settings(topic);
        derive.batch = false;
        derive.kafka.stoppingOffsets = "latest";
        derive.derivePrevalence = true;
        derive.prevalenceTopic = prevalenceTopic;
        runJob(derive, null);

        Map<String, Long> hostsByBinary = new java.util.HashMap<>();
        for (var record : KAFKA.consumeAll(prevalenceTopic, Duration.ofSeconds(10))) {
            JsonNode value = JSON.readTree(record.value());
            assertEquals(record.key(), value.path("binary").asText(), "records are keyed by binary");
            hostsByBinary.merge(value.path("binary").asText(), value.path("host_count").asLong(), Math::max);
        }
        assertEquals(1L, hostsByBinary.get(Telemetry.sha256Of(TEMP_EXE)));
        assertEquals(60L, hostsByBinary.get(Telemetry.sha256Of(updater)));

        // A backfill that only reads the topic scores the implant as seen on one host.
        JobSettings backfill = settings(topic);
        backfill.batch = true;
        backfill.kafka.stoppingOffsets = "latest";
        backfill.prevalenceTopic = prevalenceTopic;
        List<IndexedDocument> alerts =
                runJob(backfill, KafkaConnectors.prevalence(backfill.kafka, prevalenceTopic, true));
        assertEquals(1, alerts.size());
        JsonNode alert = JSON.readTree(alerts.get(0).json());
        assertEquals(99, alert.path("event").path("risk_score").asInt());
        assertEquals("topic", alert.path("capwatch").path("prevalence").path("source").asText());
    }

    private static List<IndexedDocument> runJob(
            JobSettings settings, org.apache.flink.api.connector.source.Source<io.capwatch.ingest.RawRecord, ?, ?> prevalence)
            throws Exception {
        CollectingSink alerts = new CollectingSink();
        CollectingSink deadLetters = new CollectingSink();
        try {
            StreamExecutionEnvironment env = environment(settings.batch);
            CapwatchJob.overParsedSource(
                            RuleLoader.loadDefault(),
                            settings,
                            KafkaConnectors.telemetry(settings.kafka, settings.parserLimits()),
                            prevalence,
                            alerts,
                            deadLetters)
                    .addTo(env);
            env.execute("prevalence through a topic");
            return alerts.documents();
        } finally {
            alerts.close();
            deadLetters.close();
        }
    }

    private List<IndexedDocument> runBounded(String topic, boolean batch) throws Exception {
        JobSettings settings = settings(topic);
        settings.batch = batch;
        settings.kafka.stoppingOffsets = "latest";
        settings.kafka.groupId = "capwatch-test-" + UUID.randomUUID();
        CollectingSink alerts = new CollectingSink();
        CollectingSink deadLetters = new CollectingSink();
        try {
            StreamExecutionEnvironment env = environment(batch);
            build(settings, alerts, deadLetters).addTo(env);
            env.execute(batch ? "backfill from kafka" : "streaming from kafka");
            assertEquals(List.of(), deadLetters.documents());
            return alerts.documents();
        } finally {
            alerts.close();
            deadLetters.close();
        }
    }

    private static CapwatchJob build(
            JobSettings settings,
            org.apache.flink.api.connector.sink2.Sink<IndexedDocument> alerts,
            org.apache.flink.api.connector.sink2.Sink<IndexedDocument> deadLetters) {
        return CapwatchJob.overParsedSource(
                RuleLoader.loadDefault(),
                settings,
                KafkaConnectors.telemetry(settings.kafka, settings.parserLimits()),
                null,
                alerts,
                deadLetters);
    }

    private static StreamExecutionEnvironment environment(boolean batch) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setRuntimeMode(batch ? RuntimeExecutionMode.BATCH : RuntimeExecutionMode.STREAMING);
        env.setParallelism(2);
        return env;
    }

    private static JobSettings settings(String topic) {
        JobSettings settings = new JobSettings();
        settings.kafka = new KafkaSettings();
        settings.kafka.bootstrapServers = KAFKA.bootstrapServers();
        settings.kafka.topics = List.of(topic);
        settings.kafka.groupId = "capwatch-test-" + UUID.randomUUID();
        settings.kafka.startingOffsets = "earliest";
        settings.outOfOrderness = Duration.ofSeconds(60);
        settings.idleness = Duration.ZERO;
        settings.idleAdvance = Duration.ZERO;
        return settings;
    }

    private static List<String> alertIds(List<IndexedDocument> documents) {
        return documents.stream().map(IndexedDocument::id).sorted().toList();
    }

    private KafkaBroker.Message record(String key, Telemetry telemetry) throws Exception {
        return KafkaBroker.Message.keyed(key, line(telemetry));
    }

    private String line(Telemetry telemetry) throws Exception {
        return Files.readString(telemetry.writeTo(dir)).strip();
    }

    private static String createTopic(int partitions) {
        return KAFKA.createTopic("capwatch-test", partitions);
    }

    private static List<JsonNode> consumeAll(String topic) throws Exception {
        List<JsonNode> values = new ArrayList<>();
        for (var record : KAFKA.consumeAll(topic, Duration.ofSeconds(10))) {
            values.add(JSON.readTree(record.value()));
        }
        return values;
    }
}

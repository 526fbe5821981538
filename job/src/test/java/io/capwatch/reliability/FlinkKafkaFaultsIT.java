package io.capwatch.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;

import io.capwatch.metrics.CounterNames;
import io.capwatch.testing.ElasticsearchServer;
import io.capwatch.testing.FlinkCluster;
import io.capwatch.testing.KafkaBroker;
import io.capwatch.testing.Telemetry;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fault tests of the packaged job on real processes. The class starts a Flink session cluster of
 * its own, whose TaskManager a test kills, and a Kafka broker of its own, which a test stops and
 * starts again. The Elasticsearch server and the Kafka broker that all tests share are not faulted.
 *
 * <p>Each test prints one line of figures (see {@link FaultReport}). The assertions are on alert
 * sets, duplicates and record counts, never on timing.
 */
class FlinkKafkaFaultsIT {
    @RegisterExtension static final ElasticsearchServer ELASTICSEARCH = new ElasticsearchServer();

    /** The shared broker, for the tests that fault Flink only. */
    @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

    @RegisterExtension
    static final KafkaBroker RESTARTED_KAFKA = KafkaBroker.dedicated("kafka-faults");

    @RegisterExtension static final FlinkCluster FLINK = FlinkCluster.dedicated("flink-faults");

    /** Records per wall-clock second that the producer holds during a fault test. */
    private static final int RATE = 1_500;

    /** A marker record after every this many records. */
    private static final int MARKER_INTERVAL = 100;

    private static final Duration JOB_TIMEOUT = Duration.ofMinutes(4);

    /**
     * How long an alert must stay after the latest completed checkpoint before the TaskManager
     * kill, so that it was not written by the flush of a checkpoint about to complete.
     */
    private static final Duration CHECKPOINT_GRACE = Duration.ofSeconds(1);

    /**
     * Failed deployments to the killed TaskManager count as attempts until the JobManager declares
     * it lost. With Flink's default heartbeat settings that takes about two failed heartbeats of 10
     * s, so the strategy allows a minute.
     */
    private static final Map<String, String> RESTART_STRATEGY =
            Map.of(
                    "restart-strategy.type", "fixed-delay",
                    "restart-strategy.fixed-delay.attempts", "30",
                    "restart-strategy.fixed-delay.delay", "2 s");

    /** The host, executables, peer and event times of the savepoint test. */
    private static final String HOST = "ws-savepoint-01";

    private static final String DOWNLOADS_EXE = "C:\\Users\\u\\Downloads\\invoice-viewer.exe";
    private static final String NOTEPAD = "C:\\Windows\\System32\\notepad.exe";
    private static final String PEER = "93.184.216.34";
    private static final String T0 = "2024-05-14T10:00:00Z";
    private static final String T0_PLUS_5S = "2024-05-14T10:00:05Z";
    private static final String T0_PLUS_1M = "2024-05-14T10:01:00Z";
    private static final String T0_PLUS_20M = "2024-05-14T10:20:00Z";

    private static String jarId;

    private final List<String> jobs = new ArrayList<>();

    @BeforeAll
    static void uploadJobJar() throws IOException {
        jarId = FLINK.uploadJar(requiredFile("capwatch.job.jar"));
    }

    /** Cancels the jobs a failed test left running, so that the next test has the slots. */
    @AfterEach
    void cancelRunningJobs() {
        for (String job : jobs) {
            if ("RUNNING".equals(FLINK.jobState(job))) {
                FLINK.cancel(job);
            }
        }
    }

    @Test
    void taskManagerKillKeepsAlertSet() throws Exception {
        FaultInput input =
                FaultInput.generate(tempDir("fleet-tm-"), 45_000, 12, 21, MARKER_INTERVAL);
        int total = input.records.size();
        String topic = KAFKA.createTopic("faults-taskmanager", 1);

        Indexes faulted = Indexes.create("taskmanager-kill");
        String job = submit(kafkaJob(KAFKA, topic, total, faulted, "faulted"), null);
        awaitState(job, "RUNNING");
        CompletableFuture<Duration> producing =
                new PacedProducer(KAFKA, topic, RATE).startProducing(input.records, 0, total);

        CheckpointedAlerts atKill = awaitAlertAfterCheckpoint(job, faulted.alerts);
        long killedPid = FLINK.killTaskManager();
        FLINK.startTaskManager();

        Duration produced = producing.get();
        assertEquals("FINISHED", FLINK.awaitJobEnd(job, JOB_TIMEOUT), "state of the faulted job");
        JsonNode restored =
                FLINK.get("/jobs/" + job + "/checkpoints").path("latest").path("restored");
        assertFalse(
                restored.isMissingNode() || restored.isNull(), "the job restored no checkpoint");
        // NOTE: when a checkpoint completes between the last look at the log and the kill, the
        // job restores that one, and the alerts counted as after the checkpoint are not replayed.
        long replayed =
                restored.path("id").asLong() == atKill.checkpoint() ? atKill.alertsAfter() : 0;
        IndexedOutput faultedOutput =
                IndexedOutput.read(ELASTICSEARCH, faulted.alerts, faulted.deadLetters, topic);

        Indexes clean = Indexes.create("taskmanager-clean");
        String cleanJob = submit(kafkaJob(KAFKA, topic, total, clean, "clean"), null);
        assertEquals(
                "FINISHED", FLINK.awaitJobEnd(cleanJob, JOB_TIMEOUT), "state of the clean job");
        IndexedOutput cleanOutput =
                IndexedOutput.read(ELASTICSEARCH, clean.alerts, clean.deadLetters, topic);

        long lost = faultedOutput.missingMarkers(input.markerOffsets).size();
        new FaultReport(
                        "TaskManager SIGKILL",
                        total / (produced.toMillis() / 1000.0),
                        total,
                        "SIGKILL of TaskManager pid "
                                + killedPid
                                + " after "
                                + atKill.alerts()
                                + " alert(s), replacement TaskManager, restore of checkpoint "
                                + restored.path("id").asLong()
                                + ", "
                                + replayed
                                + " indexed alert(s) replayed",
                        cleanOutput.alertIds().size(),
                        faultedOutput.alertDocuments(),
                        faultedOutput.duplicates(),
                        lost)
                .publish();

        assertEquals(
                0, faultedOutput.duplicates(), "alerts per chain " + faultedOutput.alertsByChain());
        assertEquals(
                input.injectedChains,
                cleanOutput.alertsByChain().keySet(),
                "chains of the clean run");
        assertEquals(cleanOutput.alertIds(), faultedOutput.alertIds(), "alert ids after the kill");
        assertEquals(
                cleanOutput.alertDocuments(), faultedOutput.alertDocuments(), "alert documents");
        assertEquals(
                Set.of(),
                faultedOutput.missingMarkers(input.markerOffsets),
                "markers without a dead letter");
        assertEquals(
                cleanOutput.deadLetterOffsets(),
                faultedOutput.deadLetterOffsets(),
                "dead-letter offsets");
    }

    @Test
    void brokerRestartSkipsNoRecord() throws Exception {
        FaultInput input =
                FaultInput.generate(tempDir("fleet-broker-"), 40_000, 5, 22, MARKER_INTERVAL);
        int total = input.records.size();
        int half = total / 2;
        String topic = RESTARTED_KAFKA.createTopic("faults-broker", 1);

        Indexes indexes = Indexes.create("broker-restart");
        String job = submit(kafkaJob(RESTARTED_KAFKA, topic, total, indexes, "restart"), null);
        awaitState(job, "RUNNING");
        PacedProducer producer = new PacedProducer(RESTARTED_KAFKA, topic, RATE);
        Duration firstHalf = producer.produce(input.records, 0, half);
        // The offsets of a completed checkpoint are where the reader resumes if the job restarts.
        await(
                "a completed checkpoint",
                Duration.ofMinutes(1),
                () -> FLINK.completedCheckpoints(job) >= 1);
        long checkpointsBeforeStop = FLINK.completedCheckpoints(job);

        Instant stopped = Instant.now();
        RESTARTED_KAFKA.stopBroker();
        Thread.sleep(10_000);
        RESTARTED_KAFKA.startBrokerAgain();
        Duration outage = Duration.between(stopped, Instant.now());
        Duration secondHalf = producer.produce(input.records, half, total);

        assertEquals("FINISHED", FLINK.awaitJobEnd(job, JOB_TIMEOUT), "state of the job");
        Map<String, Long> counters = FLINK.accumulators(job);
        IndexedOutput output =
                IndexedOutput.read(ELASTICSEARCH, indexes.alerts, indexes.deadLetters, topic);
        long read = counters.getOrDefault(CounterNames.RECORDS_READ, 0L);
        long restarts =
                FLINK.get("/jobs/" + job + "/exceptions")
                        .path("exceptionHistory")
                        .path("entries")
                        .size();
        new FaultReport(
                        "Kafka broker restart",
                        total / ((firstHalf.toMillis() + secondHalf.toMillis()) / 1000.0),
                        total,
                        "broker stopped and started again on the same ports after "
                                + half
                                + " records, "
                                + outage.toSeconds()
                                + " s without a broker, "
                                + checkpointsBeforeStop
                                + " checkpoint(s) before, "
                                + restarts
                                + " job restart(s)",
                        input.injectedChains.size(),
                        output.alertDocuments(),
                        output.duplicates(),
                        total - read)
                .publish();

        assertEquals(total, read, "recordsRead of the job");
        assertEquals(read, outcomes(counters), "events, ignored records and dead letters");
        assertEquals(
                Set.of(),
                output.missingMarkers(input.markerOffsets),
                "markers without a dead letter");
        assertEquals(input.injectedChains, output.alertsByChain().keySet(), "chains alerted");
        assertEquals(0, output.duplicates(), "alerts per chain " + output.alertsByChain());
    }

    @Test
    void savepointKeepsPendingStart() throws Exception {
        String topic = KAFKA.createTopic("faults-savepoint", 1);
        Indexes indexes = Indexes.create("savepoint");
        List<String> arguments = kafkaJob(KAFKA, topic, -1, indexes, "savepoint");

        String first = submit(arguments, null);
        awaitState(first, "RUNNING");
        KAFKA.produceMessages(
                topic,
                List.of(
                        record(windows().unsignedStart(T0, HOST, 4101, DOWNLOADS_EXE)),
                        record(windows().unsignedStart(T0_PLUS_5S, HOST, 4102, DOWNLOADS_EXE))));
        await(
                "both starts past the stage filters",
                Duration.ofMinutes(1),
                () ->
                        FLINK.accumulators(first)
                                        .getOrDefault(CounterNames.STARTS_USER_WRITABLE, 0L)
                                >= 2);
        String savepoint =
                FLINK.stopWithSavepoint(first, tempDir("savepoint-"), Duration.ofMinutes(2));
        assertEquals(
                "FINISHED",
                FLINK.awaitJobEnd(first, JOB_TIMEOUT),
                "state after stop-with-savepoint");
        long readBeforeSavepoint =
                FLINK.accumulators(first).getOrDefault(CounterNames.RECORDS_READ, 0L);
        long alertsBeforeResume = countOrZero(indexes.alerts);

        // Only the start of pid 4101 gets its connection. The event 20 minutes later moves the
        // watermark past that connection, so CEP completes the match.
        KAFKA.produceMessages(
                topic,
                List.of(
                        record(windows().connection(T0_PLUS_1M, HOST, 4101, DOWNLOADS_EXE, PEER)),
                        record(
                                windows()
                                        .start(
                                                T0_PLUS_20M,
                                                HOST,
                                                4200,
                                                null,
                                                NOTEPAD,
                                                true,
                                                true))));
        String resumed = submit(arguments, savepoint);
        await(
                "the alert of the resumed job",
                Duration.ofMinutes(2),
                () -> countOrZero(indexes.alerts) >= 1);
        await(
                "the resumed job's counters",
                Duration.ofMinutes(1),
                () -> FLINK.accumulators(resumed).getOrDefault(CounterNames.RECORDS_READ, 0L) >= 2);
        FLINK.cancel(resumed);
        FLINK.awaitJobEnd(resumed, JOB_TIMEOUT);
        long readAfterResume =
                FLINK.accumulators(resumed).getOrDefault(CounterNames.RECORDS_READ, 0L);
        IndexedOutput output =
                IndexedOutput.read(ELASTICSEARCH, indexes.alerts, indexes.deadLetters, topic);
        new FaultReport(
                        "savepoint with pending starts",
                        0,
                        4,
                        "stop-with-savepoint holding 2 pending starts, connection produced while"
                                + " stopped, resume from the savepoint",
                        1,
                        output.alertDocuments(),
                        output.duplicates(),
                        4 - readBeforeSavepoint - readAfterResume)
                .publish();

        assertEquals(0, alertsBeforeResume, "alerts before the connection");
        assertEquals(2, readBeforeSavepoint, "records read before the savepoint");
        assertEquals(
                Set.of(FaultInput.chainKey(HOST, 4101, PEER)),
                output.alertsByChain().keySet(),
                "chains alerted");
        assertEquals(1, output.alertDocuments(), "alert documents");
        // The resumed job read only the two records after the savepoint's offset, so the start it
        // matched came from the savepoint's state, not from reading the topic again.
        assertEquals(2, readAfterResume, "records read by the resumed job");
    }

    /**
     * The alerts indexed when a test looked, and how many of them came after the job's latest
     * completed checkpoint.
     */
    private record CheckpointedAlerts(long checkpoint, long alerts, long alertsAfter) {}

    /**
     * Waits until an alert is indexed after the job's latest completed checkpoint. A job restored
     * from that checkpoint replays such an alert, which a fault test needs to show that replays
     * write no duplicates. The JobManager logs each completed checkpoint at once, whereas the REST
     * API serves checkpoint statistics that are up to {@code web.refresh-interval} old.
     *
     * <p>The sink also writes alerts while a checkpoint is taken, before the JobManager logs its
     * completion. So an alert counts only when no further checkpoint has completed {@link
     * #CHECKPOINT_GRACE} after it was seen.
     */
    private static CheckpointedAlerts awaitAlertAfterCheckpoint(String job, String alertIndex)
            throws IOException, InterruptedException {
        long checkpoint = -1;
        long alertsAtCheckpoint = 0;
        Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
        while (Instant.now().isBefore(deadline)) {
            long latest = latestCompletedCheckpoint(job);
            // Read after the log, the count contains every alert that the checkpoint's flush
            // wrote, and maybe a few written after it, so alertsAfter is a lower bound.
            long alerts = countOrZero(alertIndex);
            if (latest != checkpoint) {
                checkpoint = latest;
                alertsAtCheckpoint = alerts;
            } else if (checkpoint >= 1 && alerts > alertsAtCheckpoint) {
                Thread.sleep(CHECKPOINT_GRACE.toMillis());
                if (latestCompletedCheckpoint(job) == checkpoint) {
                    return new CheckpointedAlerts(checkpoint, alerts, alerts - alertsAtCheckpoint);
                }
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException(
                "no alert was indexed after checkpoint " + checkpoint + " of job " + job);
    }

    /** Returns the id of the job's latest checkpoint that the JobManager logged as completed. */
    private static long latestCompletedCheckpoint(String job) throws IOException {
        Pattern completed = Pattern.compile("Completed checkpoint (\\d+) for job " + job);
        Matcher matcher = completed.matcher(Files.readString(FLINK.jobManagerLog()));
        long latest = -1;
        while (matcher.find()) {
            latest = Long.parseLong(matcher.group(1));
        }
        return latest;
    }

    /** The alert and dead-letter indexes of one job run. */
    private record Indexes(String alerts, String deadLetters) {
        static Indexes create(String name) {
            return new Indexes(
                    ELASTICSEARCH.uniqueIndexName("logs-capwatch.alerts-" + name),
                    ELASTICSEARCH.uniqueIndexName("logs-capwatch.deadletter-" + name));
        }
    }

    /**
     * Returns the job's options for a streaming run over partition 0 of {@code topic} from its
     * first offset, bounded at {@code endOffset} unless it is negative. Idleness and the idle
     * advance are off, so event time moves with the records alone and runs over the same records
     * give the same alerts whatever the wall clock did.
     */
    private static List<String> kafkaJob(
            KafkaBroker kafka, String topic, long endOffset, Indexes indexes, String groupSuffix) {
        List<String> arguments =
                new ArrayList<>(
                        List.of(
                                "--kafka-topic",
                                topic,
                                "--kafka-bootstrap-servers",
                                kafka.bootstrapServers(),
                                "--kafka-group-id",
                                topic + "-" + groupSuffix,
                                "--kafka-starting-offsets",
                                "earliest",
                                "--mode",
                                "streaming",
                                "--checkpoint-interval",
                                "3s",
                                "--idleness",
                                "0",
                                "--idle-advance",
                                "0",
                                "--es-url",
                                ELASTICSEARCH.url(),
                                "--alert-index",
                                indexes.alerts(),
                                "--dead-letter-index",
                                indexes.deadLetters()));
        if (endOffset >= 0) {
            arguments.addAll(
                    List.of("--kafka-stopping-offsets", "offsets:" + topic + ":0:" + endOffset));
        }
        return arguments;
    }

    /**
     * Submits the job jar through REST with the restart strategy, restored from a savepoint if
     * given.
     */
    private String submit(List<String> arguments, String savepoint) {
        String job = FLINK.runJar(jarId, arguments, savepoint, RESTART_STRATEGY);
        jobs.add(job);
        return job;
    }

    private static void awaitState(String job, String state) throws InterruptedException {
        await(
                "job " + job + " " + state,
                Duration.ofMinutes(2),
                () -> state.equals(FLINK.jobState(job)));
    }

    /**
     * Polls {@code condition} every 100 ms and fails when it is not true within {@code timeout}.
     */
    private static void await(String description, Duration timeout, BooleanSupplier condition)
            throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                fail("timed out after " + timeout + " waiting for " + description);
            }
            Thread.sleep(100);
        }
    }

    private static long countOrZero(String index) {
        return IndexedOutput.countOrZero(ELASTICSEARCH, index);
    }

    /** Returns the sum of the event, ignored and dead-letter counters, which equals recordsRead. */
    private static long outcomes(Map<String, Long> counters) {
        return counters.entrySet().stream()
                .filter(
                        entry ->
                                entry.getKey().startsWith(CounterNames.EVENTS_PREFIX)
                                        || entry.getKey().startsWith(CounterNames.IGNORED_PREFIX)
                                        || entry.getKey()
                                                .startsWith(CounterNames.DEAD_LETTERED_PREFIX))
                .mapToLong(Map.Entry::getValue)
                .sum();
    }

    private static Telemetry windows() {
        return new Telemetry().onOs("windows");
    }

    private static KafkaBroker.Message record(Telemetry telemetry) throws IOException {
        Path file = telemetry.writeTo(tempDir("telemetry-"));
        return KafkaBroker.Message.toPartition(0, null, Files.readString(file).strip());
    }

    private static Path tempDir(String prefix) throws IOException {
        Path target = Path.of(System.getProperty("basedir", "."), "target");
        Files.createDirectories(target);
        return Files.createTempDirectory(target, prefix).toAbsolutePath();
    }

    private static Path requiredFile(String property) {
        String value = System.getProperty(property);
        if (value == null || !Files.isRegularFile(Path.of(value))) {
            fail(
                    "system property "
                            + property
                            + "="
                            + value
                            + " names no file; run this test through Maven's failsafe plugin (mvn"
                            + " verify), which packages the job jar");
        }
        return Path.of(value);
    }
}

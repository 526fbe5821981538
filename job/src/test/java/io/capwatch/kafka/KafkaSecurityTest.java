package io.capwatch.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.capwatch.job.CapwatchJob;
import io.capwatch.job.JobSettings;
import io.capwatch.rule.RuleLoader;
import io.capwatch.testing.CollectingSink;
import io.capwatch.testing.KafkaBroker;
import io.capwatch.testing.LogCapture;
import io.capwatch.testing.MiniClusters;
import io.capwatch.testing.SecuredKafkaBroker;
import io.capwatch.testing.Telemetry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job against a broker that accepts only SASL_SSL with SCRAM-SHA-512, configured through a
 * client properties file as {@code --kafka-properties} reads it. Every Kafka connector of the job
 * takes part: the telemetry and prevalence sources and the dead-letter and prevalence sinks.
 */
class KafkaSecurityTest {
    @RegisterExtension static final MiniClusterExtension FLINK = MiniClusters.withTwoSlots();

    @RegisterExtension static final SecuredKafkaBroker KAFKA = new SecuredKafkaBroker();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String IMPLANT = "C:\\Users\\u\\AppData\\Local\\Temp\\implant.exe";
    private static final int HOSTS = 3;
    /** Generous for a shared two-core machine: a wrong password fails in seconds. */
    private static final Duration FAILURE_DEADLINE = Duration.ofSeconds(90);

    @TempDir Path dir;

    @Test
    void saslSslRunWritesAlertsAndDeadLetters() throws Exception {
        String telemetryTopic = KAFKA.createTopic("capwatch-secure-telemetry", 2);
        String deadLetterTopic = KAFKA.createTopic("capwatch-secure-dead-letters", 1);
        String prevalenceTopic = KAFKA.createTopic("capwatch-secure-prevalence", 1);
        KAFKA.produce(telemetryTopic, telemetry());

        Properties client = KAFKA.clientProperties(KAFKA.clientPassword());
        JobSettings settings = settings(telemetryTopic, client);
        settings.deadLetterTopic = deadLetterTopic;
        settings.derivePrevalence = true;
        settings.prevalenceTopic = prevalenceTopic;

        CollectingSink alerts = new CollectingSink();
        List<String> secrets = List.of(KAFKA.clientPassword(), client.getProperty("sasl.jaas.config"));
        try (LogCapture logs = LogCapture.watching(secrets, List.of("sasl.jaas.config = [hidden]"))) {
            StreamExecutionEnvironment env = environment();
            CapwatchJob.overParsedSource(
                            RuleLoader.loadDefault(),
                            settings,
                            KafkaConnectors.telemetry(settings.kafka, settings.parserLimits()),
                            KafkaConnectors.prevalence(settings.kafka, prevalenceTopic, true),
                            alerts,
                            KafkaConnectors.documents(settings.kafka, deadLetterTopic))
                    .addTo(env);
            env.execute("capwatch over SASL_SSL");

            assertEquals(HOSTS, alerts.documents().size(), "alerts from the SASL_SSL topic");
            assertEquals(List.of(), logs.matches(), "log events that contain the password or JAAS config");
            // The clients log their configuration at INFO with secrets hidden; seeing those lines
            // shows that the capture saw the lines a leak would be in.
            assertTrue(
                    logs.markerCount("sasl.jaas.config = [hidden]") > 0,
                    "no client configuration line among " + logs.eventCount() + " log events");
        } finally {
            alerts.close();
        }

        List<JsonNode> deadLetters = values(KAFKA.readAll(deadLetterTopic));
        assertEquals(1, deadLetters.size(), "dead letters: " + deadLetters);
        assertEquals("INVALID_JSON", deadLetters.get(0).path("error").path("type").asText());
        assertEquals(
                "not json at all",
                deadLetters.get(0).path("capwatch").path("dead_letter").path("original").asText());

        List<ConsumerRecord<String, String>> prevalence = KAFKA.readAll(prevalenceTopic);
        assertTrue(
                prevalence.stream().anyMatch(r -> r.key().equals(Telemetry.sha256Of(IMPLANT))),
                "no derived prevalence record for the implant among " + prevalence.size());
    }

    @Test
    void wrongPasswordFailsJobWithAuthenticationError() throws Exception {
        String telemetryTopic = KAFKA.createTopic("capwatch-secure-telemetry", 1);
        String deadLetterTopic = KAFKA.createTopic("capwatch-secure-dead-letters", 1);
        KAFKA.produce(telemetryTopic, telemetry());

        String wrongPassword = "wrong-" + UUID.randomUUID();
        Properties client = KAFKA.clientProperties(wrongPassword);
        JobSettings settings = settings(telemetryTopic, client);
        settings.deadLetterTopic = deadLetterTopic;

        CollectingSink alerts = new CollectingSink();
        List<String> secrets =
                List.of(wrongPassword, client.getProperty("sasl.jaas.config"), KAFKA.clientPassword());
        try (LogCapture logs = LogCapture.watching(secrets, List.of())) {
            StreamExecutionEnvironment env = environment();
            CapwatchJob.overParsedSource(
                            RuleLoader.loadDefault(),
                            settings,
                            KafkaConnectors.telemetry(settings.kafka, settings.parserLimits()),
                            null,
                            alerts,
                            KafkaConnectors.documents(settings.kafka, deadLetterTopic))
                    .addTo(env);
            JobClient job = env.executeAsync("capwatch with a wrong password");
            Throwable failure = null;
            try {
                job.getJobExecutionResult().get(FAILURE_DEADLINE.toSeconds(), TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                failure = e;
            } catch (TimeoutException e) {
                job.cancel().get(30, TimeUnit.SECONDS);
                fail("the job neither failed nor finished within " + FAILURE_DEADLINE + " with a wrong password");
            }
            if (failure == null) {
                fail("the job finished with a wrong password");
            }
            SaslAuthenticationException cause = authenticationCause(failure);
            assertTrue(
                    cause.getMessage().contains("invalid credentials"),
                    "authentication error: " + cause.getMessage());
            assertEquals(List.of(), logs.matches(), "log events that contain a password or JAAS config");
        } finally {
            alerts.close();
        }
        assertEquals(List.of(), KAFKA.readAll(deadLetterTopic), "dead letters written with a wrong password");
    }

    private static SaslAuthenticationException authenticationCause(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SaslAuthenticationException authentication) {
                return authentication;
            }
        }
        throw new AssertionError("the job failed, but not with a SaslAuthenticationException", failure);
    }

    /** Each host starts the implant and connects out; one record is not JSON. */
    private List<KafkaBroker.Message> telemetry() throws Exception {
        List<KafkaBroker.Message> messages = new ArrayList<>();
        for (int host = 1; host <= HOSTS; host++) {
            String name = "h" + host;
            messages.add(line(name, new Telemetry().unsignedStart("2024-05-14T10:00:0" + host + "Z", name, host, IMPLANT)));
            messages.add(
                    line(name, new Telemetry()
                            .connection("2024-05-14T10:20:0" + host + "Z", name, host, null, IMPLANT, "93.184.216.34")));
        }
        messages.add(KafkaBroker.Message.keyed("junk", "not json at all"));
        return messages;
    }

    private KafkaBroker.Message line(String key, Telemetry telemetry) throws Exception {
        return KafkaBroker.Message.keyed(key, Files.readString(telemetry.writeTo(dir)).strip());
    }

    /** Settings for a bounded streaming read, with the client properties loaded from a file. */
    private JobSettings settings(String topic, Properties client) throws Exception {
        JobSettings settings = new JobSettings();
        settings.kafka =
                new KafkaSettings()
                        .withPropertiesFile(
                                SecuredKafkaBroker.writeProperties(dir.resolve("kafka.properties"), client)
                                        .toString());
        settings.kafka.bootstrapServers = KAFKA.bootstrapServers();
        settings.kafka.topics = List.of(topic);
        settings.kafka.groupId = "capwatch-test-" + UUID.randomUUID();
        settings.kafka.startingOffsets = "earliest";
        settings.kafka.stoppingOffsets = "latest";
        settings.batch = false;
        settings.outOfOrderness = Duration.ofSeconds(60);
        settings.idleness = Duration.ZERO;
        settings.idleAdvance = Duration.ZERO;
        return settings;
    }

    /** Streaming without checkpoints, and no restarts, so that a failure ends the job. */
    private static StreamExecutionEnvironment environment() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        Configuration configuration = new Configuration();
        configuration.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        env.configure(configuration);
        env.setRuntimeMode(RuntimeExecutionMode.STREAMING);
        env.setParallelism(2);
        return env;
    }

    private static List<JsonNode> values(List<ConsumerRecord<String, String>> records) throws Exception {
        List<JsonNode> values = new ArrayList<>();
        for (ConsumerRecord<String, String> record : records) {
            values.add(JSON.readTree(record.value()));
        }
        return values;
    }
}

package io.capwatch.job;

import io.capwatch.kafka.KafkaSettings;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Command-line options for reading telemetry from Kafka and writing dead letters to it. */
final class KafkaOptions {
    @Option(
            names = "--kafka-bootstrap-servers",
            paramLabel = "HOST:PORT,...",
            description = "Kafka bootstrap servers; needed with --kafka-topic.")
    String bootstrapServers;

    @Option(
            names = "--kafka-topic",
            paramLabel = "TOPIC",
            description = "Telemetry topic (ECS or Sysmon JSON); repeat for more. Replaces --input.")
    List<String> topics = new ArrayList<>();

    @Option(
            names = "--kafka-group-id",
            defaultValue = "capwatch",
            description = "Consumer group id (default ${DEFAULT-VALUE}).")
    String groupId;

    @Option(
            names = "--kafka-starting-offsets",
            defaultValue = "committed",
            paramLabel = "OFFSETS",
            description =
                    "committed (the group's offsets, else earliest), earliest, latest,"
                            + " timestamp:<ISO-8601 instant> or offsets:<topic>:<partition>:<offset>,..."
                            + " (default ${DEFAULT-VALUE}).")
    String startingOffsets;

    @Option(
            names = "--kafka-stopping-offsets",
            paramLabel = "OFFSETS",
            description =
                    "Make the read bounded, for a backfill: latest, timestamp:<ISO-8601 instant> or"
                            + " offsets:<topic>:<partition>:<offset>,...")
    String stoppingOffsets;

    @Option(
            names = "--kafka-properties",
            paramLabel = "FILE",
            description =
                    "Kafka client properties (security.protocol, sasl.*, ssl.*, ...) passed to every"
                            + " consumer and producer; capwatch logs only their keys.")
    String propertiesFile;

    @Option(
            names = "--prevalence-topic",
            paramLabel = "TOPIC",
            description = "Compacted topic of prevalence records keyed by binary, read from its start.")
    String prevalenceTopic;

    @Option(
            names = "--dead-letter-topic",
            paramLabel = "TOPIC",
            description = "Write dead letters to this Kafka topic instead of the dead-letter index.")
    String deadLetterTopic;

    boolean reads() {
        return !topics.isEmpty();
    }

    boolean used() {
        return reads() || prevalenceTopic != null || deadLetterTopic != null;
    }

    KafkaSettings toSettings() {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException(
                    "--kafka-bootstrap-servers is missing; it is needed with --kafka-topic,"
                            + " --prevalence-topic and --dead-letter-topic");
        }
        KafkaSettings settings = new KafkaSettings();
        settings.bootstrapServers = bootstrapServers;
        settings.topics = List.copyOf(topics);
        settings.groupId = groupId;
        settings.startingOffsets = startingOffsets;
        settings.stoppingOffsets = stoppingOffsets;
        return settings.withPropertiesFile(propertiesFile);
    }
}

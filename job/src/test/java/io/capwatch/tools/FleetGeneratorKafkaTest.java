package io.capwatch.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.capwatch.testing.KafkaBroker;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The fleet generator writing to a real Kafka broker. */
class FleetGeneratorKafkaTest {
    @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] STREAM = {
        "--hosts",
        "60",
        "--rate",
        "50",
        "--events",
        "5000",
        "--attacks",
        "3",
        "--seed",
        "21",
        "--start",
        "2026-11-02T09:00:00Z"
    };

    @TempDir Path dir;

    @Test
    void topicGetsSameEventsAsFiles() throws Exception {
        String topic = KAFKA.createTopic("fleet", 3);
        List<String> kafkaArgs =
                new ArrayList<>(
                        List.of("--bootstrap-servers", KAFKA.bootstrapServers(), "--topic", topic));
        kafkaArgs.addAll(List.of(STREAM));
        FleetGeneratorTest.generate(kafkaArgs.toArray(String[]::new));
        List<String> fileArgs = new ArrayList<>(List.of("--output-dir", dir.toString()));
        fileArgs.addAll(List.of(STREAM));
        FleetGeneratorTest.generate(fileArgs.toArray(String[]::new));

        List<ConsumerRecord<String, String>> records =
                KAFKA.consumeAll(topic, Duration.ofSeconds(60));
        List<String> lines =
                Files.readAllLines(dir.resolve("fleet.ndjson"), StandardCharsets.UTF_8);

        assertEquals(5000, records.size());
        assertEquals(
                lines.stream().sorted().toList(),
                records.stream().map(ConsumerRecord::value).sorted().toList());
        Map<String, Integer> partitionByHost = new HashMap<>();
        for (ConsumerRecord<String, String> record : records) {
            assertEquals(hostKey(JSON.readTree(record.value())), record.key());
            Integer earlier = partitionByHost.putIfAbsent(record.key(), record.partition());
            assertEquals(
                    earlier == null ? record.partition() : earlier,
                    record.partition(),
                    record.key());
        }
        assertTrue(partitionByHost.values().stream().distinct().count() > 1);
    }

    @Test
    void hostOrderIsKeptPerPartition() throws Exception {
        String topic = KAFKA.createTopic("fleet-order", 2);
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "--bootstrap-servers",
                                KAFKA.bootstrapServers(),
                                "--topic",
                                topic,
                                "--out-of-order-ms",
                                "0"));
        args.addAll(List.of(STREAM));
        FleetGeneratorTest.generate(args.toArray(String[]::new));

        Map<Integer, String> newestByPartition = new HashMap<>();
        for (ConsumerRecord<String, String> record :
                KAFKA.consumeAll(topic, Duration.ofSeconds(60))) {
            String time = timestamp(JSON.readTree(record.value()));
            String newest = newestByPartition.getOrDefault(record.partition(), "");
            assertTrue(time.compareTo(newest) >= 0, time + " came after " + newest);
            newestByPartition.put(record.partition(), time);
        }
    }

    @Test
    void missingTopicFailsClearly() {
        String missing = KafkaBroker.uniqueTopicName("never-created");
        StringWriter err = new StringWriter();
        CommandLine command = FleetGenerator.commandLine();
        command.setErr(new PrintWriter(err));

        int exitCode =
                command.execute(
                        "--bootstrap-servers",
                        KAFKA.bootstrapServers(),
                        "--topic",
                        missing,
                        "--events",
                        "10");

        assertEquals(1, exitCode);
        assertTrue(err.toString().contains("topic " + missing + " not found"), err.toString());
        assertTrue(err.toString().contains("kafka.sh create-topic"), err.toString());
    }

    private static String hostKey(JsonNode event) {
        return event.has("Hostname")
                ? event.path("Hostname").asText()
                : event.path("host").path("id").asText();
    }

    /**
     * Returns the event time as ISO-8601 text, which sorts by time because every event is in UTC.
     */
    private static String timestamp(JsonNode event) {
        return event.path("@timestamp").asText();
    }
}

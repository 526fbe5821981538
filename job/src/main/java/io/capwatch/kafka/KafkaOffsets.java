package io.capwatch.kafka;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads the offset settings users give: {@code committed}, {@code earliest}, {@code latest},
 * {@code timestamp:<ISO-8601 instant>} or {@code offsets:<topic>:<partition>:<offset>,...} for
 * exact per-partition offsets.
 */
public final class KafkaOffsets {
    private KafkaOffsets() {}

    /**
     * Returns the starting offsets. {@code committed} resumes from the consumer group's committed
     * offsets and starts from the earliest offset of partitions the group has none for.
     */
    @SuppressWarnings("deprecation") // The connector's committedOffsets still takes this enum.
    public static OffsetsInitializer starting(String option, String value) {
        return switch (keyword(value)) {
            case "committed" -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
            case "earliest" -> OffsetsInitializer.earliest();
            case "latest" -> OffsetsInitializer.latest();
            case "timestamp" -> OffsetsInitializer.timestamp(instant(option, value));
            case "offsets" -> OffsetsInitializer.offsets(partitionOffsets(option, value));
            default ->
                    throw invalid(
                            option,
                            value,
                            "committed, earliest, latest, timestamp:<instant> or"
                                    + " offsets:<topic>:<partition>:<offset>,...");
        };
    }

    /** Returns where a bounded read (a backfill from Kafka) stops: {@code latest} or a timestamp. */
    public static OffsetsInitializer stopping(String option, String value) {
        return switch (keyword(value)) {
            case "latest" -> OffsetsInitializer.latest();
            case "timestamp" -> OffsetsInitializer.timestamp(instant(option, value));
            case "offsets" -> OffsetsInitializer.offsets(partitionOffsets(option, value));
            default ->
                    throw invalid(
                            option,
                            value,
                            "latest, timestamp:<instant> or offsets:<topic>:<partition>:<offset>,...");
        };
    }

    /** Reads {@code offsets:<topic>:<partition>:<offset>,...}; a topic may itself contain dots. */
    private static Map<TopicPartition, Long> partitionOffsets(String option, String value) {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        String list = value.substring(value.indexOf(':') + 1);
        for (String entry : list.split(",")) {
            String[] parts = entry.strip().split(":");
            try {
                if (parts.length != 3 || parts[0].isBlank()) {
                    throw new NumberFormatException();
                }
                int partition = Integer.parseInt(parts[1]);
                long offset = Long.parseLong(parts[2]);
                if (partition < 0 || offset < 0) {
                    throw new NumberFormatException();
                }
                offsets.put(new TopicPartition(parts[0], partition), offset);
            } catch (NumberFormatException e) {
                throw invalid(
                        option,
                        value,
                        "offsets:<topic>:<partition>:<offset>,... with a partition and offset of"
                                + " 0 or more, e.g. offsets:capwatch.telemetry:0:1200");
            }
        }
        return offsets;
    }

    private static String keyword(String value) {
        String lower = value.strip().toLowerCase(Locale.ROOT);
        int colon = lower.indexOf(':');
        return colon < 0 ? lower : lower.substring(0, colon);
    }

    private static long instant(String option, String value) {
        int colon = value.indexOf(':');
        try {
            return Instant.parse(value.substring(colon + 1).strip()).toEpochMilli();
        } catch (DateTimeParseException e) {
            throw invalid(option, value, "timestamp:<ISO-8601 instant>, e.g. timestamp:2024-05-14T00:00:00Z");
        }
    }

    private static IllegalArgumentException invalid(String option, String value, String allowed) {
        return new IllegalArgumentException(
                option + " '" + value + "' is invalid; expected " + allowed);
    }
}

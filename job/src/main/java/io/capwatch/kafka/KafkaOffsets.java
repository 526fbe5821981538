package io.capwatch.kafka;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * Reads the offset settings users give: {@code committed}, {@code earliest}, {@code latest} or
 * {@code timestamp:<ISO-8601 instant>}.
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
            default -> throw invalid(option, value, "committed, earliest, latest or timestamp:<instant>");
        };
    }

    /** Returns where a bounded read (a backfill from Kafka) stops: {@code latest} or a timestamp. */
    public static OffsetsInitializer stopping(String option, String value) {
        return switch (keyword(value)) {
            case "latest" -> OffsetsInitializer.latest();
            case "timestamp" -> OffsetsInitializer.timestamp(instant(option, value));
            default -> throw invalid(option, value, "latest or timestamp:<instant>");
        };
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

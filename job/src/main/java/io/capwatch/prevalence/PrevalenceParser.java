package io.capwatch.prevalence;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/** Reads one prevalence record from a JSON line, or explains why it cannot. */
final class PrevalenceParser {
    private static final ObjectMapper JSON = new ObjectMapper();

    private PrevalenceParser() {}

    /** The parsed record, or the reason it was rejected. */
    record Result(PrevalenceRecord record, String error) {}

    static Result parse(String line) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (Exception e) {
            return new Result(null, "not valid JSON: " + e.getClass().getSimpleName());
        }
        if (node == null || !node.isObject()) {
            return new Result(null, "not a JSON object");
        }
        JsonNode binary = node.get("binary");
        if (binary == null || !binary.isTextual() || binary.asText().isBlank()) {
            return new Result(null, "binary is missing: expected a SHA-256 or an executable path");
        }
        JsonNode hostCount = node.get("host_count");
        if (hostCount == null
                || !hostCount.isIntegralNumber()
                || !hostCount.canConvertToLong()
                || hostCount.asLong() < 0) {
            return new Result(null, "host_count is missing or not a count of 0 or more: " + hostCount);
        }
        Long asOf = instant(node.get("as_of"));
        if (asOf == null) {
            return new Result(null, "as_of is missing or not an ISO-8601 instant: " + node.get("as_of"));
        }
        Long firstSeen = instant(node.get("first_seen"));
        String key = PrevalenceKey.ofRecordBinary(binary.asText());
        return new Result(new PrevalenceRecord(key, hostCount.asLong(), firstSeen, asOf), null);
    }

    private static Long instant(JsonNode node) {
        if (node == null || !node.isTextual()) {
            return null;
        }
        try {
            return Instant.parse(node.asText()).toEpochMilli();
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}

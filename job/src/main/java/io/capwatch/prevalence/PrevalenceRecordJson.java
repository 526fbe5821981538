package io.capwatch.prevalence;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.capwatch.ingest.RawRecord;
import java.time.Instant;

/**
 * Writes and reads prevalence records in the JSON shape of the prevalence files: {@code
 * {"binary": "<sha256 or path key>", "host_count": 12, "first_seen": "<ISO-8601>", "as_of":
 * "<ISO-8601>"}}, with {@code first_seen} left out when unknown. Reading goes through {@link
 * PrevalenceParser}, the one reader of that shape, so files, topics and derived records are read
 * alike.
 */
public final class PrevalenceRecordJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private PrevalenceRecordJson() {}

    /** Serializes a record to one line of JSON, without its source, which the shape lacks. */
    public static String toJson(PrevalenceRecord record) {
        ObjectNode node = JSON.createObjectNode();
        node.put("binary", record.binary);
        node.put("host_count", record.hostCount);
        if (record.firstSeen != null) {
            node.put("first_seen", Instant.ofEpochMilli(record.firstSeen).toString());
        }
        node.put("as_of", Instant.ofEpochMilli(record.asOf).toString());
        return node.toString();
    }

    /**
     * Parses one line of JSON.
     *
     * @throws IllegalArgumentException when the line is not a valid prevalence record, with a
     *     message that names the invalid field
     */
    public static PrevalenceRecord fromJson(String json) {
        PrevalenceParser.Result parsed = PrevalenceParser.parse(json);
        if (parsed.record() == null) {
            throw new IllegalArgumentException("Invalid prevalence record: " + parsed.error());
        }
        return parsed.record();
    }

    /**
     * Wraps a derived record as a raw record for the prevalence broadcast input, with an origin
     * that marks it as {@link PrevalenceSource#DERIVED}.
     */
    public static RawRecord toDerivedRawRecord(PrevalenceRecord record) {
        return new RawRecord(
                PrevalenceSource.DERIVED_ORIGIN_PREFIX + record.binary, toJson(record));
    }
}

package io.capwatch.prevalence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.capwatch.ingest.RawRecord;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class PrevalenceRecordJsonTest {
    private static final long FIRST = Instant.parse("2024-05-01T00:00:00Z").toEpochMilli();
    private static final long AS_OF = Instant.parse("2024-05-14T08:00:00.123Z").toEpochMilli();

    @Test
    void writesFileShape() throws Exception {
        String json =
                PrevalenceRecordJson.toJson(
                        new PrevalenceRecord("ab".repeat(32), 12, FIRST, AS_OF));
        JsonNode node = new ObjectMapper().readTree(json);
        assertEquals(4, node.size());
        assertEquals("ab".repeat(32), node.get("binary").asText());
        assertEquals(12, node.get("host_count").asLong());
        assertEquals("2024-05-01T00:00:00Z", node.get("first_seen").asText());
        assertEquals("2024-05-14T08:00:00.123Z", node.get("as_of").asText());
    }

    @Test
    void roundTripKeepsEveryField() {
        PrevalenceRecord record = new PrevalenceRecord("ab".repeat(32), 12, FIRST, AS_OF);
        PrevalenceRecord read = PrevalenceRecordJson.fromJson(PrevalenceRecordJson.toJson(record));
        assertEquals(record.binary, read.binary);
        assertEquals(record.hostCount, read.hostCount);
        assertEquals(record.firstSeen, read.firstSeen);
        assertEquals(record.asOf, read.asOf);
    }

    @Test
    void pathKeySurvivesRoundTrip() {
        String key = PrevalenceKey.of(null, "C:\\Users\\U\\Downloads\\Tool.exe");
        PrevalenceRecord read =
                PrevalenceRecordJson.fromJson(
                        PrevalenceRecordJson.toJson(new PrevalenceRecord(key, 3, null, AS_OF)));
        assertEquals(key, read.binary);
        assertNull(read.firstSeen);
    }

    @Test
    void readsFileLineWithUpperCaseHash() {
        PrevalenceRecord read =
                PrevalenceRecordJson.fromJson(
                        "{\"binary\":\"" + "AB".repeat(32) + "\",\"host_count\":7,"
                                + "\"as_of\":\"2024-05-14T08:00:00Z\"}");
        assertEquals("ab".repeat(32), read.binary);
        assertEquals(7, read.hostCount);
    }

    @Test
    void invalidLineNamesField() {
        IllegalArgumentException error =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> PrevalenceRecordJson.fromJson("{\"binary\":\"x\",\"host_count\":1}"));
        assertTrue(error.getMessage().contains("as_of"), error.getMessage());
    }

    @Test
    void derivedRawRecordIsMarked() {
        RawRecord raw =
                PrevalenceRecordJson.toDerivedRawRecord(
                        new PrevalenceRecord("ab".repeat(32), 1, FIRST, AS_OF));
        assertEquals(PrevalenceSource.DERIVED, PrevalenceSource.ofOrigin(raw.origin));
        assertEquals(1, PrevalenceRecordJson.fromJson(raw.text).hostCount);
    }

    @Test
    void originsMapToSources() {
        assertEquals(PrevalenceSource.FILE, PrevalenceSource.ofOrigin("file:/data/p.ndjson:3"));
        assertEquals(PrevalenceSource.TOPIC, PrevalenceSource.ofOrigin("topic:prevalence/0/17"));
        assertEquals(PrevalenceSource.FILE, PrevalenceSource.ofOrigin(null));
        assertEquals("derived", PrevalenceSource.DERIVED.label());
    }
}

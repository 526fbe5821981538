package io.capwatch.sink.elasticsearch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

class DeadLetterWriterTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2024-05-14T10:07:00.123456Z");

    private static SinkDeadLetter deadLetter(String source, Integer status) {
        return new SinkDeadLetter(
                new DocumentRequest(
                        "logs-capwatch.alerts-default",
                        "alert-c",
                        source.getBytes(StandardCharsets.UTF_8),
                        2),
                SinkFailureReason.SINK_RETRIES_EXHAUSTED,
                "es_rejected_execution_exception",
                "rejected execution",
                status,
                3);
    }

    @Test
    void documentCarriesErrorAndOriginal() throws Exception {
        String source = "{\"process\":{\"pid\":40444}}";
        DocumentRequest document =
                DeadLetterWriter.toDocument(deadLetter(source, 429), "dead-letters", NOW, 1024);

        assertEquals("dead-letters", document.index());
        assertEquals("alert-c", document.id());
        assertEquals(0, document.failedAttempts());
        JsonNode json = JSON.readTree(document.source());
        assertEquals("2024-05-14T10:07:00.123Z", json.path("@timestamp").asText());
        assertEquals("pipeline_error", json.path("event").path("kind").asText());
        assertEquals("es_rejected_execution_exception", json.path("error").path("type").asText());
        assertEquals("rejected execution", json.path("error").path("message").asText());
        assertEquals(429, json.path("http").path("response").path("status_code").asInt());
        JsonNode details = json.path("capwatch").path("dead_letter");
        assertEquals("SINK_RETRIES_EXHAUSTED", details.path("reason").asText());
        assertEquals("logs-capwatch.alerts-default", details.path("target_index").asText());
        assertEquals("alert-c", details.path("document_id").asText());
        assertEquals(3, details.path("attempts").asInt());
        assertEquals(source, details.path("original").asText());
        assertFalse(details.path("original_truncated").asBoolean());
    }

    @Test
    void missingStatusLeavesOutHttpField() throws Exception {
        DocumentRequest document =
                DeadLetterWriter.toDocument(deadLetter("{}", null), "dead-letters", NOW, 1024);
        assertTrue(JSON.readTree(document.source()).path("http").isMissingNode());
    }

    @Test
    void truncationKeepsWholeCharacters() throws Exception {
        // "é" is two bytes in UTF-8, so a cut at an odd byte count falls inside a character.
        String source = "{\"a\":\"" + "é".repeat(20) + "\"}";
        DocumentRequest document =
                DeadLetterWriter.toDocument(deadLetter(source, 400), "dead-letters", NOW, 11);

        JsonNode details = JSON.readTree(document.source()).path("capwatch").path("dead_letter");
        assertTrue(details.path("original_truncated").asBoolean());
        assertEquals("{\"a\":\"éé", details.path("original").asText());
    }
}

package io.capwatch.sink.elasticsearch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import com.fasterxml.jackson.databind.JsonNode;
import io.capwatch.testing.ElasticsearchServer;
import io.capwatch.testing.ElasticsearchServer.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The index templates against a real Elasticsearch. */
class IndexTemplatesTest {

    @RegisterExtension static final ElasticsearchServer ELASTICSEARCH = new ElasticsearchServer();

    private ElasticsearchClient client;
    private final List<String> templatesToDelete = new ArrayList<>();
    private final List<String> indicesToDelete = new ArrayList<>();

    @BeforeEach
    void openClient() {
        client =
                ElasticsearchConnection.builder()
                        .setHosts(ELASTICSEARCH.url())
                        .build()
                        .createClient();
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (String index : indicesToDelete) {
            ELASTICSEARCH.request("DELETE", "/" + index, null);
        }
        for (String template : templatesToDelete) {
            ELASTICSEARCH.request("DELETE", "/_index_template/" + template, null);
        }
        client.close();
    }

    /** Returns the mapping of the field at {@code path}, such as {@code destination.ip}. */
    private static JsonNode fieldMapping(JsonNode properties, String path) {
        JsonNode node = properties;
        String[] parts = path.split("\\.");
        for (int i = 0; i < parts.length; i++) {
            node = node.path(parts[i]);
            if (i < parts.length - 1) {
                node = node.path("properties");
            }
        }
        return node;
    }

    @Test
    void alertTemplateBeatsDataStreamTemplate() throws Exception {
        String alertIndex = ELASTICSEARCH.uniqueIndexName("logs-capwatch.alerts-template");
        // A data-stream template at the priority of the built-in logs-*-* template, limited to
        // this test's index so that other tests are not affected.
        String competitor = alertIndex + "-competitor";
        templatesToDelete.add(competitor);
        templatesToDelete.add(alertIndex);
        indicesToDelete.add(alertIndex);
        Response competitorPut =
                ELASTICSEARCH.request(
                        "PUT",
                        "/_index_template/" + competitor,
                        "{\"index_patterns\":[\""
                                + alertIndex
                                + "*\"],\"priority\":100,\"data_stream\":{}}");
        assertEquals(200, competitorPut.status(), competitorPut.body());

        IndexTemplates templates = new IndexTemplates(client);
        templates.installAlertTemplate(alertIndex);
        templates.installAlertTemplate(alertIndex);

        JsonNode installed =
                ELASTICSEARCH
                        .request("GET", "/_index_template/" + alertIndex, null)
                        .json()
                        .path("index_templates");
        assertEquals(1, installed.size());
        JsonNode template = installed.get(0).path("index_template");
        assertEquals(IndexTemplates.PRIORITY, template.path("priority").asLong());
        assertEquals(IndexTemplates.TEMPLATE_VERSION, template.path("version").asLong());
        assertEquals(alertIndex, template.path("index_patterns").get(0).asText());
        assertTrue(template.path("data_stream").isMissingNode());

        String alert =
                "{\"@timestamp\":\"2024-05-14T10:05:00.000Z\",\"event\":{\"kind\":\"alert\","
                    + "\"risk_score\":73},\"destination\":{\"ip\":\"93.184.216.34\"},"
                    + "\"process\":{\"pid\":4242},\"capwatch\":{\"prevalence\":{\"known\":false}},"
                    + "\"custom\":{\"note\":\"2024-05-14\"}}";
        Response created = ELASTICSEARCH.request("PUT", "/" + alertIndex + "/_create/a1", alert);
        assertEquals(201, created.status(), created.body());

        // For a data stream, GET returns a backing index named .ds-<name>-..., for a plain index
        // the index itself.
        Response index = ELASTICSEARCH.request("GET", "/" + alertIndex, null);
        assertEquals(200, index.status());
        assertTrue(index.json().has(alertIndex), "not a plain index: " + index.body());

        JsonNode properties =
                ELASTICSEARCH
                        .request("GET", "/" + alertIndex + "/_mapping", null)
                        .json()
                        .path(alertIndex)
                        .path("mappings")
                        .path("properties");
        Map<String, String> expectedTypes =
                Map.ofEntries(
                        Map.entry("destination.ip", "ip"),
                        Map.entry("source.ip", "ip"),
                        Map.entry("related.ip", "ip"),
                        Map.entry("@timestamp", "date"),
                        Map.entry("event.kind", "keyword"),
                        Map.entry("event.risk_score", "float"),
                        Map.entry("event.severity", "long"),
                        Map.entry("process.pid", "long"),
                        Map.entry("process.start", "date"),
                        Map.entry("process.code_signature.trusted", "boolean"),
                        Map.entry("rule.name", "keyword"),
                        Map.entry("threat.technique.id", "keyword"),
                        Map.entry("capwatch.prevalence.host_count", "long"),
                        Map.entry("capwatch.prevalence.known", "boolean"),
                        Map.entry("capwatch.start.timestamp", "date"),
                        Map.entry("custom.note", "keyword"));
        for (Map.Entry<String, String> expected : expectedTypes.entrySet()) {
            assertEquals(
                    expected.getValue(),
                    fieldMapping(properties, expected.getKey()).path("type").asText(),
                    "type of " + expected.getKey());
        }
    }

    @Test
    void deadLetterTemplateStoresOriginalUnindexed() throws Exception {
        String deadLetterIndex = ELASTICSEARCH.uniqueIndexName("logs-capwatch.deadletter-template");
        templatesToDelete.add(deadLetterIndex);
        indicesToDelete.add(deadLetterIndex);
        new IndexTemplates(client).installDeadLetterTemplate(deadLetterIndex);

        // Longer than the 32766-byte limit of an indexed keyword term.
        String original = "{\"message\":\"" + "x".repeat(40_000) + "\"}";
        SinkDeadLetter deadLetter =
                new SinkDeadLetter(
                        new DocumentRequest(
                                "logs-capwatch.alerts-default",
                                "a1",
                                original.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                        SinkFailureReason.SINK_REJECTED,
                        "document_parsing_exception",
                        "failed to parse",
                        400,
                        1);
        DocumentRequest document =
                DeadLetterWriter.toDocument(
                        deadLetter, deadLetterIndex, java.time.Instant.now(), 1024 * 1024);
        Response created =
                ELASTICSEARCH.request(
                        "PUT",
                        "/" + deadLetterIndex + "/_create/" + document.id(),
                        new String(document.source(), java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(201, created.status(), created.body());

        JsonNode properties =
                ELASTICSEARCH
                        .request("GET", "/" + deadLetterIndex + "/_mapping", null)
                        .json()
                        .path(deadLetterIndex)
                        .path("mappings")
                        .path("properties");
        JsonNode originalMapping = fieldMapping(properties, "capwatch.dead_letter.original");
        assertEquals("keyword", originalMapping.path("type").asText());
        assertFalse(originalMapping.path("index").asBoolean(true));
        assertEquals(
                "keyword",
                fieldMapping(properties, "capwatch.dead_letter.reason").path("type").asText());
        assertEquals(
                "long",
                fieldMapping(properties, "http.response.status_code").path("type").asText());
        assertEquals("date", fieldMapping(properties, "@timestamp").path("type").asText());
    }

    @Test
    void invalidIndexNameIsRejected() {
        IllegalArgumentException error =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> new IndexTemplates(client).installAlertTemplate("Logs-Capwatch"));
        assertTrue(error.getMessage().contains("'Logs-Capwatch'"), error.getMessage());
        assertTrue(error.getMessage().contains("lowercase"), error.getMessage());
    }
}

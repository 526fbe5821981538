package io.capwatch.sink.elasticsearch;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch.indices.put_index_template.IndexTemplateMapping;
import co.elastic.clients.json.JsonData;
import org.apache.flink.annotation.PublicEvolving;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Installs the composable index templates for the alert index and the dead-letter index.
 *
 * <p>Each template matches exactly one index name and is named after it. Its priority {@value
 * #PRIORITY} puts it above the built-in {@code logs-*-*} template (priority 100), which would
 * otherwise turn the index into a data stream, and above Fleet integration templates. The templates
 * create plain indices: the sink's {@code create} operations work on indices and data streams
 * alike. Elastic Security's default {@code logs-*} pattern covers the default alert index, and it
 * lists documents with {@code event.kind: alert} as external alerts.
 *
 * <p>Installing is idempotent: each call replaces the template with the same content. A template
 * applies only when an index is created, so an existing index keeps its mapping.
 *
 * <p>The mappings are the resources {@code elasticsearch/alerts-template.json} and {@code
 * elasticsearch/dead-letter-template.json}.
 */
@PublicEvolving
public final class IndexTemplates {

    private static final Logger LOG = LoggerFactory.getLogger(IndexTemplates.class);

    public static final String DEFAULT_ALERT_INDEX = "logs-capwatch.alerts-default";
    public static final String DEFAULT_DEAD_LETTER_INDEX =
            ElasticsearchSinkBuilder.DEFAULT_DEAD_LETTER_INDEX;

    /**
     * Elastic's index template guide asks for a priority above 500 for templates whose patterns
     * overlap the built-in and Fleet-managed ones. Guides before 8.x give 200 as the bound.
     */
    public static final long PRIORITY = 501;

    /** Changes whenever a mapping resource changes, so a cluster shows which one it has. */
    public static final long TEMPLATE_VERSION = 1;

    private static final String ALERT_MAPPING = "/elasticsearch/alerts-template.json";
    private static final String DEAD_LETTER_MAPPING = "/elasticsearch/dead-letter-template.json";

    private final ElasticsearchClient client;

    public IndexTemplates(ElasticsearchClient client) {
        this.client = client;
    }

    /** Installs both templates. */
    public void install(String alertIndex, String deadLetterIndex) throws IOException {
        installAlertTemplate(alertIndex);
        installDeadLetterTemplate(deadLetterIndex);
    }

    /** Installs the template for the alert index {@code alertIndex}. */
    public void installAlertTemplate(String alertIndex) throws IOException {
        put(alertIndex, ALERT_MAPPING, "capwatch alerts");
    }

    /** Installs the template for the dead-letter index {@code deadLetterIndex}. */
    public void installDeadLetterTemplate(String deadLetterIndex) throws IOException {
        put(deadLetterIndex, DEAD_LETTER_MAPPING, "capwatch sink dead letters");
    }

    private void put(String index, String mappingResource, String description) throws IOException {
        String problem = IndexNames.problem(index);
        if (problem != null) {
            throw new IllegalArgumentException(
                    "Invalid index name '" + index + "' for an index template: " + problem);
        }
        IndexTemplateMapping template = loadTemplate(mappingResource);
        client.indices()
                .putIndexTemplate(
                        request ->
                                request.name(index)
                                        .indexPatterns(index)
                                        .priority(PRIORITY)
                                        .version(TEMPLATE_VERSION)
                                        .template(template)
                                        .meta(
                                                Map.of(
                                                        "managed_by", JsonData.of("capwatch"),
                                                        "description", JsonData.of(description))));

        boolean exists = client.indices().exists(request -> request.index(index)).value();
        if (exists) {
            LOG.info(
                    "Installed index template '{}' version {}; index '{}' already exists and keeps"
                            + " its mapping",
                    index,
                    TEMPLATE_VERSION,
                    index);
        } else {
            LOG.info("Installed index template '{}' version {}", index, TEMPLATE_VERSION);
        }
    }

    private static IndexTemplateMapping loadTemplate(String resource) {
        try (InputStream json = IndexTemplates.class.getResourceAsStream(resource)) {
            if (json == null) {
                throw new IllegalStateException(
                        "Missing resource " + resource + " on the class path");
            }
            return IndexTemplateMapping.of(mapping -> mapping.withJson(json));
        } catch (IOException e) {
            throw new UncheckedIOException("Failed to read " + resource, e);
        }
    }
}

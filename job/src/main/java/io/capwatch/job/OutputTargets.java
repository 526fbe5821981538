package io.capwatch.job;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import io.capwatch.kafka.KafkaConnectors;
import io.capwatch.rule.DetectionRule;
import io.capwatch.sink.elasticsearch.ElasticsearchSink;
import io.capwatch.sink.elasticsearch.ElasticsearchSinkBuilder;
import io.capwatch.sink.elasticsearch.IndexTemplates;
import io.capwatch.sink.elasticsearch.IndexedDocument;
import io.capwatch.sink.elasticsearch.IndexedDocumentConverter;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.api.connector.sink2.Sink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sinks a run writes alerts and dead letters to: Elasticsearch when URLs are given, else
 * standard output.
 *
 * <p>Credentials and TLS settings come from the properties file named by {@code --es-properties}
 * (keys {@code username}, {@code password}, {@code api_key}, {@code ca_certificate}, {@code
 * ca_fingerprint}) or from the environment ({@code CAPWATCH_ES_USERNAME}, {@code
 * CAPWATCH_ES_PASSWORD}, {@code CAPWATCH_ES_API_KEY}, {@code CAPWATCH_ES_CA_CERTIFICATE}, {@code
 * CAPWATCH_ES_CA_FINGERPRINT}); the file wins. They never come from the command line, where
 * {@code ps} would show them.
 */
record OutputTargets(
        Sink<IndexedDocument> alerts, Sink<IndexedDocument> deadLetters, String description) {
    private static final Logger LOG = LoggerFactory.getLogger(OutputTargets.class);
    private static final List<String> SECRET_KEYS =
            List.of("username", "password", "api_key", "ca_certificate", "ca_fingerprint");

    static OutputTargets create(JobSettings settings, DetectionRule rule) throws IOException {
        Sink<IndexedDocument> deadLettersToKafka =
                settings.deadLetterTopic == null
                        ? null
                        : KafkaConnectors.documents(settings.kafka, settings.deadLetterTopic);
        String deadLetterTarget =
                settings.deadLetterTopic == null
                        ? settings.deadLetterIndex
                        : "Kafka topic " + settings.deadLetterTopic;
        if (settings.elasticsearchUrls.isEmpty()) {
            return new OutputTargets(
                    new StdoutSink(),
                    deadLettersToKafka != null ? deadLettersToKafka : new StdoutSink(),
                    "standard output (dead letters: "
                            + (deadLettersToKafka != null ? deadLetterTarget : "standard output")
                            + ")");
        }
        Map<String, String> secrets = secrets(settings.elasticsearchProperties, System.getenv());
        ElasticsearchSink<IndexedDocument> alerts = sink(settings, secrets);
        if (settings.installTemplates) {
            try (ElasticsearchClient client = alerts.getConnection().createClient()) {
                new IndexTemplates(client).install(settings.alertIndex, settings.deadLetterIndex);
            }
            LOG.info(
                    "Installed the index templates for {} and {}",
                    settings.alertIndex,
                    settings.deadLetterIndex);
        }
        return new OutputTargets(
                alerts,
                deadLettersToKafka != null ? deadLettersToKafka : sink(settings, secrets),
                "Elasticsearch "
                        + settings.elasticsearchUrls
                        + " index "
                        + settings.alertIndex
                        + " (dead letters: "
                        + deadLetterTarget
                        + ")");
    }

    private static ElasticsearchSink<IndexedDocument> sink(
            JobSettings settings, Map<String, String> secrets) {
        ElasticsearchSinkBuilder<IndexedDocument> builder =
                ElasticsearchSink.<IndexedDocument>builder()
                        .setHosts(settings.elasticsearchUrls.toArray(String[]::new))
                        .setElementConverter(new IndexedDocumentConverter())
                        .setDeadLetterIndex(settings.deadLetterIndex)
                        .setRetryTimeout(settings.elasticsearchRetryTimeout)
                        .setInitialBackoff(settings.elasticsearchInitialBackoff)
                        .setMaxBackoff(settings.elasticsearchMaxBackoff);
        String username = secrets.get("username");
        if (username != null) {
            builder.setUsername(username);
        }
        String password = secrets.get("password");
        if (password != null) {
            builder.setPassword(password);
        }
        String apiKey = secrets.get("api_key");
        if (apiKey != null) {
            builder.setApiKey(apiKey);
        }
        String caCertificate = secrets.get("ca_certificate");
        if (caCertificate != null) {
            builder.setCaCertificatePath(Path.of(caCertificate));
        }
        String fingerprint = secrets.get("ca_fingerprint");
        if (fingerprint != null) {
            builder.setCaCertificateFingerprint(fingerprint);
        }
        return builder.build();
    }

    /** Reads the connection secrets: the properties file's keys, else the environment's. */
    static Map<String, String> secrets(String propertiesFile, Map<String, String> environment) {
        Map<String, String> values = new HashMap<>();
        for (String key : SECRET_KEYS) {
            String fromEnvironment =
                    environment.get("CAPWATCH_ES_" + key.toUpperCase(Locale.ROOT));
            if (fromEnvironment != null && !fromEnvironment.isEmpty()) {
                values.put(key, fromEnvironment);
            }
        }
        if (propertiesFile != null) {
            Properties properties = new Properties();
            try (InputStream in = Files.newInputStream(Path.of(propertiesFile))) {
                properties.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException(
                        "failed to read --es-properties " + propertiesFile, e);
            }
            for (String key : properties.stringPropertyNames()) {
                if (!SECRET_KEYS.contains(key)) {
                    throw new IllegalArgumentException(
                            "--es-properties "
                                    + propertiesFile
                                    + ": unknown key '"
                                    + key
                                    + "'; allowed keys: "
                                    + SECRET_KEYS);
                }
                String value = properties.getProperty(key).strip();
                if (value.isEmpty()) {
                    throw new IllegalArgumentException(
                            "--es-properties " + propertiesFile + ": " + key + " is empty");
                }
                values.put(key, value);
            }
        }
        return values;
    }
}

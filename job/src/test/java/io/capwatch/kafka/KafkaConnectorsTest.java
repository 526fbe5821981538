package io.capwatch.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.capwatch.event.ParserLimits;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client properties file reaches the configuration of every connector the job builds. The
 * connectors keep their configuration in members that are not public, so the test reads them by
 * reflection: {@code KafkaSource.getConfiguration()} and {@code KafkaSink.getKafkaProducerConfig()}
 * of flink-connector-kafka 5.0.0-2.2.
 */
class KafkaConnectorsTest {
    private static final Map<String, String> SECURITY =
            Map.of(
                    "security.protocol", "SASL_SSL",
                    "sasl.mechanism", "SCRAM-SHA-512",
                    "sasl.jaas.config",
                            "org.apache.kafka.common.security.scram.ScramLoginModule required"
                                    + " username=\"capwatch\" password=\"s3cret\";",
                    "ssl.truststore.type", "PEM",
                    "ssl.truststore.location", "/etc/capwatch/kafka/ca.crt");

    @TempDir Path dir;

    @Test
    void telemetrySourceGetsFileProperties() throws Exception {
        KafkaSettings settings = settings();
        assertSecurity(sourceConfiguration(KafkaConnectors.telemetry(settings, ParserLimits.defaults())));
    }

    @Test
    void prevalenceSourceGetsFileProperties() throws Exception {
        KafkaSettings settings = settings();
        assertSecurity(sourceConfiguration(KafkaConnectors.prevalence(settings, "prevalence", false)));
    }

    @Test
    void documentSinkGetsFileProperties() throws Exception {
        KafkaSettings settings = settings();
        assertSecurity(producerConfiguration(KafkaConnectors.documents(settings, "dead-letters")));
    }

    @Test
    void describeListsKeysWithoutValues() throws Exception {
        String description = settings().describe();
        for (Map.Entry<String, String> property : SECURITY.entrySet()) {
            assertFalse(
                    description.contains(property.getValue()),
                    "the value of " + property.getKey() + " in " + description);
        }
        assertTrue(
                description.contains(
                        "properties=[bootstrap.servers, sasl.jaas.config, sasl.mechanism,"
                                + " security.protocol, ssl.truststore.location, ssl.truststore.type]"),
                description);
    }

    /**
     * Settings whose file also names other brokers: the option {@code --kafka-bootstrap-servers}
     * wins for every connector, so that sources and sinks reach the same cluster.
     */
    private KafkaSettings settings() throws Exception {
        Properties file = new Properties();
        file.putAll(SECURITY);
        file.setProperty("bootstrap.servers", "file-broker:9093");
        Path path = dir.resolve("kafka.properties");
        try (var writer = Files.newBufferedWriter(path)) {
            file.store(writer, null);
        }
        KafkaSettings settings = new KafkaSettings().withPropertiesFile(path.toString());
        settings.bootstrapServers = "option-broker:9093";
        settings.topics = List.of("telemetry");
        return settings;
    }

    private static void assertSecurity(Map<String, String> configuration) {
        for (Map.Entry<String, String> property : SECURITY.entrySet()) {
            assertEquals(
                    property.getValue(), configuration.get(property.getKey()), property.getKey());
        }
        assertEquals("option-broker:9093", configuration.get("bootstrap.servers"), "bootstrap.servers");
    }

    private static Map<String, String> sourceConfiguration(KafkaSource<?> source) throws Exception {
        Method method = KafkaSource.class.getDeclaredMethod("getConfiguration");
        method.setAccessible(true);
        return ((Configuration) method.invoke(source)).toMap();
    }

    private static Map<String, String> producerConfiguration(KafkaSink<?> sink) throws Exception {
        Method method = KafkaSink.class.getDeclaredMethod("getKafkaProducerConfig");
        method.setAccessible(true);
        Properties properties = (Properties) method.invoke(sink);
        Map<String, String> configuration = new java.util.HashMap<>();
        for (String key : properties.stringPropertyNames()) {
            configuration.put(key, properties.getProperty(key));
        }
        return configuration;
    }
}

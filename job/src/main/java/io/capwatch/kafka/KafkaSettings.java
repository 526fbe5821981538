package io.capwatch.kafka;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.TreeSet;

/**
 * Connection settings for Kafka. Properties from the file given with {@code --kafka-properties}
 * ({@code security.protocol}, {@code sasl.*}, {@code ssl.*} and any other client setting) are
 * passed to every consumer and producer as they are. capwatch logs only their keys; the Kafka
 * clients log their configuration with the values of password settings hidden.
 */
public final class KafkaSettings implements Serializable {
    private static final long serialVersionUID = 1L;

    public String bootstrapServers;
    public List<String> topics = new ArrayList<>();
    public String groupId = "capwatch";
    /** {@code committed}, {@code earliest}, {@code latest} or {@code timestamp:<instant>}. */
    public String startingOffsets = "committed";
    /** The end of a bounded read ({@code latest}, a timestamp or offsets), or {@code null}. */
    public String stoppingOffsets;
    /** Client properties read from the properties file; never logged with their values. */
    public Properties clientProperties = new Properties();

    /** Loads the client properties file, or keeps none when {@code file} is {@code null}. */
    public KafkaSettings withPropertiesFile(String file) {
        if (file == null) {
            return this;
        }
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(Path.of(file))) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("failed to read --kafka-properties " + file, e);
        }
        clientProperties = properties;
        return this;
    }

    /** Describes the settings for logs: client property keys only, since values may be secrets. */
    public String describe() {
        return "bootstrap="
                + bootstrapServers
                + " topics="
                + topics
                + " group="
                + groupId
                + " starting="
                + startingOffsets
                + " stopping="
                + stoppingOffsets
                + " properties="
                + describeProperties();
    }

    /** Returns the client property keys, for logs: values may be secrets. */
    public String describeProperties() {
        return new TreeSet<>(clientProperties.stringPropertyNames()).toString();
    }

    public Properties copyOfClientProperties() {
        Properties copy = new Properties();
        copy.putAll(clientProperties);
        return copy;
    }
}

package io.capwatch.tools;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Sends telemetry lines to a Kafka topic, keyed by host so that each host's events stay in one
 * partition and in the order they were written. The producer waits for every in-sync replica
 * ({@code acks=all}) and is idempotent, so a retried batch is not written twice.
 */
final class KafkaOutput implements DeliveryBuffer.Output, AutoCloseable {
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

    private final String bootstrapServers;
    private final String topic;
    private final KafkaProducer<byte[], byte[]> producer;
    private final AtomicLong failures = new AtomicLong();
    private final AtomicReference<Exception> firstFailure = new AtomicReference<>();
    private int partitions;

    KafkaOutput(String bootstrapServers, String topic, String compression) {
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
        Properties properties = new Properties();
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        properties.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
        properties.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        properties.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
        properties.put(ProducerConfig.CLIENT_ID_CONFIG, "capwatch-fleet-generator");
        producer =
                new KafkaProducer<>(
                        properties, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /**
     * Checks that the topic exists, because the generator must not depend on the broker creating
     * topics on first use, and returns its partition count.
     *
     * @throws IllegalStateException when the topic is missing or the broker does not respond
     */
    int checkTopic() {
        Properties properties = new Properties();
        properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        try (Admin admin = Admin.create(properties)) {
            partitions =
                    admin.describeTopics(List.of(topic))
                            .allTopicNames()
                            .get(ADMIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS)
                            .get(topic)
                            .partitions()
                            .size();
            return partitions;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                throw new IllegalStateException(
                        "topic "
                                + topic
                                + " not found on "
                                + bootstrapServers
                                + "; create it, for example with deploy/local/kafka.sh create-topic"
                                + " "
                                + topic,
                        e);
            }
            throw new IllegalStateException(
                    "failed to describe topic "
                            + topic
                            + " on "
                            + bootstrapServers
                            + ": "
                            + e.getCause(),
                    e);
        } catch (TimeoutException e) {
            throw new IllegalStateException(
                    "timed out after "
                            + ADMIN_TIMEOUT
                            + " connecting to "
                            + bootstrapServers
                            + "; is the broker running?",
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while describing topic " + topic, e);
        }
    }

    @Override
    public void write(String key, byte[] line) {
        producer.send(
                new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), line),
                (metadata, error) -> {
                    if (error != null) {
                        failures.incrementAndGet();
                        firstFailure.compareAndSet(null, error);
                    }
                });
    }

    String description() {
        return "topic " + topic + " (" + partitions + " partitions) at " + bootstrapServers;
    }

    /**
     * Waits until the broker has acknowledged every record and closes the producer.
     *
     * @throws IllegalStateException when any record failed, with the count and the first error
     */
    @Override
    public void close() {
        producer.flush();
        producer.close(Duration.ofSeconds(30));
        if (failures.get() > 0) {
            throw new IllegalStateException(
                    failures.get()
                            + " records could not be written to "
                            + topic
                            + "; first error: "
                            + firstFailure.get(),
                    firstFailure.get());
        }
    }
}

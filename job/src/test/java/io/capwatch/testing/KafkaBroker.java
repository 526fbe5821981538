package io.capwatch.testing;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension that provides a real Kafka broker on 127.0.0.1.
 *
 * <p>When the environment variable {@value #BOOTSTRAP_VARIABLE} is set, the tests use that broker.
 * Otherwise the first test class that needs it starts one with {@code deploy/local/kafka.sh start},
 * with its own {@code CAPWATCH_HOME} under the module's {@code target/} directory. All test classes
 * in the JVM share that broker, and it stops once, after the last test. Tests create uniquely named
 * topics, so test classes can run in parallel against one broker.
 *
 * <p>{@link #dedicated(String)} instead starts a broker for one test class alone, which stops after
 * that class. Fault tests use it to stop and restart the broker without disturbing other tests.
 *
 * <pre>{@code
 * @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();
 * }</pre>
 */
public final class KafkaBroker implements BeforeAllCallback, AfterAllCallback {

    /** The environment variable with the bootstrap servers of an already running broker. */
    public static final String BOOTSTRAP_VARIABLE = "CAPWATCH_KAFKA_BOOTSTRAP";

    private static final ScriptedService.Definition SERVICE =
            new ScriptedService.Definition(
                    "Kafka",
                    BOOTSTRAP_VARIABLE,
                    "kafka.sh",
                    "kafka.bootstrap",
                    "stop",
                    "kafka-test-broker-stop");
    private static final AtomicLong TOPIC_COUNTER = new AtomicLong();
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

    /** The home prefix of a dedicated broker, or {@code null} for the shared one. */
    private final String dedicatedHomePrefix;

    private volatile RunningBroker broker;

    /** Creates the extension for the broker that all test classes share. */
    public KafkaBroker() {
        this(null);
    }

    private KafkaBroker(String dedicatedHomePrefix) {
        this.dedicatedHomePrefix = dedicatedHomePrefix;
    }

    /**
     * Creates an extension that starts a broker of its own with {@code deploy/local/kafka.sh}
     * before the test class, with the home {@code target/<homePrefix>-<pid>}, and stops it after
     * the class, also when a test failed.
     */
    public static KafkaBroker dedicated(String homePrefix) {
        return new KafkaBroker(homePrefix);
    }

    /** A record to produce: {@code partition} and {@code key} may be null. */
    public record Message(Integer partition, String key, String value) {

        /** Creates a record with a value only, which the producer's partitioner places. */
        public static Message of(String value) {
            return new Message(null, null, value);
        }

        /** Creates a keyed record, which goes to the partition that its key hashes to. */
        public static Message keyed(String key, String value) {
            return new Message(null, key, value);
        }

        /** Creates a record for the given partition, with an optional key. */
        public static Message toPartition(int partition, String key, String value) {
            return new Message(partition, key, value);
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (dedicatedHomePrefix != null) {
            broker =
                    new RunningBroker(
                            ScriptedService.startDedicated(SERVICE, dedicatedHomePrefix));
            return;
        }
        broker =
                ScriptedService.shared(
                        context, KafkaBroker.class, RunningBroker.class, RunningBroker::startOrConnect);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        // JUnit closes the shared broker after the last test class instead.
        if (dedicatedHomePrefix != null && broker != null) {
            broker.close();
            broker = null;
        }
    }

    /**
     * Stops a dedicated broker with {@code kafka.sh stop}, which ends the process with SIGTERM
     * and waits until it has exited. Its topics and offsets stay in its log directory.
     */
    public void stopBroker() {
        dedicated().run("stop", Map.of());
    }

    /**
     * Starts a broker stopped by {@link #stopBroker()} again on the same client and controller
     * ports and the same log directory, so clients reconnect to the address they know.
     */
    public void startBrokerAgain() throws IOException {
        ScriptedService service = dedicated();
        Properties config = new Properties();
        try (Reader reader =
                Files.newBufferedReader(
                        service.home().resolve("kafka/config/server.properties"))) {
            config.load(reader);
        }
        // controller.quorum.voters is 1@127.0.0.1:<port> for the one node.
        String voters = config.getProperty("controller.quorum.voters");
        String controllerPort = voters.substring(voters.lastIndexOf(':') + 1);
        String clientPort = bootstrapServers().substring(bootstrapServers().lastIndexOf(':') + 1);
        service.run(
                "start",
                Map.of(
                        "CAPWATCH_KAFKA_PORT", clientPort,
                        "CAPWATCH_KAFKA_CONTROLLER_PORT", controllerPort));
    }

    private ScriptedService dedicated() {
        if (dedicatedHomePrefix == null) {
            throw new IllegalStateException(
                    "only a broker of KafkaBroker.dedicated(...) may be stopped; the shared broker"
                            + " serves other tests");
        }
        return running().service;
    }

    /** Returns the bootstrap servers, such as {@code 127.0.0.1:23456}. */
    public String bootstrapServers() {
        return running().bootstrapServers;
    }

    /**
     * Creates a topic with {@code partitions} partitions and one replica, named {@code prefix}, a
     * dash, a counter and a random suffix, and returns its name once the broker has a leader for
     * every partition.
     */
    public String createTopic(String prefix, int partitions) {
        return createTopic(prefix, partitions, Map.of());
    }

    /**
     * Creates a topic as {@link #createTopic(String, int)} does, with topic-level settings such as
     * {@code cleanup.policy=compact}.
     */
    public String createTopic(String prefix, int partitions, Map<String, String> configs) {
        String name = uniqueTopicName(prefix);
        NewTopic topic = new NewTopic(name, partitions, (short) 1).configs(configs);
        Admin admin = running().admin;
        await(admin.createTopics(List.of(topic)).all(), "create topic " + name);
        awaitLeaders(admin, name, partitions);
        return name;
    }

    /** Returns a topic name that no other test uses. */
    public static String uniqueTopicName(String prefix) {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        return (prefix + "-" + TOPIC_COUNTER.incrementAndGet() + "-" + suffix)
                .toLowerCase(Locale.ROOT);
    }

    /**
     * Sends each value as a record without a key, waits until the broker has acknowledged all of
     * them and returns where they were written, in the order given.
     */
    public List<RecordMetadata> produce(String topic, List<String> values) {
        return produceMessages(topic, values.stream().map(Message::of).toList());
    }

    /**
     * Sends each message, with its partition and key where given, waits until the broker has
     * acknowledged all of them and returns where they were written, in the order given.
     *
     * @throws IllegalStateException when the broker rejects a record or does not acknowledge it in
     *     time
     */
    public List<RecordMetadata> produceMessages(String topic, List<Message> messages) {
        KafkaProducer<String, String> producer = running().producer;
        List<Future<RecordMetadata>> sent = new ArrayList<>(messages.size());
        for (Message message : messages) {
            sent.add(
                    producer.send(
                            new ProducerRecord<>(
                                    topic, message.partition(), message.key(), message.value())));
        }
        producer.flush();
        List<RecordMetadata> written = new ArrayList<>(sent.size());
        for (int i = 0; i < sent.size(); i++) {
            written.add(await(sent.get(i), "produce record " + i + " to " + topic));
        }
        return written;
    }

    /**
     * Reads every record of every partition of {@code topic}, from the first offset up to the end
     * offsets at the time of the call, and returns them by partition, then offset.
     *
     * @throws IllegalStateException when the end offsets are not reached within {@code timeout}
     */
    public List<ConsumerRecord<String, String>> consumeAll(String topic, Duration timeout) {
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(
                        properties, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions =
                    consumer.partitionsFor(topic, ADMIN_TIMEOUT).stream()
                            .map(info -> new TopicPartition(topic, info.partition()))
                            .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> endOffsets = consumer.endOffsets(partitions, ADMIN_TIMEOUT);

            List<ConsumerRecord<String, String>> records = new ArrayList<>();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!reached(consumer, endOffsets)) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    throw new IllegalStateException(
                            "Timed out after "
                                    + timeout
                                    + " reading "
                                    + topic
                                    + ": read "
                                    + records.size()
                                    + " records, end offsets "
                                    + endOffsets);
                }
                Duration poll =
                        Duration.ofNanos(Math.min(remaining, Duration.ofMillis(500).toNanos()));
                consumer.poll(poll).forEach(records::add);
            }
            records.sort(
                    Comparator.comparingInt((ConsumerRecord<String, String> r) -> r.partition())
                            .thenComparingLong(ConsumerRecord::offset));
            return records;
        }
    }

    /** Returns the names of the topics on the broker, internal topics excluded. */
    public Set<String> listTopics() {
        return await(running().admin.listTopics().names(), "list topics");
    }

    /** Returns the partitions of {@code topic} with their leaders. */
    public TopicDescription describeTopic(String topic) {
        return await(
                        running().admin.describeTopics(List.of(topic)).allTopicNames(),
                        "describe topic " + topic)
                .get(topic);
    }

    /** Returns the value of the topic-level setting {@code name}, default or not. */
    public String topicConfig(String topic, String name) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return await(running().admin.describeConfigs(List.of(resource)).all(), "describe " + topic)
                .get(resource)
                .get(name)
                .value();
    }

    private static boolean reached(
            KafkaConsumer<String, String> consumer, Map<TopicPartition, Long> endOffsets) {
        for (Map.Entry<TopicPartition, Long> end : endOffsets.entrySet()) {
            if (consumer.position(end.getKey(), ADMIN_TIMEOUT) < end.getValue()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Waits until every partition of a new topic has a leader, so that the first produce does not
     * race the broker's metadata update.
     */
    private static void awaitLeaders(Admin admin, String topic, int partitions) {
        long deadline = System.nanoTime() + ADMIN_TIMEOUT.toNanos();
        while (true) {
            try {
                TopicDescription description =
                        admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
                if (description.partitions().size() == partitions
                        && description.partitions().stream().allMatch(p -> p.leader() != null)) {
                    return;
                }
            } catch (ExecutionException e) {
                // The broker returns UnknownTopicOrPartitionException until the new topic's
                // metadata
                // reaches it, so the loop asks again.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for " + topic, e);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "Topic "
                                + topic
                                + " has no leader for every partition after "
                                + ADMIN_TIMEOUT);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for " + topic, e);
            }
        }
    }

    private static <T> T await(Future<T> future, String action) {
        try {
            return future.get(ADMIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "Failed to " + action + ": " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException(
                    "Timed out after " + ADMIN_TIMEOUT + " waiting to " + action, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted during " + action, e);
        }
    }

    private RunningBroker running() {
        return ScriptedService.requireStarted(broker, KafkaBroker.class);
    }

    /**
     * The started or connected broker and its clients, closed once by JUnit after the last test
     * class.
     */
    static final class RunningBroker implements AutoCloseable {

        private final String bootstrapServers;
        private final ScriptedService service;
        private final Admin admin;
        private final KafkaProducer<String, String> producer;

        RunningBroker(ScriptedService service) {
            this.bootstrapServers = service.address();
            this.service = service;
            Properties adminProperties = new Properties();
            adminProperties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            admin = Admin.create(adminProperties);

            Properties producerProperties = new Properties();
            producerProperties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            producerProperties.put(ProducerConfig.ACKS_CONFIG, "all");
            producerProperties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
            // A record for a missing topic or partition fails after 5 s instead of 60 s. Topics
            // that createTopic made have leaders already, so their metadata arrives at once.
            producerProperties.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "5000");
            producer =
                    new KafkaProducer<>(
                            producerProperties, new StringSerializer(), new StringSerializer());
        }

        static RunningBroker startOrConnect() {
            return new RunningBroker(ScriptedService.connectOrStart(SERVICE));
        }

        @Override
        public void close() {
            producer.close(Duration.ofSeconds(10));
            admin.close(Duration.ofSeconds(10));
            service.close();
        }
    }
}

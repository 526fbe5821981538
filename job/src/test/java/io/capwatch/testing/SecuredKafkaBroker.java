package io.capwatch.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension that runs a single-node KRaft broker inside the test JVM whose only client
 * listener is {@code SASL_SSL} with SCRAM-SHA-512, on 127.0.0.1.
 *
 * <p>Each test class that registers it gets its own broker, certificate authority, SCRAM users
 * and directory under {@code java.io.tmpdir}. The broker's certificate is signed by a CA made with
 * {@code keytool} for this broker alone, with 127.0.0.1 as its subject alternative name, so
 * clients verify the host name. The controller listener is plaintext on 127.0.0.1, and brokers
 * talk to each other over the {@code SASL_SSL} listener. {@code afterAll} stops the broker and
 * deletes the directory, also after a failed start.
 */
public final class SecuredKafkaBroker implements BeforeAllCallback, AfterAllCallback {

    /** The SCRAM user that {@link #clientProperties} logs in as. */
    public static final String CLIENT_USER = "capwatch";

    private static final String MECHANISM = "SCRAM-SHA-512";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final String clientPassword = UUID.randomUUID().toString();
    private final String brokerPassword = UUID.randomUUID().toString();
    private final String keyStorePassword = UUID.randomUUID().toString();

    private Path dir;
    private Path caCertificate;
    private KafkaRaftServer server;
    private String bootstrapServers;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        dir = Files.createTempDirectory("capwatch-secured-kafka-");
        try {
            makeCertificates();
            start();
        } catch (Exception | Error e) {
            afterAll(context);
            throw e;
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        try {
            if (server != null) {
                server.shutdown();
                server.awaitShutdown();
                server = null;
            }
        } finally {
            deleteRecursively(dir);
        }
    }

    /** Returns the address of the {@code SASL_SSL} listener, such as {@code 127.0.0.1:23456}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Returns the password of {@link #CLIENT_USER}, random for each broker. */
    public String clientPassword() {
        return clientPassword;
    }

    /**
     * Returns the client settings a consumer or producer needs for the {@code SASL_SSL} listener:
     * SCRAM-SHA-512 login as {@link #CLIENT_USER} with {@code password}, and the test CA as a PEM
     * trust store. Bootstrap servers are not included.
     */
    public Properties clientProperties(String password) {
        Properties properties = new Properties();
        properties.setProperty("security.protocol", "SASL_SSL");
        properties.setProperty("sasl.mechanism", MECHANISM);
        properties.setProperty("sasl.jaas.config", jaasConfig(CLIENT_USER, password));
        properties.setProperty("ssl.truststore.type", "PEM");
        properties.setProperty("ssl.truststore.location", caCertificate.toString());
        return properties;
    }

    /** Returns the {@code sasl.jaas.config} value for a SCRAM login. */
    public static String jaasConfig(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                + user
                + "\" password=\""
                + password
                + "\";";
    }

    /**
     * Writes {@code properties} to {@code file} in the {@code java.util.Properties} format, as an
     * operator writes the file given with {@code --kafka-properties}.
     */
    public static Path writeProperties(Path file, Properties properties) throws IOException {
        try (Writer writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            properties.store(writer, null);
        }
        return file;
    }

    /** Creates a topic with one replica and returns its name, unique within the JVM. */
    public String createTopic(String prefix, int partitions) throws Exception {
        String name = KafkaBroker.uniqueTopicName(prefix);
        try (Admin admin = Admin.create(withBootstrap(clientProperties(clientPassword)))) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1)))
                    .all()
                    .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
        return name;
    }

    /** Sends keyed records and waits until the broker has acknowledged every one. */
    public void produce(String topic, List<KafkaBroker.Message> messages) throws Exception {
        Properties properties = withBootstrap(clientProperties(clientPassword));
        properties.setProperty(ProducerConfig.ACKS_CONFIG, "all");
        properties.setProperty(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(properties, new StringSerializer(), new StringSerializer())) {
            for (KafkaBroker.Message message : messages) {
                producer.send(
                                new ProducerRecord<>(
                                        topic, message.partition(), message.key(), message.value()))
                        .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            }
        }
    }

    /**
     * Reads every record of {@code topic} up to its end offsets at the time of the call, ordered by
     * partition, then offset.
     */
    public List<ConsumerRecord<String, String>> readAll(String topic) {
        Properties properties = withBootstrap(clientProperties(clientPassword));
        properties.setProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(properties, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions =
                    consumer.partitionsFor(topic, TIMEOUT).stream()
                            .map(info -> new TopicPartition(topic, info.partition()))
                            .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            var endOffsets = consumer.endOffsets(partitions, TIMEOUT);
            List<ConsumerRecord<String, String>> records = new ArrayList<>();
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (partitions.stream()
                    .anyMatch(p -> consumer.position(p, TIMEOUT) < endOffsets.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "Timed out after " + TIMEOUT + " reading " + topic + " to " + endOffsets);
                }
                consumer.poll(Duration.ofMillis(500)).forEach(records::add);
            }
            records.sort(
                    Comparator.comparingInt((ConsumerRecord<String, String> r) -> r.partition())
                            .thenComparingLong(ConsumerRecord::offset));
            return records;
        }
    }

    private Properties withBootstrap(Properties properties) {
        properties.setProperty("bootstrap.servers", bootstrapServers);
        return properties;
    }

    /**
     * Makes a CA, a broker key pair with a certificate the CA signed for 127.0.0.1, a PKCS12 key
     * store with that chain and the CA certificate as PEM.
     */
    private void makeCertificates() throws IOException, InterruptedException {
        Path caStore = dir.resolve("ca.p12");
        Path brokerStore = dir.resolve("broker.p12");
        Path request = dir.resolve("broker.csr");
        Path signed = dir.resolve("broker.crt");
        caCertificate = dir.resolve("ca.pem");
        String[] ca = {"-keystore", caStore.toString(), "-storetype", "PKCS12", "-storepass", keyStorePassword};
        String[] broker = {"-keystore", brokerStore.toString(), "-storetype", "PKCS12", "-storepass", keyStorePassword};

        keytool(ca, "-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=capwatch test CA", "-ext", "bc:c", "-validity", "2");
        keytool(ca, "-exportcert", "-rfc", "-alias", "ca", "-file", caCertificate.toString());
        keytool(broker, "-genkeypair", "-alias", "broker", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=localhost", "-validity", "2");
        keytool(broker, "-certreq", "-alias", "broker", "-file", request.toString());
        keytool(ca, "-gencert", "-alias", "ca", "-infile", request.toString(), "-outfile",
                signed.toString(), "-rfc", "-ext", "SAN=IP:127.0.0.1,DNS:localhost", "-validity", "2");
        // The reply is accepted only when the key store can build the chain up to a trusted CA.
        keytool(broker, "-importcert", "-noprompt", "-alias", "ca", "-file", caCertificate.toString());
        keytool(broker, "-importcert", "-alias", "broker", "-file", signed.toString());
    }

    private static void keytool(String[] store, String... arguments)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(arguments));
        command.addAll(List.of(store));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IllegalStateException("keytool " + arguments[0] + " failed: " + output);
        }
    }

    /**
     * Formats the log directory with both SCRAM users and starts the broker, with new ports when
     * one of the two picked was taken before the broker bound it.
     */
    private void start() throws Exception {
        for (int attempt = 1; ; attempt++) {
            int clientPort = freePort();
            int controllerPort = freePort();
            Path logDir = Files.createDirectories(dir.resolve("data-" + attempt));
            Properties config = brokerConfig(clientPort, controllerPort, logDir);
            format(config, logDir);
            KafkaRaftServer candidate = new KafkaRaftServer(KafkaConfig.fromProps(config, false), Time.SYSTEM);
            try {
                candidate.startup();
            } catch (RuntimeException e) {
                candidate.shutdown();
                if (attempt < 3 && isBindFailure(e)) {
                    continue;
                }
                throw e;
            }
            server = candidate;
            bootstrapServers = "127.0.0.1:" + clientPort;
            awaitReady();
            return;
        }
    }

    private Properties brokerConfig(int clientPort, int controllerPort, Path logDir) {
        Properties config = new Properties();
        config.setProperty("process.roles", "broker,controller");
        config.setProperty("node.id", "1");
        config.setProperty("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        config.setProperty(
                "listeners",
                "SASL_SSL://127.0.0.1:" + clientPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        config.setProperty("advertised.listeners", "SASL_SSL://127.0.0.1:" + clientPort);
        config.setProperty("listener.security.protocol.map", "SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT");
        config.setProperty("controller.listener.names", "CONTROLLER");
        config.setProperty("inter.broker.listener.name", "SASL_SSL");

        config.setProperty("sasl.enabled.mechanisms", MECHANISM);
        config.setProperty("sasl.mechanism.inter.broker.protocol", MECHANISM);
        config.setProperty(
                "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config",
                jaasConfig("broker", brokerPassword));

        config.setProperty("ssl.keystore.type", "PKCS12");
        config.setProperty("ssl.keystore.location", dir.resolve("broker.p12").toString());
        config.setProperty("ssl.keystore.password", keyStorePassword);
        config.setProperty("ssl.key.password", keyStorePassword);
        config.setProperty("ssl.truststore.type", "PEM");
        config.setProperty("ssl.truststore.location", caCertificate.toString());

        config.setProperty("log.dirs", logDir.toString());
        for (String key :
                List.of(
                        "default.replication.factor",
                        "min.insync.replicas",
                        "offsets.topic.replication.factor",
                        "transaction.state.log.replication.factor",
                        "transaction.state.log.min.isr",
                        "share.coordinator.state.topic.replication.factor",
                        "share.coordinator.state.topic.min.isr")) {
            config.setProperty(key, "1");
        }
        config.setProperty("group.initial.rebalance.delay.ms", "0");
        config.setProperty("auto.create.topics.enable", "false");
        config.setProperty("num.network.threads", "2");
        config.setProperty("num.io.threads", "2");
        return config;
    }

    /** Formats {@code logDir} with a new cluster id and SCRAM credentials for both users. */
    private void format(Properties config, Path logDir) throws IOException {
        Path file = writeProperties(logDir.resolveSibling(logDir.getFileName() + ".properties"), config);
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        int status;
        try (PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            status =
                    StorageTool.execute(
                            new String[] {
                                "format",
                                "-t", org.apache.kafka.common.Uuid.randomUuid().toString(),
                                "-c", file.toString(),
                                "--add-scram", scram("broker", brokerPassword),
                                "--add-scram", scram(CLIENT_USER, clientPassword)
                            },
                            out);
        }
        if (status != 0) {
            throw new IllegalStateException(
                    "formatting " + logDir + " failed: " + output.toString(StandardCharsets.UTF_8));
        }
    }

    private static String scram(String user, String password) {
        return MECHANISM + "=[name=" + user + ",password=" + password + "]";
    }

    /** Waits until the broker serves metadata to an authenticated client. */
    private void awaitReady() throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        try (Admin admin = Admin.create(withBootstrap(clientProperties(clientPassword)))) {
            while (true) {
                try {
                    admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                    return;
                } catch (ExecutionException | TimeoutException e) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException(
                                "the broker at " + bootstrapServers + " did not serve metadata within " + TIMEOUT, e);
                    }
                    Thread.sleep(200);
                }
            }
        }
    }

    private static boolean isBindFailure(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof java.net.BindException) {
                return true;
            }
        }
        return false;
    }

    /** Returns a port nothing listens on now; the broker may still lose it to another process. */
    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }

    private static void deleteRecursively(Path root) throws IOException {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}

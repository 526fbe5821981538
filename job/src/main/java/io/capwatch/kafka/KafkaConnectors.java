package io.capwatch.kafka;

import io.capwatch.event.ParserLimits;
import io.capwatch.ingest.ParsedRecord;
import io.capwatch.ingest.RawRecord;
import io.capwatch.sink.elasticsearch.IndexedDocument;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Builds the job's Kafka sources and sinks from {@link KafkaSettings}. */
public final class KafkaConnectors {
    private KafkaConnectors() {}

    /**
     * Creates the telemetry source, which parses while it reads so that watermarks are per
     * partition. With {@code stoppingOffsets} set it is bounded, for a backfill in batch mode.
     */
    public static KafkaSource<ParsedRecord> telemetry(KafkaSettings settings, ParserLimits limits) {
        KafkaSourceBuilder<ParsedRecord> builder =
                base(settings, settings.topics)
                        .setGroupId(settings.groupId)
                        .setStartingOffsets(
                                KafkaOffsets.starting(
                                        "--kafka-starting-offsets", settings.startingOffsets))
                        .setDeserializer(new TelemetryDeserializer(limits));
        if (settings.stoppingOffsets != null) {
            builder.setBounded(
                    KafkaOffsets.stopping("--kafka-stopping-offsets", settings.stoppingOffsets));
        }
        return builder.build();
    }

    /**
     * The prevalence source: the whole compacted topic from its first offset, then every update.
     * Bounded at the latest offset when {@code bounded} is set (batch mode).
     */
    public static KafkaSource<RawRecord> prevalence(
            KafkaSettings settings, String topic, boolean bounded) {
        KafkaSourceBuilder<RawRecord> builder =
                KafkaSource.<RawRecord>builder()
                        .setProperties(settings.copyOfClientProperties())
                        .setBootstrapServers(settings.bootstrapServers)
                        .setTopics(topic)
                        // Every instance reads the whole topic: no shared consumer group.
                        .setGroupId(settings.groupId + "-prevalence")
                        .setProperty("commit.offsets.on.checkpoint", "false")
                        .setStartingOffsets(OffsetsInitializer.earliest())
                        .setDeserializer(new RawDeserializer());
        if (bounded) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        return builder.build();
    }

    /**
     * Creates a sink that writes documents to a topic, keyed by document id, at least once. As in
     * the sources, {@code --kafka-bootstrap-servers} wins over a {@code bootstrap.servers} in the
     * properties file, because the builder keeps whichever it was given last.
     */
    public static KafkaSink<IndexedDocument> documents(KafkaSettings settings, String topic) {
        return KafkaSink.<IndexedDocument>builder()
                .setKafkaProducerConfig(settings.copyOfClientProperties())
                .setBootstrapServers(settings.bootstrapServers)
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .setRecordSerializer(new DocumentSerializer(topic))
                .build();
    }

    private static KafkaSourceBuilder<ParsedRecord> base(KafkaSettings settings, List<String> topics) {
        return KafkaSource.<ParsedRecord>builder()
                .setProperties(settings.copyOfClientProperties())
                .setBootstrapServers(settings.bootstrapServers)
                .setTopics(topics);
    }

    /** Reads each record as a line of text tagged {@code topic:<topic>-<partition>@<offset>}. */
    private static final class RawDeserializer implements KafkaRecordDeserializationSchema<RawRecord> {
        private static final long serialVersionUID = 1L;

        @Override
        public void open(DeserializationSchema.InitializationContext context) {}

        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<RawRecord> out) {
            if (record.value() == null) {
                return; // A tombstone: compaction's delete marker, not a record.
            }
            // The "topic:" prefix marks the record as read from a topic for the enricher.
            out.collect(
                    new RawRecord(
                            "topic:" + record.topic() + "-" + record.partition() + "@" + record.offset(),
                            new String(record.value(), StandardCharsets.UTF_8)));
        }

        @Override
        public TypeInformation<RawRecord> getProducedType() {
            return TypeInformation.of(RawRecord.class);
        }
    }

    /** Writes a document's id as the record key and its JSON as the value. */
    private static final class DocumentSerializer
            implements KafkaRecordSerializationSchema<IndexedDocument> {
        private static final long serialVersionUID = 1L;

        private final String topic;

        DocumentSerializer(String topic) {
            this.topic = topic;
        }

        @Override
        public ProducerRecord<byte[], byte[]> serialize(
                IndexedDocument document, KafkaSinkContext context, Long timestamp) {
            return new ProducerRecord<>(
                    topic, document.id().getBytes(StandardCharsets.UTF_8), document.json());
        }
    }
}

package io.capwatch.kafka;

import io.capwatch.event.DeadLetterReason;
import io.capwatch.event.EventParser;
import io.capwatch.event.ParseResult;
import io.capwatch.event.ParserLimits;
import io.capwatch.ingest.ParsedRecord;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Parses telemetry records as the Kafka source reads them, so each partition's watermark follows
 * the event time of its own records. Every record comes out, parsed or with its dead-letter
 * reason, tagged {@code topic-partition@offset}; none is dropped or thrown.
 */
final class TelemetryDeserializer implements KafkaRecordDeserializationSchema<ParsedRecord> {
    private static final long serialVersionUID = 1L;

    private final ParserLimits limits;
    private transient EventParser parser;

    TelemetryDeserializer(ParserLimits limits) {
        this.limits = limits;
    }

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        parser = new EventParser(limits);
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<ParsedRecord> out) {
        String origin = record.topic() + "-" + record.partition() + "@" + record.offset();
        byte[] value = record.value();
        if (value == null || value.length == 0) {
            out.collect(
                    new ParsedRecord(
                            origin,
                            "",
                            ParseResult.deadLetter(
                                    null, DeadLetterReason.INVALID_JSON, "empty Kafka record")));
            return;
        }
        ParseResult result = parser.parse(value);
        out.collect(new ParsedRecord(origin, new String(value, StandardCharsets.UTF_8), result));
    }

    @Override
    public TypeInformation<ParsedRecord> getProducedType() {
        return TypeInformation.of(ParsedRecord.class);
    }
}

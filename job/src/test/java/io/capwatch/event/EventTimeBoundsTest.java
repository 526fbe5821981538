package io.capwatch.event;

import static io.capwatch.event.Records.assertDeadLetter;
import static io.capwatch.event.Records.assertEvent;
import static io.capwatch.event.Records.assertIgnored;
import static io.capwatch.event.Records.at;
import static io.capwatch.event.Records.auditdExecuted;
import static io.capwatch.event.Records.endpointStart;
import static io.capwatch.event.Records.flatSysmon;
import static io.capwatch.event.Records.sysmonEcs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Event times the watermark cannot take: far in the future, or outside the years 0001-9999. */
class EventTimeBoundsTest {

    /** The wall clock of these tests: one minute after the sample records' 10:00:00. */
    private static final Instant NOW = Instant.parse("2024-05-14T10:01:00Z");

    private final EventParser parser =
            new EventParser(ParserLimits.defaults(), Clock.fixed(NOW, ZoneOffset.UTC));

    private static ObjectNode startAt(String timestamp) {
        ObjectNode record = endpointStart();
        record.put("@timestamp", timestamp);
        return record;
    }

    @Test
    void eventAtSkewLimitIsAccepted() {
        String limit = NOW.plus(ParserLimits.DEFAULT_MAX_FUTURE_SKEW).toString();
        assertEquals(Instant.parse(limit).toEpochMilli(), assertEvent(parser.parse(startAt(limit).toString())).timestamp);
    }

    @Test
    void eventPastSkewLimitIsDeadLettered() {
        String justOver = NOW.plus(ParserLimits.DEFAULT_MAX_FUTURE_SKEW).plusMillis(1).toString();
        ParseResult result = parser.parse(startAt(justOver).toString());
        assertDeadLetter(result, DeadLetterReason.FUTURE_TIMESTAMP, justOver, "PT1M0.001S ahead", "PT1M");
        assertEquals(EventSource.ENDPOINT, result.source());
    }

    @Test
    void farFutureEventIsDeadLettered() {
        assertDeadLetter(
                parser.parse(startAt("9999-12-31T23:59:59.999Z").toString()),
                DeadLetterReason.FUTURE_TIMESTAMP,
                "9999-12-31T23:59:59.999Z");
    }

    @Test
    void pastEventIsAccepted() {
        // Old events are the late check's business, not the parser's: a backfill reads them.
        assertEvent(parser.parse(startAt("2001-01-01T00:00:00Z").toString()));
    }

    @Test
    void futureCheckCoversEverySource() {
        String future = "2030-01-01T00:00:00.000Z";
        ObjectNode sysmon = sysmonEcs("1");
        sysmon.put("@timestamp", future);
        ObjectNode flat = flatSysmon(1);
        flat.remove("@timestamp");
        flat.put("UtcTime", "2030-01-01 00:00:00.000");
        ObjectNode auditd = auditdExecuted();
        auditd.put("@timestamp", future);
        ObjectNode epochMillis = endpointStart();
        epochMillis.put("@timestamp", Instant.parse(future).toEpochMilli());
        for (ObjectNode record : new ObjectNode[] {sysmon, flat, auditd, epochMillis}) {
            assertDeadLetter(parser.parse(record.toString()), DeadLetterReason.FUTURE_TIMESTAMP, "2030-01-01T00:00:00Z");
        }
    }

    @Test
    void futureIgnoredRecordStaysIgnored() {
        // The bound guards the watermark, which ignored records never reach.
        ObjectNode record = startAt("2030-01-01T00:00:00Z");
        at(record, "event").putArray("type").add("end");
        assertIgnored(parser.parse(record.toString()), EventSource.ENDPOINT);
    }

    @Test
    void skewIsConfigurable() {
        EventParser zeroSkew =
                new EventParser(
                        new ParserLimits(1 << 20, 64, 1000, Duration.ZERO),
                        Clock.fixed(NOW, ZoneOffset.UTC));
        assertEvent(zeroSkew.parse(startAt(NOW.toString()).toString()));
        assertDeadLetter(
                zeroSkew.parse(startAt(NOW.plusMillis(1).toString()).toString()),
                DeadLetterReason.FUTURE_TIMESTAMP);
    }

    @Test
    void negativeSkewIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new ParserLimits(1000, 64, 1000, Duration.ofSeconds(-1)));
        assertThrows(NullPointerException.class, () -> new ParserLimits(1000, 64, 1000, null));
        assertThrows(NullPointerException.class, () -> new EventParser(ParserLimits.defaults(), null));
    }

    @Test
    void defaultSkewIsOneMinute() {
        assertEquals(Duration.ofMinutes(1), ParserLimits.defaults().maxFutureSkew());
        assertEquals(Duration.ofMinutes(1), new ParserLimits(1000, 64, 1000).maxFutureSkew());
    }

    @Test
    void systemClockRejectsNextYear() {
        ObjectNode record = startAt(Instant.now().plus(Duration.ofDays(366)).toString());
        assertDeadLetter(EventParser.withDefaults().parse(record.toString()), DeadLetterReason.FUTURE_TIMESTAMP);
    }

    @ParameterizedTest(name = "@timestamp {0}")
    @ValueSource(
            longs = {
                Long.MIN_VALUE,
                Long.MAX_VALUE,
                Timestamps.EARLIEST_MILLIS - 1,
                Timestamps.LATEST_MILLIS + 1,
            })
    void epochMillisOutsideYearRangeIsInvalid(long millis) {
        ObjectNode record = endpointStart();
        record.put("@timestamp", millis);
        assertDeadLetter(parser.parse(record.toString()), DeadLetterReason.INVALID_FIELD, "@timestamp", "0001 to 9999");
    }

    @Test
    void epochMillisAtRangeEdgesAreRead() {
        assertEquals(Instant.parse("0001-01-01T00:00:00Z").toEpochMilli(), Timestamps.EARLIEST_MILLIS);
        assertEquals(Instant.parse("9999-12-31T23:59:59.999Z").toEpochMilli(), Timestamps.LATEST_MILLIS);
        ObjectNode record = endpointStart();
        record.put("@timestamp", Timestamps.EARLIEST_MILLIS);
        assertEquals(Timestamps.EARLIEST_MILLIS, assertEvent(parser.parse(record.toString())).timestamp);
    }

    @Test
    void epochSecondsReadAsMillis() {
        // Elasticsearch's epoch_millis reads an integer the same way, so a value in seconds lands
        // in January 1970, which the late check then rejects in a streaming run.
        ObjectNode record = endpointStart();
        record.put("@timestamp", 1715680800L);
        assertEquals(1715680800L, assertEvent(parser.parse(record.toString())).timestamp);
    }

    @Test
    void nullTimestampIsMissing() {
        ObjectNode record = endpointStart();
        record.putNull("@timestamp");
        assertDeadLetter(parser.parse(record.toString()), DeadLetterReason.MISSING_FIELD, "@timestamp");
    }
}

package io.capwatch.event;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import java.io.IOException;
import java.io.Serializable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Parses one raw telemetry record into a {@link ParseResult}, detecting its format per record:
 * Elastic Endpoint ECS (Windows, Linux, macOS), Sysmon ECS (Winlogbeat, Elastic Agent), Auditbeat
 * ECS (auditd and system/socket) or flat Windows-event JSON (NXLog-style). Records of all these
 * formats may be mixed in one stream.
 *
 * <p>{@code parse} throws no exception: bad input, and any unexpected exception while reading a
 * record, become a dead letter with a reason code and a detail message, which names the field and
 * value when a field is at fault. Errors such as {@code OutOfMemoryError} still propagate. An
 * instance may be shared between threads, because each call keeps its state on the stack and the
 * Jackson factory is thread-safe. It is serializable so that a Flink function can hold one.
 *
 * <p>The outcome depends on the wall clock in one way only: an event stamped more than {@link
 * ParserLimits#maxFutureSkew()} ahead of it is dead-lettered as {@link
 * DeadLetterReason#FUTURE_TIMESTAMP}.
 */
public final class EventParser implements Serializable {
    private static final long serialVersionUID = 2L;

    private final ParserLimits limits;
    private final Clock clock;
    private transient volatile JsonFactory jsonFactory;

    /** Creates a parser that judges future event times by the system clock. */
    public EventParser(ParserLimits limits) {
        this(limits, Clock.systemUTC());
    }

    /** Creates a parser that judges future event times by {@code clock}, which must be serializable. */
    public EventParser(ParserLimits limits, Clock clock) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Returns a parser with {@link ParserLimits#defaults()}. */
    public static EventParser withDefaults() {
        return new EventParser(ParserLimits.defaults());
    }

    public ParserLimits limits() {
        return limits;
    }

    /** Parses one record given as UTF-8 bytes, for example one line of an NDJSON file. */
    public ParseResult parse(byte[] utf8) {
        if (utf8 == null) {
            return ParseResult.deadLetter(null, DeadLetterReason.INVALID_JSON, "the record is null");
        }
        if (utf8.length > limits.maxRecordBytes()) {
            return tooLarge(utf8.length);
        }
        int invalidAt = Utf8.firstInvalidByte(utf8);
        if (invalidAt >= 0) {
            return ParseResult.deadLetter(
                    null,
                    DeadLetterReason.INVALID_JSON,
                    String.format(
                            "invalid UTF-8: byte 0x%02x at offset %d does not start a well-formed"
                                    + " sequence",
                            utf8[invalidAt] & 0xff,
                            invalidAt));
        }
        try (JsonParser parser = jsonFactory().createParser(utf8)) {
            return parse(parser);
        } catch (IOException | RuntimeException e) {
            return failure(e);
        }
    }

    /** Parses one record given as a string. The size limit applies to its UTF-8 encoding. */
    public ParseResult parse(String record) {
        if (record == null) {
            return ParseResult.deadLetter(null, DeadLetterReason.INVALID_JSON, "the record is null");
        }
        // A UTF-16 unit takes at most 3 bytes in UTF-8 (a surrogate pair takes 4 for 2 units), so
        // most records are under the limit by their length alone and need no count.
        if ((long) record.length() * 3 > limits.maxRecordBytes()) {
            long utf8Length = utf8Length(record, limits.maxRecordBytes());
            if (utf8Length > limits.maxRecordBytes()) {
                return tooLarge(utf8Length);
            }
        }
        try (JsonParser parser = jsonFactory().createParser(record)) {
            return parse(parser);
        } catch (IOException | RuntimeException e) {
            return failure(e);
        }
    }

    private ParseResult parse(JsonParser parser) throws IOException {
        return rejectFuture(map(RecordReader.read(parser)));
    }

    private static ParseResult map(RawRecord record) {
        if (EcsMapper.isEndpoint(record)) {
            return EcsMapper.mapEndpoint(record);
        }
        if (EcsMapper.isSysmon(record)) {
            return EcsMapper.mapSysmon(record);
        }
        if (AuditbeatMapper.isAuditd(record)) {
            return AuditbeatMapper.mapAuditd(record);
        }
        if (AuditbeatMapper.isSystemSocket(record)) {
            return AuditbeatMapper.mapSystemSocket(record);
        }
        if (FlatSysmonMapper.isFlatWindowsEvent(record)) {
            return FlatSysmonMapper.map(record);
        }
        return ParseResult.deadLetter(
                null,
                DeadLetterReason.UNKNOWN_SHAPE,
                "the record is JSON but not an Elastic Endpoint, Sysmon ECS, Auditbeat or flat"
                        + " Windows event: none of agent.type, event.module, data_stream.dataset,"
                        + " winlog.channel, or EventID with Channel identifies the source");
    }

    /**
     * Dead-letters an event whose time lies more than the maximum future skew ahead of the clock,
     * and passes every other result through.
     */
    private ParseResult rejectFuture(ParseResult result) {
        if (result.outcome() != ParseOutcome.EVENT) {
            return result;
        }
        long now = clock.millis();
        long aheadMillis = result.event().timestamp - now;
        if (aheadMillis <= limits.maxFutureSkew().toMillis()) {
            return result;
        }
        return ParseResult.deadLetter(
                result.source(),
                DeadLetterReason.FUTURE_TIMESTAMP,
                "event time "
                        + Instant.ofEpochMilli(result.event().timestamp)
                        + " is "
                        + Duration.ofMillis(aheadMillis)
                        + " ahead of the wall clock ("
                        + Instant.ofEpochMilli(now)
                        + "), more than the maximum future skew of "
                        + limits.maxFutureSkew());
    }

    /** Turns an exception thrown while reading a record into its dead letter. */
    static ParseResult failure(Exception e) {
        if (e instanceof RecordException recordException) {
            return ParseResult.deadLetter(null, recordException.reason(), recordException.detail());
        }
        if (e instanceof StreamConstraintsException constraint) {
            return ParseResult.deadLetter(
                    null,
                    DeadLetterReason.TOO_LARGE,
                    "the record exceeds a parser limit: " + constraint.getOriginalMessage());
        }
        if (e instanceof JacksonException jackson) {
            return ParseResult.deadLetter(
                    null,
                    DeadLetterReason.INVALID_JSON,
                    "invalid JSON: " + shorten(jackson.getOriginalMessage()) + location(jackson.getLocation()));
        }
        if (e instanceof IOException) {
            return ParseResult.deadLetter(
                    null, DeadLetterReason.INVALID_JSON, "the record could not be read: " + shorten(e.toString()));
        }
        // NOTE: no reason code fits a parser bug, so such a record is reported as an invalid field
        // with the exception in the detail, which keeps the job running.
        return ParseResult.deadLetter(
                null, DeadLetterReason.INVALID_FIELD, "unexpected error while reading the record: " + shorten(e.toString()));
    }

    private ParseResult tooLarge(long utf8Length) {
        return ParseResult.deadLetter(
                null,
                DeadLetterReason.TOO_LARGE,
                "the record is "
                        + utf8Length
                        + " bytes, over the limit of "
                        + limits.maxRecordBytes()
                        + " bytes");
    }

    private JsonFactory jsonFactory() {
        JsonFactory factory = jsonFactory;
        if (factory == null) {
            StreamReadConstraints constraints = StreamReadConstraints.builder()
                    .maxNestingDepth(limits.maxNestingDepth())
                    .maxStringLength(limits.maxStringLength())
                    .build();
            factory = JsonFactory.builder()
                    .streamReadConstraints(constraints)
                    // Keeps record content out of Jackson's error locations, so details stay short.
                    .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
                    .build();
            jsonFactory = factory;
        }
        return factory;
    }

    /** Counts the UTF-8 bytes of {@code text}, stopping early once past {@code limit}. */
    static long utf8Length(String text, long limit) {
        long bytes = 0;
        int length = text.length();
        for (int i = 0; i < length && bytes <= limit; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    private static String location(JsonLocation location) {
        if (location == null || location.getLineNr() < 0) {
            return "";
        }
        return " at line " + location.getLineNr() + ", column " + location.getColumnNr();
    }

    private static String shorten(String message) {
        if (message == null) {
            return "no message";
        }
        String oneLine = message.replace('\n', ' ').replace('\r', ' ');
        return oneLine.length() <= RecordException.MAX_QUOTED_VALUE
                ? oneLine
                : oneLine.substring(0, RecordException.MAX_QUOTED_VALUE) + "...";
    }
}

package io.capwatch.event;

/**
 * The reason a record went to the dead-letter output. The names are stable, because dashboards
 * filter on them.
 */
public enum DeadLetterReason {
    /** The record is not valid JSON, is truncated, or is not a JSON object. */
    INVALID_JSON,
    /** Valid JSON of a shape that matches none of the supported sources. */
    UNKNOWN_SHAPE,
    /** A field the rule needs (host, executable, pid, timestamp, destination) is absent or null. */
    MISSING_FIELD,
    /** A field the rule needs has the wrong type or an invalid value. */
    INVALID_FIELD,
    /**
     * The rest of an input file could not be read, as with a corrupt or truncated compressed file.
     * The dead letter names the file and the last line read.
     */
    UNREADABLE_INPUT,
    /** The record exceeds a configured size or nesting limit. */
    TOO_LARGE,
    /** The event is older than the watermark allows (beyond the out-of-orderness bound). */
    LATE_EVENT,
    /** A prevalence record that could not be read. */
    INVALID_PREVALENCE,
    /** Elasticsearch rejected the alert document. */
    SINK_REJECTED,
    /**
     * The event's time lies further ahead of the wall clock than {@link
     * ParserLimits#maxFutureSkew()}. Accepted, it would move the watermark ahead and make the
     * events of every other host late.
     */
    FUTURE_TIMESTAMP
}

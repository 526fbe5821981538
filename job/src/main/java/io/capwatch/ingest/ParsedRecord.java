package io.capwatch.ingest;

import io.capwatch.event.ParseResult;
import java.io.Serializable;

/**
 * A raw record together with its parse result, for sources that parse while they read (Kafka,
 * whose per-partition watermarks need each record's event time inside the source). A Flink POJO.
 */
public class ParsedRecord implements Serializable {
    private static final long serialVersionUID = 1L;

    public String origin;
    public String raw;
    public ParseResult result;

    public ParsedRecord() {}

    public ParsedRecord(String origin, String raw, ParseResult result) {
        this.origin = origin;
        this.raw = raw;
        this.result = result;
    }

    /** Returns the event time, or {@code Long.MIN_VALUE} for a record that is not an event. */
    public long eventTime() {
        return result.event() == null ? Long.MIN_VALUE : result.event().timestamp;
    }
}

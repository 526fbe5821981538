package io.capwatch.sink.elasticsearch;

import org.apache.flink.annotation.PublicEvolving;

/**
 * The reason the sink dead-lettered a document. The names are stored in {@code
 * capwatch.dead_letter.reason} and are stable, because dashboards filter on them.
 */
@PublicEvolving
public enum SinkFailureReason {
    /**
     * Elasticsearch rejected the document with a permanent error (a 4xx other than 409 and 429,
     * such as a mapping or parsing error), or the document exceeds the maximum record size.
     */
    SINK_REJECTED,
    /** Every allowed attempt failed with a retriable error (HTTP 429, 5xx, I/O failure). */
    SINK_RETRIES_EXHAUSTED
}

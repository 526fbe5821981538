package io.capwatch.sink.elasticsearch;

import javax.annotation.Nullable;

import java.io.Serializable;

/**
 * The sink's own settings, next to the batching settings that {@link
 * org.apache.flink.connector.base.sink.AsyncSinkBase} keeps.
 *
 * @param connection how to reach the cluster
 * @param maxAttempts bulk attempts per document before it is dead-lettered, at least 1
 * @param backoff the delay between attempts
 * @param deadLetterIndex the index that receives dead-letter documents
 * @param deadLetterListener an optional observer of dead-lettered documents
 */
record ElasticsearchSinkSettings(
        ElasticsearchConnection connection,
        int maxAttempts,
        RetryBackoff backoff,
        String deadLetterIndex,
        @Nullable SinkDeadLetterListener deadLetterListener)
        implements Serializable {

    private static final long serialVersionUID = 1L;

    @Override
    public String toString() {
        return connection
                + ", maxAttempts="
                + maxAttempts
                + ", "
                + backoff
                + ", deadLetterIndex='"
                + deadLetterIndex
                + "', deadLetterListener="
                + (deadLetterListener == null ? "none" : deadLetterListener.getClass().getName());
    }
}

package io.capwatch.sink.elasticsearch;

import javax.annotation.Nullable;

import java.io.Serializable;

/**
 * The sink's own settings, next to the batching settings that {@link
 * org.apache.flink.connector.base.sink.AsyncSinkBase} keeps.
 *
 * @param connection how to reach the cluster
 * @param retryPolicy how long, how often and how far apart documents that failed with a retriable
 *     error are retried
 * @param deadLetterIndex the index that receives dead-letter documents
 * @param deadLetterListener an optional observer of dead-lettered documents
 */
record ElasticsearchSinkSettings(
        ElasticsearchConnection connection,
        RetryPolicy retryPolicy,
        String deadLetterIndex,
        @Nullable SinkDeadLetterListener deadLetterListener)
        implements Serializable {

    private static final long serialVersionUID = 1L;

    @Override
    public String toString() {
        return connection
                + ", "
                + retryPolicy
                + ", deadLetterIndex='"
                + deadLetterIndex
                + "', deadLetterListener="
                + (deadLetterListener == null ? "none" : deadLetterListener.getClass().getName());
    }
}

package io.capwatch.sink.elasticsearch;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;

/**
 * The sink's counters on the writer's metric group. They are incremented from the client's I/O
 * threads and the retry scheduler, so they are thread-safe.
 */
final class SinkMetrics {

    /** Documents that Elasticsearch created. */
    final Counter alertsIndexed;

    /** Documents that already existed (HTTP 409), which count as success. */
    final Counter alertsAlreadyIndexed;

    /** Bulk requests sent to the target indices, including retries but not dead-letter writes. */
    final Counter bulkRequests;

    /** Documents queued for another attempt, counted once per retry. */
    final Counter sinkRetries;

    /** Documents whose retry timeout or attempts ran out; they are dead-lettered. */
    final Counter sinkRetriesExhausted;

    /** Documents given up on (rejected or out of attempts). */
    final Counter sinkDeadLettered;

    /** Dead-letter documents that could not be written to the dead-letter index. */
    final Counter deadLetterWriteFailures;

    SinkMetrics(MetricGroup group) {
        alertsIndexed = group.counter("alertsIndexed", new ThreadSafeSimpleCounter());
        alertsAlreadyIndexed = group.counter("alertsAlreadyIndexed", new ThreadSafeSimpleCounter());
        bulkRequests = group.counter("bulkRequests", new ThreadSafeSimpleCounter());
        sinkRetries = group.counter("sinkRetries", new ThreadSafeSimpleCounter());
        sinkRetriesExhausted =
                group.counter("sinkRetriesExhausted", new ThreadSafeSimpleCounter());
        sinkDeadLettered = group.counter("sinkDeadLettered", new ThreadSafeSimpleCounter());
        deadLetterWriteFailures =
                group.counter("deadLetterWriteFailures", new ThreadSafeSimpleCounter());
    }
}

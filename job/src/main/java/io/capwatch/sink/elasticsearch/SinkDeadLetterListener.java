package io.capwatch.sink.elasticsearch;

import org.apache.flink.annotation.PublicEvolving;

import java.io.Serializable;

/**
 * Receives every document the sink dead-letters, before the dead-letter document is written.
 *
 * <p>The sink calls it from the Elasticsearch client's I/O threads, so implementations must be
 * thread-safe and return quickly. An exception from the listener is logged and ignored. The
 * listener is serialized with the sink and runs on the task managers.
 */
@PublicEvolving
@FunctionalInterface
public interface SinkDeadLetterListener extends Serializable {

    void onDeadLetter(SinkDeadLetter deadLetter);
}

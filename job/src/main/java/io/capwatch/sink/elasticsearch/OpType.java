package io.capwatch.sink.elasticsearch;

import org.apache.flink.annotation.PublicEvolving;

/** The bulk operation that writes a document, as Elasticsearch's {@code op_type} names it. */
@PublicEvolving
public enum OpType {
    /**
     * Writes the document only if its {@code _id} does not exist yet. The sink counts the status
     * "already exists" (HTTP 409) as success, so a replay leaves the first version in place.
     */
    CREATE,
    /** Writes the document, replacing one with the same {@code _id}: the last version wins. */
    INDEX
}

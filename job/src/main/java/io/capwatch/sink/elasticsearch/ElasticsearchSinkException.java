package io.capwatch.sink.elasticsearch;

import org.apache.flink.annotation.PublicEvolving;

/** A failure of the Elasticsearch sink that retrying cannot fix, so the job fails with it. */
@PublicEvolving
public class ElasticsearchSinkException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ElasticsearchSinkException(String message) {
        super(message);
    }

    public ElasticsearchSinkException(String message, Throwable cause) {
        super(message, cause);
    }
}

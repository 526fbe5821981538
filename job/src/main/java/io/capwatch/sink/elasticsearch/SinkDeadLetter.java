package io.capwatch.sink.elasticsearch;

import org.apache.flink.annotation.PublicEvolving;

import javax.annotation.Nullable;

import java.util.Objects;

/**
 * A document that the sink gave up on, with the reason.
 *
 * @param request the document as it was last sent
 * @param reason why the sink gave up
 * @param errorType the Elasticsearch error type (for example {@code document_parsing_exception}) or
 *     the Java exception class for failures without a response
 * @param errorMessage the error reason from Elasticsearch or the exception message
 * @param httpStatus the HTTP status of the item or request, or {@code null} when there was no
 *     response (I/O failure, document too large to send)
 * @param attempts the number of bulk attempts made for the document
 */
@PublicEvolving
public record SinkDeadLetter(
        DocumentRequest request,
        SinkFailureReason reason,
        String errorType,
        String errorMessage,
        @Nullable Integer httpStatus,
        int attempts) {

    public SinkDeadLetter {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(reason, "reason");
        errorType = errorType == null ? "unknown" : errorType;
        errorMessage = errorMessage == null ? "" : errorMessage;
    }
}

package io.capwatch.sink.elasticsearch;

import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch._types.ErrorCause;
import co.elastic.clients.transport.TransportException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.http.HttpEntity;
import org.elasticsearch.client.ResponseException;

import javax.annotation.Nullable;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * A failure of a whole bulk request (no per-item results), classified as retriable or not.
 *
 * @param retriable whether sending the same request again may succeed: HTTP 429, any 5xx, and I/O
 *     failures without a response (connection refused or reset, timeouts) except TLS certificate
 *     errors
 * @param httpStatus the response status, or {@code null} when no response arrived
 * @param errorType the Elasticsearch error type when the response has one, else the exception class
 *     name
 * @param message the Elasticsearch error reason or the exception message
 * @param cause the exception that the client raised
 */
record RequestFailure(
        boolean retriable,
        @Nullable Integer httpStatus,
        String errorType,
        String message,
        Throwable cause) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Returns whether a request or bulk item with this HTTP status may succeed when sent again. */
    static boolean isRetriableStatus(int status) {
        return status == 429 || (status >= 500 && status <= 599);
    }

    /** Nested causes that {@link #reasonWithCauses} appends, enough for the usual chains. */
    private static final int MAX_CAUSES = 3;

    /**
     * Returns the reason of {@code error} followed by those of its nested causes, as in "failed to
     * parse field [x]; caused by illegal_argument_exception: Document contains at least one
     * immense term". The outer reason alone often does not say what was wrong.
     */
    static String reasonWithCauses(ErrorCause error) {
        StringBuilder reason = new StringBuilder(String.valueOf(error.reason()));
        ErrorCause cause = error.causedBy();
        for (int depth = 0; cause != null && depth < MAX_CAUSES; depth++) {
            reason.append("; caused by ").append(cause.type()).append(": ").append(cause.reason());
            cause = cause.causedBy();
        }
        return reason.toString();
    }

    /** Classifies an exception from the Elasticsearch client. */
    static RequestFailure classify(Throwable error) {
        Throwable cause = unwrap(error);

        if (cause instanceof ResponseException responseException) {
            int status = responseException.getResponse().getStatusLine().getStatusCode();
            ErrorDetails details = readErrorBody(responseException.getResponse().getEntity());
            return new RequestFailure(
                    isRetriableStatus(status),
                    status,
                    details == null ? "http_" + status : details.type(),
                    details == null
                            ? responseException.getResponse().getStatusLine().toString()
                            : details.reason(),
                    cause);
        }
        if (cause instanceof ElasticsearchException elasticsearchException) {
            int status = elasticsearchException.status();
            ErrorCause errorCause = elasticsearchException.error();
            return new RequestFailure(
                    isRetriableStatus(status),
                    status,
                    errorCause == null ? "http_" + status : errorCause.type(),
                    errorCause == null
                            ? String.valueOf(elasticsearchException.getMessage())
                            : String.valueOf(errorCause.reason()),
                    cause);
        }
        if (cause instanceof TransportException transportException
                && transportException.statusCode() > 0) {
            int status = transportException.statusCode();
            return new RequestFailure(
                    isRetriableStatus(status),
                    status,
                    "http_" + status,
                    String.valueOf(transportException.getMessage()),
                    cause);
        }
        // An untrusted or mismatched server certificate fails every attempt the same way.
        if (cause instanceof SSLHandshakeException || cause instanceof SSLPeerUnverifiedException) {
            return new RequestFailure(
                    false,
                    null,
                    cause.getClass().getName(),
                    String.valueOf(cause.getMessage()),
                    cause);
        }
        // Connection refused or reset, socket and connect timeouts: no response arrived, so the
        // same request may succeed later.
        if (cause instanceof IOException) {
            return new RequestFailure(
                    true,
                    null,
                    cause.getClass().getName(),
                    String.valueOf(cause.getMessage()),
                    cause);
        }
        return new RequestFailure(
                false, null, cause.getClass().getName(), String.valueOf(cause.getMessage()), cause);
    }

    private static Throwable unwrap(Throwable error) {
        Throwable current = error;
        while ((current instanceof CompletionException || current instanceof ExecutionException)
                && current.getCause() != null) {
            current = current.getCause();
        }
        return current;
    }

    private record ErrorDetails(String type, String reason) {}

    /** Reads {@code error.type} and {@code error.reason} from an Elasticsearch error body. */
    @Nullable
    private static ErrorDetails readErrorBody(@Nullable HttpEntity entity) {
        if (entity == null || !entity.isRepeatable()) {
            return null;
        }
        try (InputStream body = entity.getContent()) {
            JsonNode error = JSON.readTree(body).path("error");
            if (error.isTextual()) {
                return new ErrorDetails("http_error", error.asText());
            }
            if (!error.path("type").isTextual()) {
                return null;
            }
            return new ErrorDetails(error.path("type").asText(), error.path("reason").asText(""));
        } catch (IOException | RuntimeException e) {
            // Not JSON (a proxy's HTML page, for example): the status line describes the failure.
            return null;
        }
    }
}

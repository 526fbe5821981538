package io.capwatch.sink.elasticsearch;

import co.elastic.clients.elasticsearch.ElasticsearchAsyncClient;
import co.elastic.clients.elasticsearch.core.BulkResponse;
import co.elastic.clients.elasticsearch.core.bulk.BulkResponseItem;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.annotation.Nullable;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Writes dead-lettered documents to the dead-letter index, notifies the listener and counts them.
 *
 * <p>Each dead-letter document has the same {@code _id} as the rejected document and is written
 * with op type {@code create}, so a replay does not duplicate it (409 counts as success). A failed
 * dead-letter write is retried up to {@link #MAX_ATTEMPTS} times for retriable errors, then logged
 * with the ids and counted, and the job goes on. The future that {@link #write} returns completes
 * normally when the write succeeded or was given up, unless the writer closed first.
 *
 * <p>NOTE: documents with the same id in different target indices share one dead-letter document,
 * so only the first of them is kept.
 */
final class DeadLetterWriter {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterWriter.class);

    /** Bulk attempts per dead-letter document, kept small so that checkpoints are not held up. */
    static final int MAX_ATTEMPTS = 3;

    private static final JsonFactory JSON = new JsonFactory();

    private final ElasticsearchAsyncClient client;
    private final String deadLetterIndex;
    private final long maxOriginalBytes;
    private final RetryPolicy retryPolicy;
    private final ScheduledExecutorService scheduler;
    private final java.util.concurrent.atomic.AtomicReference<ElasticsearchSinkException> lost =
            new java.util.concurrent.atomic.AtomicReference<>();
    private final SinkMetrics metrics;
    @Nullable private final SinkDeadLetterListener listener;

    DeadLetterWriter(
            ElasticsearchAsyncClient client,
            String deadLetterIndex,
            long maxOriginalBytes,
            RetryPolicy retryPolicy,
            ScheduledExecutorService scheduler,
            SinkMetrics metrics,
            @Nullable SinkDeadLetterListener listener) {
        this.client = client;
        this.deadLetterIndex = deadLetterIndex;
        this.maxOriginalBytes = maxOriginalBytes;
        this.retryPolicy = retryPolicy;
        this.scheduler = scheduler;
        this.metrics = metrics;
        this.listener = listener;
    }

    /**
     * Returns, once, the failure of a dead-letter write that gave up since the last call, or
     * {@code null}. Those documents are neither indexed nor dead-lettered, so the sink fails the
     * job with it: Flink then restarts from the last checkpoint and replays them, instead of
     * losing them in silence.
     */
    @Nullable
    ElasticsearchSinkException takeFailure() {
        return lost.getAndSet(null);
    }

    /** Logs, counts and writes the dead letters. The future completes when the write ends. */
    CompletableFuture<Void> write(List<SinkDeadLetter> deadLetters) {
        if (deadLetters.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        metrics.sinkDeadLettered.inc(deadLetters.size());
        logDeadLetters(deadLetters);
        notifyListener(deadLetters);

        Instant now = Instant.now();
        List<DocumentRequest> documents = new ArrayList<>(deadLetters.size());
        for (SinkDeadLetter deadLetter : deadLetters) {
            documents.add(toDocument(deadLetter, deadLetterIndex, now, maxOriginalBytes));
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        send(documents, 1, done);
        return done;
    }

    private void send(List<DocumentRequest> documents, int attempt, CompletableFuture<Void> done) {
        CompletableFuture<BulkResponse> response;
        try {
            response = client.bulk(BulkRequests.create(documents));
        } catch (RuntimeException e) {
            response = CompletableFuture.failedFuture(e);
        }
        response.whenComplete(
                (bulkResponse, error) -> {
                    try {
                        if (error != null) {
                            onRequestFailure(
                                    documents, attempt, RequestFailure.classify(error), done);
                        } else {
                            onResponse(documents, attempt, bulkResponse, done);
                        }
                    } catch (RuntimeException unexpected) {
                        giveUp(
                                documents,
                                unexpected.getClass().getName(),
                                unexpected.toString(),
                                null);
                        done.complete(null);
                    }
                });
    }

    private void onRequestFailure(
            List<DocumentRequest> documents,
            int attempt,
            RequestFailure failure,
            CompletableFuture<Void> done) {
        if (failure.retriable() && attempt < MAX_ATTEMPTS) {
            scheduleRetry(documents, attempt, describe(failure), done);
            return;
        }
        giveUp(documents, failure.errorType(), failure.message(), failure.httpStatus());
        done.complete(null);
    }

    private void onResponse(
            List<DocumentRequest> documents,
            int attempt,
            BulkResponse response,
            CompletableFuture<Void> done) {
        List<BulkResponseItem> items = response.items();
        if (items.size() != documents.size()) {
            giveUp(
                    documents,
                    "unexpected_bulk_response",
                    "the bulk response has "
                            + items.size()
                            + " items for "
                            + documents.size()
                            + " documents",
                    null);
            done.complete(null);
            return;
        }
        List<DocumentRequest> retriable = new ArrayList<>();
        int lastRetriableStatus = 0;
        // Failed items grouped by status and error type, so that each group is logged once.
        Map<String, List<DocumentRequest>> failedByCause = new LinkedHashMap<>();
        Map<String, BulkResponseItem> firstItemByCause = new LinkedHashMap<>();
        for (int i = 0; i < items.size(); i++) {
            BulkResponseItem item = items.get(i);
            int status = item.status();
            if ((status >= 200 && status < 300) || status == 409) {
                continue;
            }
            if (RequestFailure.isRetriableStatus(status) && attempt < MAX_ATTEMPTS) {
                retriable.add(documents.get(i));
                lastRetriableStatus = status;
            } else {
                String cause = status + " " + (item.error() == null ? "" : item.error().type());
                failedByCause
                        .computeIfAbsent(cause, key -> new ArrayList<>())
                        .add(documents.get(i));
                firstItemByCause.putIfAbsent(cause, item);
            }
        }
        for (Map.Entry<String, List<DocumentRequest>> group : failedByCause.entrySet()) {
            BulkResponseItem item = firstItemByCause.get(group.getKey());
            String errorType = item.error() == null ? "http_" + item.status() : item.error().type();
            String reason = item.error() == null ? "" : String.valueOf(item.error().reason());
            giveUp(group.getValue(), errorType, reason, item.status());
        }
        if (retriable.isEmpty()) {
            done.complete(null);
            return;
        }
        scheduleRetry(retriable, attempt, "HTTP " + lastRetriableStatus, done);
    }

    private void scheduleRetry(
            List<DocumentRequest> documents,
            int attempt,
            String cause,
            CompletableFuture<Void> done) {
        long delay = retryPolicy.delayMillis(attempt);
        LOG.warn(
                "Retrying the write of {} dead-letter documents to '{}' in {} ms (attempt {} of {})"
                        + " after {}: ids {}",
                documents.size(),
                deadLetterIndex,
                delay,
                attempt + 1,
                MAX_ATTEMPTS,
                cause,
                IdSummary.of(documents, DocumentRequest::id));
        try {
            scheduler.schedule(
                    () -> send(documents, attempt + 1, done), delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // The writer is closing; the documents are lost unless the job replays them.
            giveUp(documents, "writer_closed", "the sink writer closed before the retry", null);
            done.complete(null);
        }
    }

    private void giveUp(
            List<DocumentRequest> documents,
            String errorType,
            String message,
            @Nullable Integer httpStatus) {
        metrics.deadLetterWriteFailures.inc(documents.size());
        lost.compareAndSet(
                null,
                new ElasticsearchSinkException(
                        "failed to write "
                                + documents.size()
                                + " dead-letter documents to '"
                                + deadLetterIndex
                                + "' ("
                                + errorType
                                + ": "
                                + LogText.truncate(message)
                                + "); failing the job so that it replays them from its last"
                                + " checkpoint; ids "
                                + IdSummary.of(documents, DocumentRequest::id)));
        LOG.error(
                "Failed to write {} dead-letter documents to '{}': {} (HTTP {}): {}; ids {}",
                documents.size(),
                deadLetterIndex,
                errorType,
                httpStatus == null ? "none" : httpStatus,
                LogText.truncate(message),
                IdSummary.of(documents, DocumentRequest::id));
    }

    private static String describe(RequestFailure failure) {
        return failure.httpStatus() == null
                ? failure.errorType()
                : "HTTP " + failure.httpStatus() + " " + failure.errorType();
    }

    private void logDeadLetters(List<SinkDeadLetter> deadLetters) {
        Map<String, List<SinkDeadLetter>> byCause = new LinkedHashMap<>();
        for (SinkDeadLetter deadLetter : deadLetters) {
            String cause =
                    deadLetter.reason()
                            + " "
                            + deadLetter.errorType()
                            + " (HTTP "
                            + (deadLetter.httpStatus() == null ? "none" : deadLetter.httpStatus())
                            + ")";
            byCause.computeIfAbsent(cause, key -> new ArrayList<>()).add(deadLetter);
        }
        for (Map.Entry<String, List<SinkDeadLetter>> group : byCause.entrySet()) {
            List<SinkDeadLetter> members = group.getValue();
            LOG.warn(
                    "Dead-lettering {} documents to '{}': {}: {}; ids {}",
                    members.size(),
                    deadLetterIndex,
                    group.getKey(),
                    LogText.truncate(members.get(0).errorMessage()),
                    IdSummary.of(members, deadLetter -> deadLetter.request().id()));
        }
    }

    private void notifyListener(List<SinkDeadLetter> deadLetters) {
        if (listener == null) {
            return;
        }
        for (SinkDeadLetter deadLetter : deadLetters) {
            try {
                listener.onDeadLetter(deadLetter);
            } catch (RuntimeException e) {
                LOG.warn(
                        "The dead-letter listener failed for document '{}'; ignoring it",
                        deadLetter.request().id(),
                        e);
            }
        }
    }

    /**
     * Returns the dead-letter document for {@code deadLetter}: a {@code pipeline_error} event that
     * carries the error and the original source as a string, truncated to {@code maxOriginalBytes}.
     */
    static DocumentRequest toDocument(
            SinkDeadLetter deadLetter, String deadLetterIndex, Instant now, long maxOriginalBytes) {
        DocumentRequest original = deadLetter.request();
        byte[] source = original.source();
        int originalLength = (int) Math.min(source.length, maxOriginalBytes);
        boolean truncated = originalLength < source.length;
        if (truncated) {
            originalLength = utf8Boundary(source, originalLength);
        }

        ByteArrayOutputStream out = new ByteArrayOutputStream(originalLength + 512);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("@timestamp", now.truncatedTo(ChronoUnit.MILLIS).toString());

            json.writeObjectFieldStart("event");
            json.writeStringField("kind", "pipeline_error");
            json.writeEndObject();

            json.writeObjectFieldStart("error");
            json.writeStringField("type", deadLetter.errorType());
            json.writeStringField("message", deadLetter.errorMessage());
            json.writeEndObject();

            if (deadLetter.httpStatus() != null) {
                json.writeObjectFieldStart("http");
                json.writeObjectFieldStart("response");
                json.writeNumberField("status_code", deadLetter.httpStatus());
                json.writeEndObject();
                json.writeEndObject();
            }

            json.writeObjectFieldStart("capwatch");
            json.writeObjectFieldStart("dead_letter");
            json.writeStringField("reason", deadLetter.reason().name());
            json.writeStringField("target_index", original.index());
            json.writeStringField("document_id", original.id());
            json.writeNumberField("attempts", deadLetter.attempts());
            json.writeStringField(
                    "original", new String(source, 0, originalLength, StandardCharsets.UTF_8));
            json.writeBooleanField("original_truncated", truncated);
            json.writeEndObject();
            json.writeEndObject();

            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("Failed to write the dead-letter document as JSON", e);
        }
        return new DocumentRequest(deadLetterIndex, original.id(), out.toByteArray());
    }

    /** Moves {@code length} back so that it does not split a UTF-8 multi-byte character. */
    private static int utf8Boundary(byte[] bytes, int length) {
        int end = length;
        while (end > 0 && (bytes[end] & 0xC0) == 0x80) {
            end--;
        }
        return end;
    }
}

package io.capwatch.sink.elasticsearch;

import co.elastic.clients.elasticsearch.ElasticsearchAsyncClient;
import co.elastic.clients.elasticsearch.core.BulkResponse;
import co.elastic.clients.elasticsearch.core.bulk.BulkResponseItem;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.base.sink.writer.AsyncSinkWriter;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.DequeRequestBuffer;
import org.apache.flink.connector.base.sink.writer.ElementConverter;
import org.apache.flink.connector.base.sink.writer.ResultHandler;
import org.apache.flink.connector.base.sink.writer.SimpleBatchCreator;
import org.apache.flink.connector.base.sink.writer.config.AsyncSinkWriterConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.annotation.Nullable;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Sends batches of {@link DocumentRequest}s as {@code _bulk} requests, with op type {@code create}
 * or, for documents that ask for it, {@code index}, and sorts the outcome of every item.
 *
 * <ul>
 *   <li>2xx: created or, for {@code index}, created or replaced. 409 (only {@code create}): the id
 *       exists, which counts as success because ids are deterministic.
 *   <li>429 and 5xx items, and whole-request failures that may pass later (429, 5xx, I/O errors):
 *       only those documents are retried, after an exponential backoff that runs on a scheduler
 *       thread, so the mailbox thread never sleeps. They count as in flight meanwhile, so a long
 *       outage fills the buffer and back-pressures the stream. Retries go on for the retry
 *       timeout of {@link RetryPolicy}, and are logged at a bounded rate by {@link RetryLog}.
 *   <li>Any other 4xx item, a document above the maximum record size, and a document whose retry
 *       timeout has passed: dead-lettered. The rest of the batch is indexed regardless. When the
 *       dead-letter write fails too, as it does while the cluster is unreachable, the job fails
 *       rather than lose the document.
 *   <li>Whole-request failures that retrying cannot fix (401, 403, other 4xx, client errors) fail
 *       the job, because every document would fail the same way.
 * </ul>
 *
 * <p>A request counts as in flight until its retry delay has passed and its dead letters are
 * written. Before each checkpoint the writer sends every buffered document and waits until each
 * is indexed or dead-lettered (see {@link #flush}), so a completed checkpoint means its alerts are
 * in Elasticsearch. Documents still buffered when a snapshot is taken, retries included, are
 * stored in the checkpoint.
 */
final class ElasticsearchSinkWriter<T> extends AsyncSinkWriter<T, DocumentRequest> {

    private static final Logger LOG = LoggerFactory.getLogger(ElasticsearchSinkWriter.class);

    private final ElasticsearchAsyncClient client;
    private final ScheduledExecutorService scheduler;
    private final DeadLetterWriter deadLetterWriter;
    private final SinkMetrics metrics;
    private final RetryPolicy retryPolicy;
    private final RetryLog retryLog;
    private final long maxRecordSizeInBytes;

    ElasticsearchSinkWriter(
            ElementConverter<T, DocumentRequest> elementConverter,
            WriterInitContext context,
            AsyncSinkWriterConfiguration configuration,
            Collection<BufferedRequestState<DocumentRequest>> states,
            ElasticsearchSinkSettings settings) {
        super(
                elementConverter,
                context,
                configuration,
                states,
                new SimpleBatchCreator<>(configuration.getMaxBatchSizeInBytes()),
                new DequeRequestBuffer<>());
        this.retryPolicy = settings.retryPolicy();
        this.retryLog = new RetryLog(LOG, retryPolicy.describeBound());
        this.maxRecordSizeInBytes = configuration.getMaxRecordSizeInBytes();
        this.metrics = new SinkMetrics(context.metricGroup());

        int subtask = context.getTaskInfo().getIndexOfThisSubtask();
        this.scheduler = createScheduler("elasticsearch-sink-retry-" + subtask);
        this.client = settings.connection().createAsyncClient();
        this.deadLetterWriter =
                new DeadLetterWriter(
                        client,
                        settings.deadLetterIndex(),
                        maxRecordSizeInBytes,
                        retryPolicy,
                        scheduler,
                        metrics,
                        settings.deadLetterListener());
        LOG.info(
                "Elasticsearch sink writer {} started: {}, restored {} buffered documents",
                subtask,
                settings,
                states.stream().mapToInt(state -> state.getBufferedRequestEntries().size()).sum());
    }

    /**
     * Flushes the whole buffer, also before a checkpoint. Flink calls this with {@code false}
     * before each checkpoint barrier, which in {@link AsyncSinkWriter} only waits for requests in
     * flight; sending the buffer too keeps alerts from waiting in checkpoint state until the next
     * batch fills up.
     */
    @Override
    public void flush(boolean endOfInput) throws InterruptedException {
        super.flush(true);
    }

    private static ScheduledExecutorService createScheduler(String threadName) {
        ScheduledThreadPoolExecutor executor =
                new ScheduledThreadPoolExecutor(
                        1,
                        runnable -> {
                            Thread thread = new Thread(runnable, threadName);
                            thread.setDaemon(true);
                            return thread;
                        });
        executor.setRemoveOnCancelPolicy(true);
        return Executors.unconfigurableScheduledExecutorService(executor);
    }

    /**
     * Returns the bytes the document adds to a bulk body, capped at the maximum record size. The
     * cap keeps {@link AsyncSinkWriter} from failing the job on a large document: {@link
     * #submitRequestEntries} dead-letters such documents instead of sending them.
     *
     * <p>NOTE: checkpoints store this size. Restoring a checkpoint with a lower maximum record size
     * than a stored document's size fails in {@link AsyncSinkWriter}, before this class can act.
     */
    @Override
    protected long getSizeInBytes(DocumentRequest request) {
        return Math.min(request.sizeInBytes(), maxRecordSizeInBytes);
    }

    @Override
    protected void submitRequestEntries(
            List<DocumentRequest> entries, ResultHandler<DocumentRequest> resultHandler) {
        List<DocumentRequest> sendable = new ArrayList<>(entries.size());
        List<SinkDeadLetter> deadLetters = new ArrayList<>();
        for (DocumentRequest entry : entries) {
            if (entry.sizeInBytes() > maxRecordSizeInBytes) {
                deadLetters.add(tooLarge(entry));
            } else {
                sendable.add(entry);
            }
        }
        if (sendable.isEmpty()) {
            finish(deadLetters, List.of(), resultHandler);
            return;
        }

        metrics.bulkRequests.inc();
        CompletableFuture<BulkResponse> response;
        try {
            response = client.bulk(BulkRequests.create(sendable));
        } catch (RuntimeException e) {
            response = CompletableFuture.failedFuture(e);
        }
        response.whenComplete(
                (bulkResponse, error) -> {
                    try {
                        if (error != null) {
                            onRequestFailure(sendable, error, deadLetters, resultHandler);
                        } else {
                            onResponse(sendable, bulkResponse, deadLetters, resultHandler);
                        }
                    } catch (RuntimeException unexpected) {
                        resultHandler.completeExceptionally(
                                new ElasticsearchSinkException(
                                        "Failed to handle the result of a bulk request of "
                                                + sendable.size()
                                                + " documents",
                                        unexpected));
                    }
                });
    }

    private SinkDeadLetter tooLarge(DocumentRequest entry) {
        return new SinkDeadLetter(
                entry,
                SinkFailureReason.SINK_REJECTED,
                "document_too_large",
                "the document needs about "
                        + entry.sizeInBytes()
                        + " bytes in a bulk request, more than the maximum record size of "
                        + maxRecordSizeInBytes
                        + " bytes (setMaxRecordSizeInBytes)",
                null,
                entry.failedAttempts());
    }

    private void onRequestFailure(
            List<DocumentRequest> sendable,
            Throwable error,
            List<SinkDeadLetter> deadLetters,
            ResultHandler<DocumentRequest> resultHandler) {
        RequestFailure failure = RequestFailure.classify(error);
        if (!failure.retriable()) {
            resultHandler.completeExceptionally(
                    new ElasticsearchSinkException(
                            fatalMessage(failure, sendable.size()), failure.cause()));
            return;
        }
        List<FailedItem> failed = new ArrayList<>(sendable.size());
        for (DocumentRequest entry : sendable) {
            failed.add(
                    new FailedItem(
                            entry, failure.httpStatus(), failure.errorType(), failure.message()));
        }
        List<DocumentRequest> retries = retryOrDeadLetter(failed, deadLetters);
        finish(deadLetters, retries, resultHandler);
    }

    private static String fatalMessage(RequestFailure failure, int documents) {
        String hint;
        Integer status = failure.httpStatus();
        if (status != null && (status == 401 || status == 403)) {
            hint =
                    "check the credentials (setUsername/setPassword or setApiKey) and their"
                            + " privileges";
        } else if (status != null && status == 413) {
            hint =
                    "lower setMaxBatchSizeInBytes below the cluster's http.max_content_length"
                            + " (100 MB by default)";
        } else if (status != null) {
            hint = "check the host URLs (setHosts) and that they point to Elasticsearch";
        } else if (failure.errorType().startsWith("javax.net.ssl.")) {
            hint = "check the CA certificate (setCaCertificatePath or setCaCertificateFingerprint)";
        } else {
            hint = "the client failed before it received a response";
        }
        return "Elasticsearch bulk request of "
                + documents
                + " documents failed and will not be retried: "
                + (status == null ? "" : "HTTP " + status + " ")
                + failure.errorType()
                + ": "
                + LogText.truncate(failure.message())
                + "; "
                + hint;
    }

    private void onResponse(
            List<DocumentRequest> sendable,
            BulkResponse response,
            List<SinkDeadLetter> deadLetters,
            ResultHandler<DocumentRequest> resultHandler) {
        List<BulkResponseItem> items = response.items();
        if (items.size() != sendable.size()) {
            resultHandler.completeExceptionally(
                    new ElasticsearchSinkException(
                            "The bulk response has "
                                    + items.size()
                                    + " items for a request of "
                                    + sendable.size()
                                    + " documents; expected one item per document"));
            return;
        }

        List<FailedItem> retriable = new ArrayList<>();
        long created = 0;
        long alreadyPresent = 0;
        for (int i = 0; i < items.size(); i++) {
            BulkResponseItem item = items.get(i);
            DocumentRequest entry = sendable.get(i);
            int status = item.status();
            if (status >= 200 && status < 300) {
                created++;
            } else if (status == 409) {
                alreadyPresent++;
            } else {
                String errorType = item.error() == null ? "http_" + status : item.error().type();
                String reason =
                        item.error() == null ? "" : RequestFailure.reasonWithCauses(item.error());
                if (RequestFailure.isRetriableStatus(status)) {
                    retriable.add(new FailedItem(entry, status, errorType, reason));
                } else {
                    deadLetters.add(
                            new SinkDeadLetter(
                                    entry,
                                    SinkFailureReason.SINK_REJECTED,
                                    errorType,
                                    reason,
                                    status,
                                    entry.failedAttempts() + 1));
                }
            }
        }
        metrics.alertsIndexed.inc(created);
        metrics.alertsAlreadyIndexed.inc(alreadyPresent);
        if (retriable.isEmpty()) {
            retryLog.settled(System.currentTimeMillis());
        }

        List<DocumentRequest> retries = retryOrDeadLetter(retriable, deadLetters);
        finish(deadLetters, retries, resultHandler);
    }

    /** A document whose attempt failed with a retriable error. */
    private record FailedItem(
            DocumentRequest entry,
            @Nullable Integer httpStatus,
            String errorType,
            String message) {}

    /**
     * Returns the documents to retry, each with one more failed attempt, and adds those that the
     * retry policy gives up on to {@code deadLetters}. Logs one line per cause, at a bounded rate.
     */
    private List<DocumentRequest> retryOrDeadLetter(
            List<FailedItem> failed, List<SinkDeadLetter> deadLetters) {
        long now = System.currentTimeMillis();
        List<DocumentRequest> retries = new ArrayList<>(failed.size());
        Map<String, List<DocumentRequest>> retriesByCause = new LinkedHashMap<>();
        for (FailedItem item : failed) {
            DocumentRequest next = item.entry().withOneMoreFailedAttempt(now);
            if (!retryPolicy.allowsRetry(next, now)) {
                metrics.sinkRetriesExhausted.inc();
                deadLetters.add(
                        new SinkDeadLetter(
                                item.entry(),
                                SinkFailureReason.SINK_RETRIES_EXHAUSTED,
                                item.errorType(),
                                item.message(),
                                item.httpStatus(),
                                next.failedAttempts()));
            } else {
                retries.add(next);
                String cause =
                        (item.httpStatus() == null ? "" : "HTTP " + item.httpStatus() + " ")
                                + item.errorType()
                                + ": "
                                + item.message();
                retriesByCause.computeIfAbsent(cause, key -> new ArrayList<>()).add(next);
            }
        }
        for (Map.Entry<String, List<DocumentRequest>> group : retriesByCause.entrySet()) {
            retryLog.retrying(group.getValue(), group.getKey(), now);
        }
        metrics.sinkRetries.inc(retries.size());
        return retries;
    }

    /**
     * Writes the dead letters, then completes the request: at once when nothing needs a retry, else
     * after the backoff delay of the most-tried document.
     */
    private void finish(
            List<SinkDeadLetter> deadLetters,
            List<DocumentRequest> retries,
            ResultHandler<DocumentRequest> resultHandler) {
        deadLetterWriter
                .write(deadLetters)
                .whenComplete(
                        (ignored, error) -> {
                            ElasticsearchSinkException lost = deadLetterWriter.takeFailure();
                            if (lost != null) {
                                resultHandler.completeExceptionally(lost);
                                return;
                            }
                            if (retries.isEmpty()) {
                                resultHandler.complete();
                                return;
                            }
                            int mostFailures =
                                    retries.stream()
                                            .mapToInt(DocumentRequest::failedAttempts)
                                            .max()
                                            .orElse(1);
                            long delay = retryPolicy.delayMillis(mostFailures);
                            try {
                                scheduler.schedule(
                                        () -> resultHandler.retryForEntries(retries),
                                        delay,
                                        TimeUnit.MILLISECONDS);
                            } catch (RejectedExecutionException e) {
                                // The writer is closing; hand the documents back at once so that
                                // they stay in the buffer.
                                resultHandler.retryForEntries(retries);
                            }
                        });
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            client.close();
        } catch (IOException e) {
            LOG.warn("Failed to close the Elasticsearch client", e);
        }
        super.close();
    }
}

package io.capwatch.sink.elasticsearch;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.connector.base.sink.AsyncSinkBaseBuilder;
import org.apache.flink.connector.base.sink.writer.ElementConverter;

import javax.annotation.Nullable;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Builder for {@link ElasticsearchSink}. Only {@link #setHosts} and {@link #setElementConverter}
 * are required. {@link #build()} validates every setting and reports all invalid ones in one {@link
 * IllegalArgumentException}, naming the setting, the value and what is allowed.
 *
 * <p>The batching setters inherited from {@link AsyncSinkBaseBuilder} apply per parallel writer.
 * Their defaults: {@value #DEFAULT_MAX_BATCH_SIZE} documents per bulk request, {@value
 * #DEFAULT_MAX_IN_FLIGHT_REQUESTS} requests in flight, {@value #DEFAULT_MAX_BUFFERED_REQUESTS}
 * buffered documents, 5 MiB per bulk request, 1 MiB per document and {@value
 * #DEFAULT_MAX_TIME_IN_BUFFER_MS} ms in the buffer.
 *
 * @param <T> the stream element type
 */
@PublicEvolving
public class ElasticsearchSinkBuilder<T>
        extends AsyncSinkBaseBuilder<T, DocumentRequest, ElasticsearchSinkBuilder<T>> {

    public static final int DEFAULT_MAX_BATCH_SIZE = 500;
    public static final int DEFAULT_MAX_IN_FLIGHT_REQUESTS = 2;
    public static final int DEFAULT_MAX_BUFFERED_REQUESTS = 10_000;
    public static final long DEFAULT_MAX_BATCH_SIZE_IN_BYTES = 5L * 1024 * 1024;
    public static final long DEFAULT_MAX_TIME_IN_BUFFER_MS = 1_000;
    public static final long DEFAULT_MAX_RECORD_SIZE_IN_BYTES = 1024 * 1024;
    /** No attempt limit: only the retry timeout bounds retries. */
    public static final int DEFAULT_MAX_ATTEMPTS = Integer.MAX_VALUE;
    public static final Duration DEFAULT_RETRY_TIMEOUT = Duration.ofMinutes(5);
    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(200);
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(10);
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofMinutes(10);
    public static final String DEFAULT_DEAD_LETTER_INDEX = "logs-capwatch.deadletter-default";

    private final ElasticsearchConnection.Builder connection = ElasticsearchConnection.builder();
    @Nullable private ElementConverter<T, DocumentRequest> elementConverter;
    private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
    @Nullable private Duration retryTimeout = DEFAULT_RETRY_TIMEOUT;
    @Nullable private Duration initialBackoff = DEFAULT_INITIAL_BACKOFF;
    @Nullable private Duration maxBackoff = DEFAULT_MAX_BACKOFF;
    private boolean backoffJitter = true;
    @Nullable private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
    @Nullable private String deadLetterIndex = DEFAULT_DEAD_LETTER_INDEX;
    @Nullable private SinkDeadLetterListener deadLetterListener;

    ElasticsearchSinkBuilder() {}

    /** See {@link ElasticsearchConnection.Builder#setHosts}. */
    public ElasticsearchSinkBuilder<T> setHosts(String... urls) {
        connection.setHosts(urls);
        return this;
    }

    /** See {@link ElasticsearchConnection.Builder#setUsername}. */
    public ElasticsearchSinkBuilder<T> setUsername(String username) {
        connection.setUsername(username);
        return this;
    }

    /** See {@link ElasticsearchConnection.Builder#setPassword}. */
    public ElasticsearchSinkBuilder<T> setPassword(String password) {
        connection.setPassword(password);
        return this;
    }

    /** See {@link ElasticsearchConnection.Builder#setApiKey}. */
    public ElasticsearchSinkBuilder<T> setApiKey(String apiKey) {
        connection.setApiKey(apiKey);
        return this;
    }

    /** See {@link ElasticsearchConnection.Builder#setCaCertificatePath}. */
    public ElasticsearchSinkBuilder<T> setCaCertificatePath(Path pemFile) {
        connection.setCaCertificatePath(pemFile);
        return this;
    }

    /** See {@link ElasticsearchConnection.Builder#setCaCertificateFingerprint}. */
    public ElasticsearchSinkBuilder<T> setCaCertificateFingerprint(String sha256) {
        connection.setCaCertificateFingerprint(sha256);
        return this;
    }

    /** See {@link ElasticsearchConnection.Builder#setConnectTimeout}. */
    public ElasticsearchSinkBuilder<T> setConnectTimeout(Duration timeout) {
        connection.setConnectTimeout(timeout);
        return this;
    }

    /** See {@link ElasticsearchConnection.Builder#setSocketTimeout}. */
    public ElasticsearchSinkBuilder<T> setSocketTimeout(Duration timeout) {
        connection.setSocketTimeout(timeout);
        return this;
    }

    /** Sets how stream elements become documents, for example {@link IndexedDocumentConverter}. */
    public ElasticsearchSinkBuilder<T> setElementConverter(
            ElementConverter<T, DocumentRequest> elementConverter) {
        this.elementConverter = elementConverter;
        return this;
    }

    /**
     * Sets how long after its first failure a document that keeps failing with a retriable error
     * (HTTP 429, 502, 503, 504 and other 5xx, connection refused or reset, timeouts) is still
     * retried (default 5 min). After that it is dead-lettered as {@link
     * SinkFailureReason#SINK_RETRIES_EXHAUSTED}; while the cluster is unreachable that write fails
     * too, and the job fails instead of losing the document.
     */
    public ElasticsearchSinkBuilder<T> setRetryTimeout(Duration retryTimeout) {
        this.retryTimeout = retryTimeout;
        return this;
    }

    /**
     * Sets the maximum bulk attempts per document, counting the first (default: no limit, so that
     * only {@link #setRetryTimeout} applies). A document out of attempts is dead-lettered as {@link
     * SinkFailureReason#SINK_RETRIES_EXHAUSTED}.
     */
    public ElasticsearchSinkBuilder<T> setMaxAttempts(int maxAttempts) {
        this.maxAttempts = maxAttempts;
        return this;
    }

    /** Sets the delay before the first retry (default 200 ms); it doubles with every retry. */
    public ElasticsearchSinkBuilder<T> setInitialBackoff(Duration initialBackoff) {
        this.initialBackoff = initialBackoff;
        return this;
    }

    /** Sets the maximum delay between two attempts (default 10 s). */
    public ElasticsearchSinkBuilder<T> setMaxBackoff(Duration maxBackoff) {
        this.maxBackoff = maxBackoff;
        return this;
    }

    /**
     * Sets whether each delay is drawn at random from its upper half (default true), so that
     * writers that failed together do not retry together.
     */
    public ElasticsearchSinkBuilder<T> setBackoffJitter(boolean backoffJitter) {
        this.backoffJitter = backoffJitter;
        return this;
    }

    /**
     * Sets how long a bulk request, with its retry delay and dead-letter writes, may stay in flight
     * before the writer gives up waiting and queues its documents again (default 10 min). It must
     * exceed the socket timeout plus the maximum backoff.
     */
    public ElasticsearchSinkBuilder<T> setRequestTimeout(Duration requestTimeout) {
        this.requestTimeout = requestTimeout;
        return this;
    }

    /** Sets the index for dead-letter documents (default {@value #DEFAULT_DEAD_LETTER_INDEX}). */
    public ElasticsearchSinkBuilder<T> setDeadLetterIndex(String deadLetterIndex) {
        this.deadLetterIndex = deadLetterIndex;
        return this;
    }

    /** Sets an optional observer that the sink calls for every dead-lettered document. */
    public ElasticsearchSinkBuilder<T> setDeadLetterListener(SinkDeadLetterListener listener) {
        this.deadLetterListener = listener;
        return this;
    }

    /** Validates every setting and returns the sink. */
    @Override
    public ElasticsearchSink<T> build() {
        ConfigurationErrors errors = new ConfigurationErrors();
        ElasticsearchConnection validConnection = connection.tryBuild(errors);

        int maxBatchSize = orDefault(getMaxBatchSize(), DEFAULT_MAX_BATCH_SIZE);
        int maxInFlightRequests =
                orDefault(getMaxInFlightRequests(), DEFAULT_MAX_IN_FLIGHT_REQUESTS);
        int maxBufferedRequests =
                orDefault(getMaxBufferedRequests(), DEFAULT_MAX_BUFFERED_REQUESTS);
        long maxBatchSizeInBytes =
                orDefault(getMaxBatchSizeInBytes(), DEFAULT_MAX_BATCH_SIZE_IN_BYTES);
        long maxTimeInBufferMS = orDefault(getMaxTimeInBufferMS(), DEFAULT_MAX_TIME_IN_BUFFER_MS);
        long maxRecordSizeInBytes =
                orDefault(getMaxRecordSizeInBytes(), DEFAULT_MAX_RECORD_SIZE_IN_BYTES);

        if (elementConverter == null) {
            errors.add(
                    "setElementConverter is missing: set how elements become documents, for"
                            + " example new IndexedDocumentConverter()");
        }
        requireAtLeastOne("setMaxBatchSize", maxBatchSize, errors);
        requireAtLeastOne("setMaxInFlightRequests", maxInFlightRequests, errors);
        requireAtLeastOne("setMaxBatchSizeInBytes", maxBatchSizeInBytes, errors);
        requireAtLeastOne("setMaxTimeInBufferMS", maxTimeInBufferMS, errors);
        requireAtLeastOne("setMaxRecordSizeInBytes", maxRecordSizeInBytes, errors);
        requireAtLeastOne("setMaxAttempts", maxAttempts, errors);
        if (maxBufferedRequests <= maxBatchSize) {
            errors.add(
                    "setMaxBufferedRequests is "
                            + maxBufferedRequests
                            + "; it must be greater than setMaxBatchSize ("
                            + maxBatchSize
                            + ")");
        }
        if (maxRecordSizeInBytes > maxBatchSizeInBytes) {
            errors.add(
                    "setMaxRecordSizeInBytes is "
                            + maxRecordSizeInBytes
                            + "; it must not exceed setMaxBatchSizeInBytes ("
                            + maxBatchSizeInBytes
                            + ")");
        }
        validateBackoff(errors);
        if (!isPositive(retryTimeout)) {
            errors.add("setRetryTimeout is " + retryTimeout + "; it must be positive");
        }
        validateRequestTimeout(errors);
        String indexProblem = IndexNames.problem(deadLetterIndex);
        if (indexProblem != null) {
            errors.add(
                    "setDeadLetterIndex value '"
                            + deadLetterIndex
                            + "' is invalid: "
                            + indexProblem);
        }
        errors.throwIfAny("Elasticsearch sink settings");

        ElasticsearchSinkSettings settings =
                new ElasticsearchSinkSettings(
                        validConnection,
                        new RetryPolicy(
                                new RetryBackoff(initialBackoff, maxBackoff, backoffJitter),
                                retryTimeout,
                                maxAttempts),
                        deadLetterIndex,
                        deadLetterListener);
        return new ElasticsearchSink<>(
                elementConverter,
                maxBatchSize,
                maxInFlightRequests,
                maxBufferedRequests,
                maxBatchSizeInBytes,
                maxTimeInBufferMS,
                maxRecordSizeInBytes,
                requestTimeout.toMillis(),
                settings);
    }

    private void validateBackoff(ConfigurationErrors errors) {
        boolean initialValid = isPositive(initialBackoff);
        boolean maxValid = isPositive(maxBackoff);
        if (!initialValid) {
            errors.add("setInitialBackoff is " + initialBackoff + "; it must be positive");
        }
        if (!maxValid) {
            errors.add("setMaxBackoff is " + maxBackoff + "; it must be positive");
        }
        if (initialValid && maxValid && initialBackoff.compareTo(maxBackoff) > 0) {
            errors.add(
                    "setInitialBackoff is "
                            + initialBackoff
                            + "; it must not exceed setMaxBackoff ("
                            + maxBackoff
                            + ")");
        }
    }

    private void validateRequestTimeout(ConfigurationErrors errors) {
        if (!isPositive(requestTimeout)) {
            errors.add("setRequestTimeout is " + requestTimeout + "; it must be positive");
            return;
        }
        Duration socketTimeout = connection.socketTimeout();
        if (isPositive(socketTimeout) && isPositive(maxBackoff)) {
            Duration minimum = socketTimeout.plus(maxBackoff);
            if (requestTimeout.compareTo(minimum) <= 0) {
                errors.add(
                        "setRequestTimeout is "
                                + requestTimeout
                                + "; it must exceed the socket timeout plus the maximum backoff ("
                                + minimum
                                + ")");
            }
        }
    }

    private static boolean isPositive(@Nullable Duration duration) {
        return duration != null && !duration.isNegative() && !duration.isZero();
    }

    private static void requireAtLeastOne(String setting, long value, ConfigurationErrors errors) {
        if (value < 1) {
            errors.add(setting + " is " + value + "; it must be at least 1");
        }
    }

    private static int orDefault(@Nullable Integer value, int defaultValue) {
        return value == null ? defaultValue : value;
    }

    private static long orDefault(@Nullable Long value, long defaultValue) {
        return value == null ? defaultValue : value;
    }
}

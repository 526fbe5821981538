package io.capwatch.sink.elasticsearch;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.base.sink.AsyncSinkBase;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.ElementConverter;
import org.apache.flink.connector.base.sink.writer.config.AsyncSinkWriterConfiguration;
import org.apache.flink.core.io.SimpleVersionedSerializer;

import java.util.Collection;
import java.util.List;

/**
 * A Flink sink that creates documents in Elasticsearch through {@code _bulk} requests with op type
 * {@code create}. It uses the elasticsearch-java 8.19 client, which works with 8.x and 9.x servers.
 * The tests run against 8.19.4.
 *
 * <p>Delivery is at least once: each checkpoint waits for the bulk requests in flight and stores
 * the documents still buffered in the writer state. With deterministic document ids a replay adds
 * no duplicates, because a {@code create} that returns 409 (the document exists) counts as success.
 * Documents that Elasticsearch rejects, and documents that run out of retries, go to a dead-letter
 * index instead of failing the job. See {@link ElasticsearchSinkBuilder} for the settings.
 *
 * <pre>{@code
 * ElasticsearchSink<IndexedDocument> sink =
 *         ElasticsearchSink.<IndexedDocument>builder()
 *                 .setHosts("http://127.0.0.1:9200")
 *                 .setElementConverter(new IndexedDocumentConverter())
 *                 .build();
 * alerts.sinkTo(sink);
 * }</pre>
 *
 * @param <T> the stream element type
 */
@PublicEvolving
public class ElasticsearchSink<T> extends AsyncSinkBase<T, DocumentRequest> {

    private static final long serialVersionUID = 1L;

    private final ElasticsearchSinkSettings settings;

    ElasticsearchSink(
            ElementConverter<T, DocumentRequest> elementConverter,
            int maxBatchSize,
            int maxInFlightRequests,
            int maxBufferedRequests,
            long maxBatchSizeInBytes,
            long maxTimeInBufferMS,
            long maxRecordSizeInBytes,
            long requestTimeoutMS,
            ElasticsearchSinkSettings settings) {
        super(
                elementConverter,
                maxBatchSize,
                maxInFlightRequests,
                maxBufferedRequests,
                maxBatchSizeInBytes,
                maxTimeInBufferMS,
                maxRecordSizeInBytes,
                requestTimeoutMS,
                false);
        this.settings = settings;
    }

    public static <T> ElasticsearchSinkBuilder<T> builder() {
        return new ElasticsearchSinkBuilder<>();
    }

    /** Returns the validated connection settings, for example to install index templates. */
    public ElasticsearchConnection getConnection() {
        return settings.connection();
    }

    public String getDeadLetterIndex() {
        return settings.deadLetterIndex();
    }

    @Override
    public StatefulSinkWriter<T, BufferedRequestState<DocumentRequest>> createWriter(
            WriterInitContext context) {
        return restoreWriter(context, List.of());
    }

    @Override
    public StatefulSinkWriter<T, BufferedRequestState<DocumentRequest>> restoreWriter(
            WriterInitContext context,
            Collection<BufferedRequestState<DocumentRequest>> recoveredState) {
        return new ElasticsearchSinkWriter<>(
                getElementConverter(), context, writerConfiguration(), recoveredState, settings);
    }

    private AsyncSinkWriterConfiguration writerConfiguration() {
        return AsyncSinkWriterConfiguration.builder()
                .setMaxBatchSize(getMaxBatchSize())
                .setMaxBatchSizeInBytes(getMaxBatchSizeInBytes())
                .setMaxInFlightRequests(getMaxInFlightRequests())
                .setMaxBufferedRequests(getMaxBufferedRequests())
                .setMaxTimeInBufferMS(getMaxTimeInBufferMS())
                .setMaxRecordSizeInBytes(getMaxRecordSizeInBytes())
                .setRequestTimeoutMS(getRequestTimeoutMS())
                .setFailOnTimeout(getFailOnTimeout())
                .build();
    }

    @Override
    public SimpleVersionedSerializer<BufferedRequestState<DocumentRequest>>
            getWriterStateSerializer() {
        return new DocumentRequestStateSerializer();
    }

    @Override
    public String toString() {
        return "ElasticsearchSink{"
                + settings
                + ", maxBatchSize="
                + getMaxBatchSize()
                + ", maxInFlightRequests="
                + getMaxInFlightRequests()
                + ", maxBufferedRequests="
                + getMaxBufferedRequests()
                + ", maxBatchSizeInBytes="
                + getMaxBatchSizeInBytes()
                + ", maxTimeInBufferMS="
                + getMaxTimeInBufferMS()
                + ", maxRecordSizeInBytes="
                + getMaxRecordSizeInBytes()
                + ", requestTimeoutMS="
                + getRequestTimeoutMS()
                + '}';
    }
}
